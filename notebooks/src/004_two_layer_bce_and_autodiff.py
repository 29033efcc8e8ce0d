# %% [markdown]
# # A two-layer classifier: gradients by hand, then by automatic differentiation
#
# *From course note 004.*
#
# The note derives, in matrix form, every gradient of a small network: three inputs, two
# sigmoid neurons in layer 1, three sigmoid outputs in layer 2, and the binary
# cross-entropy averaged over a batch of $N$ examples (multi-label classification). With
# $A^{[0]} = X$, $Z^{[l]} = A^{[l-1]}W^{[l]T} + \mathbf 1 b^{[l]T}$ and
# $A^{[l]} = \sigma(Z^{[l]})$, it arrives at
#
# $$\partial_{Z^{[2]}} = A^{[2]} - Y,\qquad
#   \frac{\partial\mathcal L}{\partial W^{[2]}} = \tfrac1N\,\partial_{Z^{[2]}}^T A^{[1]},\qquad
#   \frac{\partial\mathcal L}{\partial b^{[2]}} = \operatorname{mean}_0\,\partial_{Z^{[2]}},$$
#
# $$\partial_{Z^{[1]}} = \partial_{Z^{[2]}}W^{[2]} \odot A^{[1]}\odot(1 - A^{[1]}),\qquad
#   \frac{\partial\mathcal L}{\partial W^{[1]}} = \tfrac1N\,\partial_{Z^{[1]}}^T A^{[0]},\qquad
#   \frac{\partial\mathcal L}{\partial b^{[1]}} = \operatorname{mean}_0\,\partial_{Z^{[1]}}.$$
#
# Then it says: let's not do that by hand again, and hands the job to automatic
# differentiation — build the compute graph, sort it topologically, push gradients back.
# This notebook does both and checks they agree. The note prints no numbers, so random
# weights and a random batch (seeded) stand in for its example.

# %%
import math

import numpy as np
from IPython.display import Markdown, display

from autograd_lite import (
    MLP,
    Value,
    add_n,
    draw_dot,
    grad,
    gradcheck,
    gradgradcheck,
    jvp,
    primitive,
    topological_order,
)
from autograd_lite import math as am
from autograd_lite.graph.steps import backward_frames
from autograd_lite.graph.wengert import BAR, wengert_list
from autograd_lite.nn.losses import binary_cross_entropy

NOTE = "course note 004"
rng = np.random.default_rng(4)
N = 5
X = rng.normal(size=(N, 3))
Y = (rng.random(size=(N, 3)) < 0.5).astype(float)     # three independent 0/1 labels
W1, b1 = rng.uniform(-1, 1, size=(2, 3)), rng.uniform(-1, 1, size=2)
W2, b2 = rng.uniform(-1, 1, size=(3, 2)), rng.uniform(-1, 1, size=3)

# %% [markdown]
# ## The note's formulas, in NumPy

# %%
def sigmoid(t):
    return 1 / (1 + np.exp(-t))


A0 = X
A1 = sigmoid(A0 @ W1.T + b1)
A2 = sigmoid(A1 @ W2.T + b2)
bce = -(Y * np.log(A2) + (1 - Y) * np.log(1 - A2))
loss_np = bce.sum(axis=1).mean()                 # summed over the outputs, mean over N
dZ2 = A2 - Y
dW2, db2 = dZ2.T @ A1 / N, dZ2.mean(axis=0)
dZ1 = (dZ2 @ W2) * A1 * (1 - A1)
dW1, db1 = dZ1.T @ A0 / N, dZ1.mean(axis=0)
print(f"loss {loss_np:.6f}; shapes: dW1 {dW1.shape}, db1 {db1.shape}, dW2 {dW2.shape}, "
      f"db2 {db2.shape}")

# %% [markdown]
# ## The same network on the engine
#
# `MLP.from_weights` takes weight matrices in the note's layout, $W^{[l]}$ with shape
# $n_l \times n_{l-1}$ (also PyTorch's). The batch loss is one scalar `Value`; one call to
# `backward` fills in the gradient of all 17 parameters.

# %%
net = MLP.from_weights([W1.tolist(), W2.tolist()], [b1.tolist(), b2.tolist()],
                       activation="sigmoid", output_activation="sigmoid")
pre_activations, terms = [], []
for x_row, y_row in zip(X, Y):
    layer1, layer2 = net.layer_values(x_row.tolist())
    pre_activations.append(layer2.z)
    terms += [binary_cross_entropy(a, t) for a, t in zip(layer2.a, y_row)]
loss = add_n(terms) * (1 / N)
loss.label = "L"
loss.backward()
assert abs(loss.data - loss_np) < 1e-12

engine = {
    "dW1": np.array([[w.grad for w in n.weight] for n in net.layers[0].neurons]),
    "db1": np.array([n.bias.grad for n in net.layers[0].neurons]),
    "dW2": np.array([[w.grad for w in n.weight] for n in net.layers[1].neurons]),
    "db2": np.array([n.bias.grad for n in net.layers[1].neurons]),
}
closed = {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
rows = ["| gradient | shape | largest \\|engine − note's formula\\| |", "|---|---|---|"]
for name in closed:
    difference = np.abs(engine[name] - closed[name]).max()
    assert difference < 1e-12, (name, difference)
    rows.append(f"| {name} | {closed[name].shape} | {difference:.1e} |")
display(Markdown("\n".join(rows)))

# %% [markdown]
# ## The shortcut $\partial_{Z^{[2]}} = A^{[2]} - Y$
#
# The note multiplies $\partial\mathcal L/\partial A^{[2]} = \frac{1-Y}{1-A^{[2]}} -
# \frac{Y}{A^{[2]}}$ by $\sigma'(Z^{[2]}) = A^{[2]}(1-A^{[2]})$ and watches almost
# everything cancel. The engine never simplifies anything — it multiplies the two local
# derivatives numerically — yet the gradient it leaves on each output pre-activation is
# exactly $(A^{[2]} - Y)/N$ (the $1/N$ is the batch mean, which the note moves into the
# weight formulas).

# %%
engine_dZ2 = np.array([[z.grad for z in row] for row in pre_activations]) * N
print(np.array2string(engine_dZ2, precision=4))
assert np.allclose(engine_dZ2, A2 - Y, rtol=0, atol=1e-12)

# %% [markdown]
# (Two small slips in the note's derivation of the hidden layer — it writes
# $\frac{\partial}{Z^{[1]}}$ without the $\partial$, and an unbalanced parenthesis in
# $\sigma(Z^{[1]})\cdot(1-\sigma(Z^{[1]})$ — do not change the result: the formula it ends
# with, $\partial_{Z^{[1]}} = \partial_{Z^{[2]}}W^{[2]}\odot A^{[1]}\odot(1-A^{[1]})$, is the
# one checked above.)
#
# ## What automatic differentiation does
#
# The note's three steps, on one example so that the pictures stay readable:
#
# 1. **Build the compute graph** while computing forward (each operation records its inputs
#    and its local derivatives);
# 2. **sort it topologically** (every node after the nodes it depends on);
# 3. **walk it backwards**, passing each node's gradient to its inputs.

# %%
one_net = MLP.from_weights([W1.tolist(), W2.tolist()], [b1.tolist(), b2.tolist()],
                           activation="sigmoid", output_activation="sigmoid")
x_one = [Value(v, f"x{i + 1}", requires_grad=False) for i, v in enumerate(X[0])]
outputs = one_net(x_one)
one_loss = add_n([binary_cross_entropy(a, t) for a, t in zip(outputs, Y[0])])
one_loss.label = "L"
order = topological_order(one_loss)
operations = [node for node in order if node.op is not None]
print(f"{len(order)} values, {len(operations)} of them computed by an operation")
print("topological order (operations only):",
      ", ".join(node.label or node.op.name for node in operations))

# %%
params = one_net.parameters()
draw_dot(one_loss, params=params, grads=False)

# %% [markdown]
# The **Wengert list** of this graph: the forward pass as one assignment per operation,
# then the adjoint (gradient) of every value, accumulated one edge at a time in reverse.
# `trace` reads the graph only; it does not touch `.grad`.

# %%
wengert = wengert_list(one_loss)
display(Markdown(wengert.to_markdown()))

# %% [markdown]
# Step 3 in pictures: the first few steps of the backward pass (red: the node passing its
# gradient on), and the last one, which reaches the first layer's weights.

# %%
frames = backward_frames(one_loss, params=params)  # pictures only: .grad untouched
for frame in [*frames[:4], frames[-1]]:
    display(frame)
one_loss.backward()  # the pass the frames show, now into .grad
# The Wengert list's final adjoints are the gradients the backward pass left on the weights.
name_of = {row.text: row.name for row in wengert.forward[:wengert.leaves]}   # label -> v₋ₖ
adjoints = {row.target: row.total for row in wengert.adjoint}    # last row per value wins
for p in params:
    name = name_of[p.label]
    assert abs(adjoints[name[0] + BAR + name[1:]] - p.grad) < 1e-12, p.label

# %% [markdown]
# ## Why backwards?
#
# The note asks why we work from the loss back to the first layer. One answer in numbers:
# a backward pass gives the derivative with respect to *every* parameter at once. Forward
# mode (dual numbers, also mentioned in the note) carries one direction per pass, so it
# needs a pass per parameter. Both must agree.

# %%
flat = [*W1.ravel(), *b1, *W2.ravel(), *b2]


def batch_loss(*theta):
    """The note's batch loss as a function of the 17 parameters (works on Values or Duals)."""
    w1 = [theta[0:3], theta[3:6]]
    c1 = theta[6:8]
    w2 = [theta[8:10], theta[10:12], theta[12:14]]
    c2 = theta[14:17]
    total = 0.0
    for x_row, y_row in zip(X.tolist(), Y.tolist()):
        hidden = [(sum(w * x for w, x in zip(row, x_row)) + c).sigmoid()
                  for row, c in zip(w1, c1)]
        out = [(sum(w * h for w, h in zip(row, hidden)) + c).sigmoid()
               for row, c in zip(w2, c2)]
        for p, t in zip(out, y_row):
            total = total - (t * p.log() + (1 - t) * (1 - p).log())
    return total * (1 / N)


forward_mode = []
for i in range(len(flat)):
    direction = [1.0 if k == i else 0.0 for k in range(len(flat))]
    _, derivative = jvp(batch_loss, flat, direction)     # one forward pass per parameter
    forward_mode.append(derivative)
reverse_mode = [*engine["dW1"].ravel(), *engine["db1"], *engine["dW2"].ravel(), *engine["db2"]]
print(f"forward mode: {len(flat)} passes; reverse mode: 1 backward pass")
print("largest difference:", max(abs(f - r) for f, r in zip(forward_mode, reverse_mode)))
assert all(abs(f - r) < 1e-12 for f, r in zip(forward_mode, reverse_mode))

# %% [markdown]
# ## A primitive of your own
#
# `sigmoid` and `log` above are *primitives*: each is declared once, with its value and its
# local derivative, and every mode (backward, forward mode, derivatives of derivatives, the
# compiled tape) derives from that one declaration. `autograd_lite.primitive` declares new
# ones the same way. The loss term of a target 1, `-log(sigmoid(z))`, is `softplus(-z)`
# with `softplus(x) = log(1 + e^x)`, whose derivative is `sigmoid(x)`: one node instead of
# three, and no rounding to 0 for large `z`.

# %%
softplus = primitive("my_softplus",
                     lambda x: math.log1p(math.exp(-abs(x))) + max(x, 0.0),
                     lambda out, x: (1 / (1 + am.exp(-x)),))

z = Value(0.8, "z")
composed = -(z.sigmoid().log())
fused = softplus(-z)
d_composed, d_fused = grad(composed, z), grad(fused, z)
print(f"value:      {composed.data:.12f} (three nodes)  {fused.data:.12f} (one node)")
print(f"d / dz:     {d_composed:.12f}                {d_fused:.12f}")
assert abs(composed.data - fused.data) < 1e-12 and abs(d_composed - d_fused) < 1e-12
assert gradcheck(softplus, [0.8]) and gradgradcheck(softplus, [-3.0])
far = Value(40.0)
print("z = 40:  -log(sigmoid(z)) =", (-(far.sigmoid().log())).data,
      "  softplus(-z) =", softplus(-far).data)  # sigmoid(40) rounds to 1.0: the term is lost
assert softplus(-far).data > 0.0
