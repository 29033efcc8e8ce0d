# %% [markdown]
# # The loss gradient, layer by layer
#
# *From course note 001.*
#
# The note looks at a network as a stack of layers, $y_{(l)} = a_{(l)}(f_{(l)}(y_{(l-1)},
# W_{(l)}))$, with the input as layer 0 and the loss appended as one more layer,
# $y_{(L+1)} = \mathcal{L}$. Its central object is the **loss gradient**
#
# $$\mathcal{L}'_{(l)} = \frac{\partial\mathcal{L}}{\partial y_{(l)}},$$
#
# which starts at $\mathcal{L}'_{(L+1)} = 1$ and is pushed backwards one layer at a time
# by the chain rule, $\mathcal{L}'_{(l-1)} = \mathcal{L}'_{(l)}\,
# \partial y_{(l)}/\partial y_{(l-1)}$. Each layer's **local gradients**
# ($\partial y_{(l)}/\partial y_{(l-1)}$ and $\partial y_{(l)}/\partial W_{(l)}$) depend only
# on that layer's inputs, so they can be worked out during the forward pass; the weight
# gradient is then $\partial\mathcal{L}/\partial W_{(l)} = \mathcal{L}'_{(l)}\,
# \partial y_{(l)}/\partial W_{(l)}$.
#
# The note has no numbers, so this notebook checks the *statements*: on a small network
# the engine's gradients must satisfy each equation, against closed forms computed
# separately with NumPy and against finite differences.

# %%
import copy

import numpy as np
from IPython.display import Markdown, display

from autograd_lite import MLP, Value, central_difference, draw_dot
from autograd_lite.nn.losses import half_squared_error

NOTE = "course note 001"

# %% [markdown]
# ## A small network
#
# Three inputs, two hidden layers of tanh units (4 and 3 wide) and a linear head with two
# outputs; the loss layer is $\mathcal{L} = \sum_k \tfrac12 (y_k - t_k)^2$. That is
# $L = 3$ layers with weights, plus the loss as layer 4. Biases are folded into the
# weights as in the note (our layers keep them as a separate vector `b`; it changes
# nothing below).

# %%
net = MLP(3, [4, 3, 2], activation="tanh", output_activation="linear", seed=7)
x_values = (0.5, -1.0, 2.0)
target = (1.0, -1.0)

x = [Value(v, f"x{i + 1}") for i, v in enumerate(x_values)]
traces = net.layer_values(x)                     # each layer's pre-activations z and outputs a
layer_outputs = [x, *(t.a for t in traces)]
loss = half_squared_error(layer_outputs[-1][0], target[0]) + \
    half_squared_error(layer_outputs[-1][1], target[1])
loss.label = "L"
L = len(net.layers)
print(f"{L} layers with weights, sizes {net.sizes}; loss = {loss.data:.6f}")

# %% [markdown]
# Drawn one box per neuron (`collapse=True`) the graph is the note's layer picture: input
# on the left, then the layers, then the loss.

# %%
draw_dot(loss, collapse=True, inputs=x, grads=False)

# %% [markdown]
# ## Local gradients exist before the backward pass
#
# The engine stores every operation's local derivatives while computing forward. For a
# tanh layer the local gradient with respect to its input is
# $\partial y_{(l)}/\partial y_{(l-1)} = \operatorname{diag}(1 - y_{(l)}^2)\,W_{(l)}$. We
# assemble it from the stored numbers, *before* calling `backward`, and compare with the
# closed form in NumPy.

# %%
def weights_of(layer) -> np.ndarray:
    return np.array([[w.data for w in n.weight] for n in layer.neurons])


def stored_jacobian(k: int) -> np.ndarray:
    """dy_(k)/dy_(k-1) from the graph's stored local derivatives (k = 1..L)."""
    rows = []
    for z, a in zip(traces[k - 1].z, traces[k - 1].a):
        activation_slope = a.local_grads[0] if a is not z else 1.0   # linear head: a = z
        n_in = len(layer_outputs[k - 1])
        # z = dot([w_1..w_n, b], [y_1..y_n, 1]): local derivatives (y.., 1, w.., b)
        dz_dinputs = z.local_grads[n_in + 1: 2 * n_in + 1]
        rows.append([activation_slope * d for d in dz_dinputs])
    return np.array(rows)


assert all(v.grad == 0.0 for layer in layer_outputs for v in layer)  # nothing flowed yet
for k, layer in enumerate(net.layers, start=1):
    y_k = np.array([v.data for v in layer_outputs[k]])
    slope = 1 - y_k**2 if layer.activation == "tanh" else np.ones_like(y_k)
    closed_form = slope[:, None] * weights_of(layer)
    assert np.allclose(stored_jacobian(k), closed_form, rtol=0, atol=1e-15)
    print(f"layer {k} ({layer.activation}): dy_({k})/dy_({k - 1}) is {closed_form.shape}, "
          "matches the closed form")

# %% [markdown]
# ## The backward pass: $\mathcal{L}'_{(l)}$ from the loss down to the input
#
# After `loss.backward()`, every intermediate value holds $\partial\mathcal{L}/\partial$
# itself in `.grad`. So $\mathcal{L}'_{(l)}$ is just the `.grad` of layer $l$'s outputs,
# and the note's starting value $\mathcal{L}'_{(L+1)} = 1$ is the loss's own `.grad`.

# %%
loss.backward()
loss_gradient = {l: np.array([v.grad for v in layer_outputs[l]]) for l in range(L + 1)}
loss_gradient[L + 1] = np.array([loss.grad])
assert loss.grad == 1.0                      # the note: L'_(L+1) = dL/dL = 1
for l in range(L + 1, -1, -1):
    print(f"L'_({l}) = {np.array2string(loss_gradient[l], precision=5)}")

# %% [markdown]
# Now the recursion $\mathcal{L}'_{(l-1)} = \mathcal{L}'_{(l)}\,\partial y_{(l)}/\partial
# y_{(l-1)}$, with the local gradients written in closed form (the loss layer's local
# gradient is $\partial\mathcal{L}/\partial y_{(L)} = y_{(L)} - t$).

# %%
rows = ["| step | largest difference from the engine's $\\mathcal{L}'_{(l-1)}$ |", "|---|---|"]
y_head = np.array([v.data for v in layer_outputs[L]])
chained = loss_gradient[L + 1] * (y_head - np.array(target))      # layer L+1 -> L
assert np.allclose(chained, loss_gradient[L], rtol=0, atol=1e-14)
rows.append(f"| L'_({L + 1}) -> L'_({L}) | {np.abs(chained - loss_gradient[L]).max():.1e} |")
for k in range(L, 0, -1):
    layer = net.layers[k - 1]
    y_k = np.array([v.data for v in layer_outputs[k]])
    slope = 1 - y_k**2 if layer.activation == "tanh" else np.ones_like(y_k)
    chained = loss_gradient[k] @ (slope[:, None] * weights_of(layer))
    assert np.allclose(chained, loss_gradient[k - 1], rtol=0, atol=1e-14)
    rows.append(f"| L'_({k}) -> L'_({k - 1}) | "
                f"{np.abs(chained - loss_gradient[k - 1]).max():.1e} |")
display(Markdown("\n".join(rows)))

# %% [markdown]
# ## Weight gradients
#
# $\partial\mathcal{L}/\partial W_{(l)} = \mathcal{L}'_{(l)}\,\partial y_{(l)}/\partial
# W_{(l)}$. For a dense layer $y = g(Wy_{(l-1)} + b)$ this is the outer product
# $\big(\mathcal{L}'_{(l)} \odot g'(z)\big)\,y_{(l-1)}^T$. We check it against the engine,
# and one weight per layer against a central difference of the loss (no derivatives at all).

# %%
def loss_with(k: int, row: int, col: int, w_value: float) -> float:
    """The loss of a copy of the network with one weight of layer k replaced (for the
    finite difference: assigning a weight of `net` itself would leave the graph above
    recorded from its old number, which every reader then refuses)."""
    other = copy.deepcopy(net)
    other.layers[k - 1].neurons[row].weight[col].data = w_value
    out = other(list(x_values))
    return sum(0.5 * (o.data - t) ** 2 for o, t in zip(out, target))


for k, layer in enumerate(net.layers, start=1):
    y_k = np.array([v.data for v in layer_outputs[k]])
    slope = 1 - y_k**2 if layer.activation == "tanh" else np.ones_like(y_k)
    y_prev = np.array([v.data for v in layer_outputs[k - 1]])
    closed_form = np.outer(loss_gradient[k] * slope, y_prev)
    engine = np.array([[w.grad for w in n.weight] for n in layer.neurons])
    assert np.allclose(engine, closed_form, rtol=0, atol=1e-14)
    w = layer.neurons[0].weight[0]
    numeric = central_difference(lambda v, k=k: loss_with(k, 0, 0, v.data), [w.data], 0)
    assert abs(numeric - w.grad) < 1e-6, (k, numeric, w.grad)
    print(f"layer {k}: dL/dW matches the outer product; dL/dW[0][0] = {w.grad:+.8f}, "
          f"central difference {numeric:+.8f}")

# %% [markdown]
# ## The two passes, drawn
#
# The note contrasts information flowing *forward* (input to loss) with the loss gradient
# flowing *backward* (loss to weights). Highlighting one layer at a time in the collapsed
# graph shows the order of the backward pass: the loss first, the first layer last.

# %%
for l in range(L + 1, 0, -1):
    nodes = [loss] if l == L + 1 else layer_outputs[l]
    name = "the loss layer" if l == L + 1 else f"layer {l}"
    display(Markdown(f"**Backward, at {name}:** "
                     f"L'_({l}) = {np.array2string(loss_gradient[l], precision=4)}"))
    display(draw_dot(loss, collapse=True, inputs=x, highlight=nodes))
