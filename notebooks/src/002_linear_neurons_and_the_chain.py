# %% [markdown]
# # Linear neurons, activations and the chain of gradients
#
# *From course note 002.*
#
# The note splits one layer into three steps — weighted input $z = wx + b$, activation
# $a = g(z)$, cost $C = \tfrac12(y - a)^2$ — and multiplies their derivatives:
#
# $$\frac{\partial C}{\partial w} = \frac{\partial C}{\partial a}\frac{\partial a}{\partial z}
#   \frac{\partial z}{\partial w} = x\,g'(z)\,(a - y),\qquad
#   \frac{\partial C}{\partial b} = g'(z)\,(a - y).$$
#
# It then stacks layers, trains on house prices with full-batch gradient descent, and
# writes the general chain for layer $K$ of $N$. Here we check each formula against the
# engine, show one place where the note's signs go wrong, and train the note's linear
# networks on a real data set. (The note's Boston housing data left scikit-learn in
# version 1.2; we use the diabetes data shipped with `autograd_lite`, see
# `autograd_lite/data/README.md`.)

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown, display

from autograd_lite import MLP, SGD, Value
from autograd_lite.examples.note_002 import batch_cost, load_diabetes, standardise
from autograd_lite.nn import Progress

NOTE = "course note 002"

# %% [markdown]
# ## The three activations and their derivatives
#
# The note gives $g'(z)$ for the linear, ReLU and sigmoid activations (with
# $\operatorname{relu}'(z) = 0$ for $z \le 0$). Each engine operation stores its local
# derivative when it runs, so we can read $g'(z)$ off the graph and compare.

# %%
def note_derivative(name: str, z: float) -> float:
    """g'(z) as the note writes it."""
    if name == "linear":
        return 1.0
    if name == "relu":
        return 1.0 if z > 0 else 0.0
    s = 1 / (1 + math.exp(-z))
    return s * (1 - s)


rows = ["| z | linear' | relu' | sigmoid' |", "|---|---|---|---|"]
for z_value in (-2.0, -0.5, 0.0, 0.5, 3.0):
    z = Value(z_value)
    engine = {"linear": 1.0,                     # a = z: no node, derivative 1
              "relu": z.relu().local_grads[0],
              "sigmoid": z.sigmoid().local_grads[0]}
    for name, value in engine.items():
        assert abs(value - note_derivative(name, z_value)) < 1e-15, (name, z_value)
    rows.append(f"| {z_value:g} | {engine['linear']:g} | {engine['relu']:g} | "
                f"{engine['sigmoid']:.6f} |")
display(Markdown("\n".join(rows)))

# %% [markdown]
# ## One neuron: $\partial C/\partial w = x\,g'(z)\,(a-y)$
#
# A neuron with three inputs, each activation in turn. The engine's gradient must equal
# the note's product of three factors.

# %%
x_in, y_target = [0.8, -1.5, 2.0], 0.3
w_start, b_start = [0.4, 0.1, -0.3], 0.6
for name in ("linear", "relu", "sigmoid"):
    w = [Value(v, f"w{i + 1}") for i, v in enumerate(w_start)]
    b = Value(b_start, "b")
    z = sum((wi * xi for wi, xi in zip(w, x_in)), b)
    a = z if name == "linear" else getattr(z, name)()
    cost = 0.5 * (y_target - a) ** 2
    cost.backward()
    g_prime = note_derivative(name, z.data)
    for wi, xi in zip(w, x_in):
        assert abs(wi.grad - xi * g_prime * (a.data - y_target)) < 1e-15
    assert abs(b.grad - g_prime * (a.data - y_target)) < 1e-15
    print(f"{name:8} z = {z.data:+.3f}  a = {a.data:+.4f}  dC/dw = "
          f"{[round(wi.grad, 5) for wi in w]}  dC/db = {b.grad:+.5f}")

# %% [markdown]
# ## Two layers, and a sign slip
#
# For two linear layers the note first writes the chain correctly,
# $\frac{\partial C}{\partial w^{L1}} = \frac{\partial C}{\partial a^{L2}}
# \frac{\partial a^{L2}}{\partial z^{L2}}\frac{\partial z^{L2}}{\partial a^{L1}}
# \frac{\partial a^{L1}}{\partial z^{L1}}\frac{\partial z^{L1}}{\partial w^{L1}}$, and
# earlier it had $\partial C/\partial a = a - y$. But when it substitutes ("Putting it all
# together") it writes $(Y - a^{L2})$ in every line:
#
# $$\frac{\partial C}{\partial w^{L1}} = (Y - a^{L2})\,w^{L2}\,x \quad\text{(note)},\qquad
#   \frac{\partial C}{\partial w^{L1}} = (a^{L2} - Y)\,w^{L2}\,x \quad\text{(correct)}.$$
#
# With $C = \tfrac12(Y - a)^2$, $\partial C/\partial a = a - Y$. The note's version has
# the opposite sign: following it would climb the cost instead of descending it. (Its
# code, `get_dC_da(a, y) = a - y`, uses the right sign.)

# %%
x, Y = 1.5, 2.0
w1, b1, w2, b2 = Value(0.7, "w_L1"), Value(0.1, "b_L1"), Value(-1.2, "w_L2"), Value(0.4, "b_L2")
a1 = w1 * x + b1
a2 = w2 * a1 + b2
cost = 0.5 * (Y - a2) ** 2
cost.backward()

as_printed = {"w_L1": (Y - a2.data) * w2.data * x, "b_L1": (Y - a2.data) * w2.data,
              "w_L2": (Y - a2.data) * a1.data, "b_L2": (Y - a2.data)}
corrected = {name: -value for name, value in as_printed.items()}   # (a - Y) instead of (Y - a)
engine = {"w_L1": w1.grad, "b_L1": b1.grad, "w_L2": w2.grad, "b_L2": b2.grad}
rows = ["| gradient | note's formula, (Y − a) | with (a − Y) | engine |", "|---|---|---|---|"]
for name in engine:
    rows.append(f"| dC/d{name} | {as_printed[name]:+.4f} | {corrected[name]:+.4f} | "
                f"{engine[name]:+.4f} |")
    assert abs(engine[name] - corrected[name]) < 1e-14
    assert abs(engine[name] - as_printed[name]) > 1e-3      # the slip is a real difference
display(Markdown("\n".join(rows)))

# %% [markdown]
# A step along the note's printed gradients makes the cost *larger*; a step along the
# engine's makes it smaller:

# %%
def cost_after_step(gradients: dict[str, float], lr: float = 0.05) -> float:
    p = {name: v.data - lr * gradients[name] for name, v in
         {"w_L1": w1, "b_L1": b1, "w_L2": w2, "b_L2": b2}.items()}
    a = p["w_L2"] * (p["w_L1"] * x + p["b_L1"]) + p["b_L2"]
    return 0.5 * (Y - a) ** 2


print(f"cost now {cost.data:.4f}; after a step with the note's signs "
      f"{cost_after_step(as_printed):.4f}; with the engine's {cost_after_step(engine):.4f}")
assert cost_after_step(as_printed) > cost.data > cost_after_step(engine)

# %% [markdown]
# ## The general chain for layer $K$
#
# For $N$ layers the note multiplies $\frac{\partial z^K}{\partial w^K}\frac{\partial a^K}
# {\partial z^K}$, then $\frac{\partial z^l}{\partial a^{l-1}}\frac{\partial a^l}{\partial
# z^l}$ for every later layer, then $\frac{\partial C}{\partial a^N}$. On a chain of single
# sigmoid neurons ($N = 4$) every factor is a number; the product must match the engine
# for each $K$.

# %%
weights = [0.9, -1.4, 0.6, 1.1]
biases = [0.1, 0.0, -0.2, 0.3]
x0, target = 0.5, 0.2
w = [Value(v, f"w{k + 1}") for k, v in enumerate(weights)]
a_values, z_values = [x0], []
a_k = Value(x0)
for k in range(4):
    z_k = w[k] * a_k + biases[k]
    a_k = z_k.sigmoid()
    z_values.append(z_k.data)
    a_values.append(a_k.data)
cost = 0.5 * (target - a_k) ** 2
cost.backward()

sig_prime = [a * (1 - a) for a in a_values[1:]]
for K in range(4):
    product = a_values[K] * sig_prime[K]                       # dz^K/dw^K * da^K/dz^K
    for layer in range(K + 1, 4):
        product *= weights[layer] * sig_prime[layer]          # dz^l/da^(l-1) * da^l/dz^l
    product *= a_values[-1] - target                          # dC/da^N
    assert abs(product - w[K].grad) < 1e-15, (K, product, w[K].grad)
    print(f"K = {K + 1}: product of the note's factors {product:+.8f}, engine {w[K].grad:+.8f}")

# %% [markdown]
# ## Training the note's networks on real data
#
# The note trains one linear neuron, then a 13-5-3-1 network of linear layers, with
# full-batch gradient descent on the mean of $\tfrac12(y - a)^2$. Its printed costs come
# from random initial weights and a data set we cannot load any more, so they cannot be
# reproduced digit by digit; what we can check is the claim "it learns" against the best
# any linear model can do — ordinary least squares, solved in closed form with NumPy.
#
# The note feeds raw features, which is why it needs a learning rate of $8\cdot10^{-7}$.
# We standardise the ten diabetes features and the target (z-scores) instead, so rates of
# 0.1 to 0.2 work.

# %%
data, target_std = standardise(load_diabetes())
X_np, y_np = np.array(data.x), np.array(data.y)
design = np.c_[X_np, np.ones(len(X_np))]
beta, *_ = np.linalg.lstsq(design, y_np, rcond=None)
best_cost = 0.5 * np.mean((design @ beta - y_np) ** 2)
print(f"{len(y_np)} rows, features {data.features}")
print(f"least-squares optimum of the cost: {best_cost:.5f}")


def train(sizes: list[int], epochs: int, lr: float) -> list[float]:
    net = MLP(len(data.features), sizes, activation="linear", seed=0)
    optimiser = SGD(net.parameters(), lr=lr)
    costs = []
    progress = Progress(epochs, every=20, desc=f"linear {'-'.join(map(str, [10, *sizes]))}")
    for _ in progress:
        c = batch_cost(net, data.x, data.y)
        costs.append(c.data)
        optimiser.zero_grad()
        c.backward()
        optimiser.step()
        progress.show(cost=c.data)
    costs.append(batch_cost(net, data.x, data.y).data)
    return costs


one_neuron = train([1], epochs=100, lr=0.1)
stacked = train([5, 3, 1], epochs=60, lr=0.2)

# %%
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(one_neuron, label="one linear neuron")
ax.plot(stacked, label="linear 10-5-3-1")
ax.axhline(best_cost, color="grey", linestyle="--", label="least squares")
ax.set_xlabel("epoch (full batch)")
ax.set_ylabel("mean ½(y − a)², standardised")
ax.set_yscale("log")
ax.legend()
plt.show()

# %%
print(f"one neuron: {one_neuron[0]:.4f} -> {one_neuron[-1]:.5f}; stacked: {stacked[0]:.4f} "
      f"-> {stacked[-1]:.5f}; optimum {best_cost:.5f}")
assert one_neuron[-1] < 1.02 * best_cost        # gradient descent reaches least squares
assert stacked[-1] < 1.05 * best_cost
assert min(stacked) >= best_cost - 1e-9         # stacked linear layers are still linear

# %% [markdown]
# The stacked network never beats the single neuron's optimum: a product of linear layers
# is one linear map, so extra linear layers add parameters but no power. That is why the
# note's activations matter.
#
# ## One more slip: comparing the wrong rows
#
# The note's `find_avg_cost` pairs the predictions for ten houses starting at a random
# row with `house_prices` from row 0 (`zip(house_prices, test_a)`), so its reported
# "cost" compares predictions with other houses' prices. With the least-squares model on
# our data:

# %%
start = 200
predictions = design[start:start + 10] @ beta
right = 0.5 * np.mean((y_np[start:start + 10] - predictions) ** 2)
as_in_note = 0.5 * np.mean((y_np[:10] - predictions) ** 2)
print(f"cost on rows {start}..{start + 9}: {right:.4f}; the note's pairing gives {as_in_note:.4f}")
assert abs(right - as_in_note) > 0.1
