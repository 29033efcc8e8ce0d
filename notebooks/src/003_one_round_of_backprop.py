# %% [markdown]
# # One round of backpropagation by hand, and by the engine
#
# *From course note 003* (a pen-and-paper session).
#
# The note takes a tiny regression network, pushes one example through it, and updates
# every weight once, writing each number down. Here we let `autograd_lite` build the same
# computation from scalar `Value`s and compare its numbers with the ones the note wrote,
# digit by digit. Along the way we draw the compute graph and walk the backward pass one
# node at a time.
#
# **The network.** Two inputs $x_1, x_2$, plus an extra input that is always $-1$ and plays
# the part of the bias. Three hidden neurons with the logistic sigmoid, one linear output:
#
# $$z_j = -1\cdot V_{0,j} + x_1 V_{1,j} + x_2 V_{2,j},\qquad a_j = \sigma(z_j),\qquad
#   y = -1\cdot W_{0,1} + a_1 W_{1,1} + a_2 W_{2,1} + a_3 W_{3,1}$$
#
# and the loss is the squared error $\mathcal{L} = (y - t)^2$ for the target $t$.
# (The note lists the last output weight twice as $W_{2,1}$; the second one, $-1$, is
# clearly $W_{3,1}$.)

# %%
from IPython.display import Markdown, display

from autograd_lite import (
    SGD,
    Value,
    backward_steps,
    dot,
    draw_dot,
    topological_order,
    zero_grad,
)
from autograd_lite.graph.steps import backward_frames, backward_html, describe
from autograd_lite.graph.wengert import value_names
from notecheck import NoteTable

NOTE = "course note 003"

# The weights, input, target and learning rate, as the note gives them.
V_START = {(0, 1): 1.0, (0, 2): 0.0, (0, 3): -1.0,
           (1, 1): 1.0, (1, 2): 2.0, (1, 3): 0.0,
           (2, 1): 0.0, (2, 2): -2.0, (2, 3): 1.0}
W_START = {(0, 1): 1.0, (1, 1): 2.0, (2, 1): 3.0, (3, 1): -1.0}
X = (1.0, 2.0)
TARGET = 5.0
ETA = 0.1

# %% [markdown]
# ## The forward pass
#
# Every weight becomes a `Value` labelled as in the note, so the drawing can be read
# against the note's equations. A neuron's weighted sum is one `dot` node: its local
# derivatives are the inputs (with respect to the weights) and the weights (with respect
# to the inputs).

# %%
bias_input = Value(-1.0, "-1 (bias)", requires_grad=False)
x1, x2 = Value(X[0], "x1"), Value(X[1], "x2")
V = {key: Value(v, f"V{key[0]}{key[1]}") for key, v in V_START.items()}
W = {key: Value(w, f"W{key[0]}{key[1]}") for key, w in W_START.items()}

z, a = {}, {}
for j in (1, 2, 3):
    z[j] = dot([V[0, j], V[1, j], V[2, j]], [bias_input, x1, x2])
    z[j].label = f"z{j}"
    a[j] = z[j].sigmoid()
    a[j].label = f"a{j}"
y = dot([W[0, 1], W[1, 1], W[2, 1], W[3, 1]], [bias_input, a[1], a[2], a[3]])
y.label = "y"
t = Value(TARGET, "t", requires_grad=False)
loss = (y - t) ** 2
loss.label = "L"
print(f"z = {[z[j].data for j in (1, 2, 3)]}")
print(f"a = {[round(a[j].data, 6) for j in (1, 2, 3)]}")
print(f"y = {y.data:.6f},  L = {loss.data:.6f}")

# %% [markdown]
# The note rounds as it goes: it writes $a_2 \approx 0.1192$ and $a_3 \approx 0.952$, adds
# those up to get $y \approx -0.5944$, then quotes $y = -0.59$ and squares that. The table
# keeps track of which printed numbers the exact computation reproduces and which ones
# carry the note's earlier rounding.

# %%
forward = NoteTable(NOTE)
forward.agree("z1", z[1].data, "0", r"$-V_{0,1} + x_1V_{1,1} + x_2V_{2,1}$")
forward.agree("z2", z[2].data, "-2", r"$-V_{0,2} + x_1V_{1,2} + x_2V_{2,2}$")
forward.agree("z3", z[3].data, "3", r"$-V_{0,3} + x_1V_{1,3} + x_2V_{2,3}$")
forward.agree("a1", a[1].data, "0.5", r"$\sigma(z_1)$")
forward.agree("a2", a[2].data, "0.1192", r"$\sigma(z_2)$")
forward.agree("a3", a[3].data, "0.952", r"$\sigma(z_3)$", cut=True)
forward.differ("y", y.data, "-0.5944", "the note adds up the rounded a2, a3",
               r"$-W_{0,1} + \sum_j a_jW_{j,1}$")
forward.differ("L", loss.data, "31.25", "the note squares y rounded to -0.59", r"$(y-t)^2$")
forward

# %% [markdown]
# The two "differs" rows are pure rounding. Redoing the note's own arithmetic from the
# numbers it wrote down (plain floats, no engine) gives exactly what it prints:

# %%
note_y = -1 * 1.0 + 0.5 * 2.0 + 0.1192 * 3.0 + 0.952 * -1.0
note_loss = (-0.59 - TARGET) ** 2
print(f"y from the rounded activations: {note_y:.4f}   (note: -0.5944)")
print(f"L from y = -0.59:               {note_loss:.4f}  (note: 31.25)")
assert round(note_y, 4) == -0.5944
assert round(note_loss, 2) == 31.25

# %% [markdown]
# ## The compute graph
#
# Blue boxes are the weights we will update, green the inputs, orange the loss. Each box
# shows the value and, for now, a gradient of zero: nothing has flowed backwards yet.
# Grey dashed boxes are constants (the bias input $-1$ and the target $t = 5$).

# %%
weights = [*V.values(), *W.values()]
draw_dot(loss, params=weights, inputs=[x1, x2])

# %% [markdown]
# ## The backward pass, one node at a time
#
# The engine visits the nodes in reverse topological order. At each node the gradient
# $\partial\mathcal{L}/\partial\text{node}$ is complete (everything downstream has reported
# in), and the node passes it on: each parent receives *upstream gradient × local
# derivative*, and the local derivatives were already stored during the forward pass.
# The red box is the node being processed; red edges carry its contributions.

# %%
frames = backward_frames(loss, params=weights, inputs=[x1, x2], digits=4)
for frame in frames:
    display(frame)

# %% [markdown]
# The same pass on one interactive page: the graph laid out once, step 0 the forward values,
# then one node per step with the chain-rule products written out (arrow keys or the
# buttons to step, the mouse wheel or `+`/`-` to zoom, the search box to find a node).

# %%
backward_html(loss, params=weights, inputs=[x1, x2], title="Note 003, step by step")

# %% [markdown]
# The same walk as text. `v1, v2, ...` number the values in the order they were computed.
# Leaves *accumulate* gradients (that is what lets a weight used twice collect both
# contributions), so before walking the graph a second time we reset them to zero.

# %%
zero_grad([*weights, x1, x2])
names = value_names(topological_order(loss))
for step in backward_steps(loss):
    print(describe(step, names))

# %% [markdown]
# ## The output delta
#
# The note calls $\delta_o = \partial\mathcal{L}/\partial y = 2(y - t)$ the *output delta*.
# In the engine it is simply `y.grad`. The note's $-11.18$ is twice its rounded
# $y - t = -5.59$; exactly it is $-11.19$.

# %%
backward = NoteTable(NOTE)
backward.differ("delta_o", y.grad, "-11.18", "the note uses y = -0.59", r"$2(y-t)$")
assert round(2 * (-0.59 - TARGET), 2) == -11.18
assert abs(y.grad - 2 * (y.data - TARGET)) < 1e-12
backward

# %% [markdown]
# ## Updating the output weights
#
# Gradient descent moves each weight against its gradient:
# $W_{j,1} \leftarrow W_{j,1} - \eta\,\delta_o a_j$ with $a_0 = -1$ for the bias. The
# engine has $\partial\mathcal{L}/\partial W_{j,1}$ in `W[j, 1].grad`; we record the
# gradients before the optimiser changes anything.

# %%
grad_w = {key: w.grad for key, w in W.items()}
grad_v = {key: v.grad for key, v in V.items()}
delta_h = {j: z[j].grad for j in (1, 2, 3)}
SGD(weights, lr=ETA).step()

updates = NoteTable(NOTE)
updates.differ("eta delta_o a0", ETA * grad_w[0, 1], "1.118", "delta_o -11.18",
               r"$\eta\,\delta_o\,(-1)$")
updates.agree("eta delta_o a1", ETA * grad_w[1, 1], "-0.559", r"$\eta\,\delta_o a_1$")
updates.agree("eta delta_o a2", ETA * grad_w[2, 1], "-0.133", r"$\eta\,\delta_o a_2$")
updates.differ("eta delta_o a3", ETA * grad_w[3, 1], "-1.064", "delta_o -11.18, a3 0.952",
               r"$\eta\,\delta_o a_3$")
updates.differ("new W01", W[0, 1].data, "-0.118", "delta_o -11.18")
updates.agree("new W11", W[1, 1].data, "2.559")
updates.agree("new W21", W[2, 1].data, "3.133")
updates.differ("new W31", W[3, 1].data, "0.064", "delta_o -11.18, a3 0.952")
updates

# %% [markdown]
# The note's output-layer arithmetic, from its own rounded $\delta_o = -11.18$ and
# $a = (0.5, 0.119, 0.952)$, gives each printed number:

# %%
note_a = {0: -1.0, 1: 0.5, 2: 0.119, 3: 0.952}
note_w_new = {j: W_START[j, 1] - ETA * -11.18 * note_a[j] for j in range(4)}
print({f"W{j}1": round(w, 3) for j, w in note_w_new.items()})
assert [round(note_w_new[j], 3) for j in range(4)] == [-0.118, 2.559, 3.133, 0.064]

# %% [markdown]
# ## The hidden deltas, and the note's slip
#
# For the first layer the note defines the *hidden delta*
# $\delta_{h(j)} = 2(y-t)\,W_{j,1}\,a_j(1-a_j) = \partial\mathcal{L}/\partial z_j$ (with the
# output weights from *before* the update). The engine has it as `z[j].grad`.
#
# The note warns that from here on it used $-13.8$ where it should have used
# $\delta_o = -11.18$. So its hidden deltas and first-layer weights are all off by the
# factor $13.8 / 11.18 \approx 1.23$. The next cells show the size of that slip.

# %%
hidden = NoteTable(NOTE)
for j, printed in zip((1, 2, 3), ("-6.9", "-4.34", "0.63")):
    hidden.differ(f"delta_h({j})", delta_h[j], printed, "the note uses -13.8 for delta_o",
                  rf"$2(y-t)W_{{{j},1}}a_{j}(1-a_{j})$")
printed_v = {(0, 1): "0.31", (0, 2): "-0.434", (0, 3): "-0.9370",
             (1, 1): "1.69", (1, 2): "2.434", (1, 3): "-0.063",
             (2, 1): "1.38", (2, 2): "-1.132", (2, 3): "0.874"}
for (i, j), printed in printed_v.items():
    hidden.differ(f"new V{i}{j}", V[i, j].data, printed, "follows from the -13.8",
                  rf"$V_{{{i},{j}}} - \eta\,\delta_{{h({j})}}x_{i}$")
hidden

# %% [markdown]
# Four versions of the hidden layer side by side:
#
# * **note**: the numbers printed in the note;
# * **note's arithmetic with −13.8**: the note's formula on its rounded activations
#   $0.5, 0.119, 0.952$ and the wrong output delta (reproduces the printed numbers);
# * **with −11.18**: the same arithmetic after the fix the note asks for;
# * **engine**: the exact round, $\delta_o = 2(y - t)$ without any rounding.

# %%
def note_hidden_deltas(delta_o: float) -> dict[int, float]:
    """The note's delta_h(j) = delta_o W_j1 a_j (1 - a_j), on its rounded activations."""
    return {j: delta_o * W_START[j, 1] * note_a[j] * (1 - note_a[j]) for j in (1, 2, 3)}


def note_first_layer(deltas: dict[int, float]) -> dict[tuple[int, int], float]:
    """V_ij - eta delta_h(j) x_i with x_0 = -1, deltas rounded to 2 places as the note does."""
    x = {0: -1.0, 1: X[0], 2: X[1]}
    return {(i, j): V_START[i, j] - ETA * round(deltas[j], 2) * x[i] for (i, j) in V_START}


slip, fixed = note_hidden_deltas(-13.8), note_hidden_deltas(-11.18)
slip_v, fixed_v = note_first_layer(slip), note_first_layer(fixed)
rows = ["| quantity | note | note's arithmetic, −13.8 | with −11.18 | engine |",
        "|---|---|---|---|---|"]
for j, printed in zip((1, 2, 3), ("-6.9", "-4.34", "0.63")):
    rows.append(f"| δh({j}) | {printed} | {slip[j]:.4f} | {fixed[j]:.4f} | {delta_h[j]:.4f} |")
for (i, j), printed in printed_v.items():
    rows.append(f"| V{i}{j} | {printed} | {slip_v[i, j]:.4f} | {fixed_v[i, j]:.4f} "
                f"| {V[i, j].data:.4f} |")
display(Markdown("\n".join(rows)))

# %% [markdown]
# The checks behind the table: the slip explains every printed number, and once it is
# fixed the hand arithmetic lands within its own rounding (about 1.5 %) of the engine.

# %%
for j, printed in zip((1, 2, 3), ("-6.9", "-4.34", "0.63")):
    assert round(slip[j], 2) == float(printed), (j, slip[j], printed)
for key, printed in printed_v.items():
    assert round(slip_v[key], 4) == round(float(printed), 4), (key, slip_v[key], printed)
for j in (1, 2, 3):
    assert abs(fixed[j] - delta_h[j]) <= 0.015 * abs(delta_h[j]), (j, fixed[j], delta_h[j])
    # The engine's hidden delta is the note's formula with the exact activations.
    exact = y.grad * W_START[j, 1] * a[j].data * (1 - a[j].data)
    assert abs(delta_h[j] - exact) < 1e-12
for key in V_START:
    assert abs(fixed_v[key] - V[key].data) < 0.01, (key, fixed_v[key], V[key].data)
print("note's deltas / engine's:", [round(slip[j] / delta_h[j], 3) for j in (1, 2, 3)],
      f"  13.8 / |delta_o| = {13.8 / abs(y.grad):.3f}")

# %% [markdown]
# ## After the round
#
# One step of gradient descent with $\eta = 0.1$ should lower the loss on this example.
# Running the forward pass again with the updated weights:

# %%
def forward_pass() -> Value:
    hidden = [dot([V[0, j], V[1, j], V[2, j]], [-1.0, X[0], X[1]]).sigmoid() for j in (1, 2, 3)]
    out = dot([W[0, 1], W[1, 1], W[2, 1], W[3, 1]], [-1.0, *hidden])
    return (out - TARGET) ** 2


new_loss = forward_pass().data
print(f"loss before: {loss.data:.4f}, after one step: {new_loss:.4f}")
assert new_loss < loss.data
