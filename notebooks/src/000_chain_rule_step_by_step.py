# %% [markdown]
# # The chain rule, one factor at a time
#
# *From course note 000.*
#
# The note writes a one-hidden-layer network as a chain of five small functions,
#
# $$A = a(x, V) = xV,\quad B = \sigma(A),\quad C = BW,\quad P = \sigma(C),\quad
#   L = \tfrac12 (y - P)^2,$$
#
# and gets $\partial L/\partial W$ and $\partial L/\partial V$ by multiplying the
# derivative of each link: $\partial L/\partial W = \frac{\partial l}{\partial P}
# \frac{\partial p}{\partial C}\frac{\partial c}{\partial W}$, and two more factors for
# $V$. It prints every factor with NumPy. Here the same network is built from scalar
# `Value`s, and every factor the note prints is read straight off the graph: the local
# derivatives each node stored in the forward pass, and the gradients the backward pass
# left behind.

# %%
import math

import numpy as np
from IPython.display import Markdown, display

from autograd_lite import SGD, Value, dot, draw_dot, topological_order, zero_grad
from autograd_lite.graph.steps import backward_frames
from notecheck import NoteTable

NOTE = "course note 000"

# %% [markdown]
# ## What the note tells us, and what we have to fill in
#
# The note prints the input $x = (1, 0, 0)$ (as $\partial a/\partial V = x^T$), the output
# weights $W = (-0.5, 0.65, -0.41, -1.03)$ (as $\partial c/\partial B = W^T$) and the
# hidden activations $B = (0.33, 0.75, 0.27, 0.63)$ (as $\partial c/\partial W = B^T$),
# all rounded to two decimals. It never prints $V$ or the target $y$.
#
# * Since $x = (1, 0, 0)$, only the first row of $V$ reaches the hidden layer:
#   $A_j = V_{1j}$. We choose $V_{1j} = \operatorname{logit}(B_j) = \ln\frac{B_j}{1-B_j}$ so
#   that the hidden activations are the printed $B$ exactly. The other two rows are
#   multiplied by zero; we set them to zero.
# * The target must be $y = 1$: with these weights $P \approx 0.39$, and the printed
#   $\partial l/\partial P = -(y - P) = -0.61$ then needs $y \approx 1$.
#
# The note has no bias terms, and neither do we.

# %%
X = (1.0, 0.0, 0.0)
B_PRINTED = (0.33, 0.75, 0.27, 0.63)
W_PRINTED = (-0.5, 0.65, -0.41, -1.03)
Y = 1.0

x = [Value(v, f"x{i + 1}") for i, v in enumerate(X)]
V = [[Value(math.log(b / (1 - b)) if i == 0 else 0.0, f"v{i + 1}{j + 1}")
      for j, b in enumerate(B_PRINTED)] for i in range(3)]
W = [Value(w, f"w{j + 1}1") for j, w in enumerate(W_PRINTED)]

A = []
for j in range(4):
    A.append(dot([V[i][j] for i in range(3)], x))
    A[j].label = f"a{j + 1}"
B = [Aj.sigmoid() for Aj in A]
for j, Bj in enumerate(B):
    Bj.label = f"b{j + 1}"
C = dot(W, B)
C.label = "c1"
P = C.sigmoid()
P.label = "p1"
L = 0.5 * (Y - P) ** 2
L.label = "L"
print(f"B = {[round(b.data, 6) for b in B]}")
print(f"C = {C.data:.6f}, P = {P.data:.6f}, L = {L.data:.6f}")

# %% [markdown]
# ## The graph
#
# Blue: the weights $V$ and $W$; green: the input; orange: the loss.

# %%
parameters = [v for row in V for v in row] + W
draw_dot(L, params=parameters, inputs=x, grads=False)

# %% [markdown]
# ## Every factor of the chain, from the engine
#
# Each operation stored its local derivatives when it ran forward (`node.local_grads`,
# one per input). So the note's factors are there before any backward pass:
#
# * $\partial p/\partial C = \sigma(C)(1-\sigma(C))$ is `P.local_grads[0]`;
# * $C$ is one `dot` node over $(w_{11},\dots,w_{41}, b_1,\dots,b_4)$: its local
#   derivatives are $(b_1,\dots,b_4)$ for the weights — the note's $B^T$ — and
#   $(w_{11},\dots,w_{41})$ for the activations — the note's $W^T$;
# * $\partial b_j/\partial a_j$ is `B[j].local_grads[0]`, and $\partial a_j/\partial v_{ij}$
#   is $x_i$.
#
# The products, $\partial L/\partial W$ and $\partial L/\partial V$, come from
# `L.backward()`. Only $\partial l/\partial P = -(y - P)$ is itself a gradient:
# `P.grad`.

# %%
L.backward()
dLdP = P.grad
dPdC = P.local_grads[0]
dCdW = C.local_grads[:4]
dCdB = C.local_grads[4:]
dBdA = [Bj.local_grads[0] for Bj in B]
dAdV = A[0].local_grads[:3]
dLdW = [w.grad for w in W]
dLdV = [[v.grad for v in row] for row in V]

table = NoteTable(NOTE)
table.agree("dLdP", dLdP, "-0.61", r"$-(y-P)$")
table.agree("dPdC", dPdC, "0.24", r"$\sigma(C)(1-\sigma(C))$")
for j, printed in enumerate(("0.33", "0.75", "0.27", "0.63")):
    table.agree(f"dCdW[{j + 1}] (B, chosen)", dCdW[j], printed, rf"$b_{j + 1}$")
for j, printed in enumerate(("-0.048", "-0.109", "-0.039", "-0.091")):
    table.agree(f"dLdW[{j + 1}]", dLdW[j], printed, rf"$b_{j + 1}\,(\partial l/\partial P)"
                r"(\partial p/\partial C)$")
for j, printed in enumerate(("-0.5", "0.65", "-0.41", "-1.03")):
    table.agree(f"dCdB[{j + 1}] (W, given)", dCdB[j], printed, rf"$w_{{{j + 1}1}}$")
for j, printed in enumerate(("0.22", "0.19", "0.2", "0.23")):
    table.agree(f"dBdA[{j + 1}]", dBdA[j], printed, rf"$\sigma(a_{j + 1})(1-\sigma(a_{j + 1}))$")
for i, printed in enumerate(("1", "0", "0")):
    table.agree(f"dAdV[{i + 1}]", dAdV[i], printed, rf"$x_{i + 1}$")
for i, row in enumerate((("0.02", "-0.02", "0.01", "0.03"), ("0.", "0.", "0.", "0."),
                         ("0.", "0.", "0.", "0."))):
    for j, printed in enumerate(row):
        table.agree(f"dLdV[{i + 1},{j + 1}]", dLdV[i][j], printed.rstrip("."),
                    rf"$x_{i + 1}\,w_{{{j + 1}1}}\,\sigma'(a_{j + 1})\,"
                    r"(\partial l/\partial P)(\partial p/\partial C)$")
table

# %% [markdown]
# Every number the note prints is reproduced to the digits it shows. (The rows marked
# *chosen* and *given* are our inputs read back from the graph, not results.)
#
# ## The note's matrix formulas, independently
#
# The note assembles the gradients with matrix products:
# `dLdW = np.dot(dCdW, dLdP * dPdC)` and
# `dLdV = np.dot(dAdV, np.dot(dLdP * dPdC, dCdB) * dBdA)`. We evaluate those formulas with
# NumPy from the inputs alone (no engine) and compare all digits, not just the printed ones.

# %%
x_row = np.array([X])                                        # 1 x 3
V_np = np.array([[v.data for v in row] for row in V])        # 3 x 4
W_col = np.array([W_PRINTED]).T                              # 4 x 1
sigmoid = lambda t: 1 / (1 + np.exp(-t))                     # noqa: E731
A_np = x_row @ V_np
B_np = sigmoid(A_np)
C_np = B_np @ W_col
P_np = sigmoid(C_np)
dLdP_np = -(Y - P_np)
dPdC_np = sigmoid(C_np) * (1 - sigmoid(C_np))
dLdW_np = B_np.T @ (dLdP_np * dPdC_np)
dLdV_np = x_row.T @ (((dLdP_np * dPdC_np) @ W_col.T) * (sigmoid(A_np) * (1 - sigmoid(A_np))))
assert np.allclose(dLdW_np.ravel(), dLdW, rtol=0, atol=1e-14)
assert np.allclose(dLdV_np, dLdV, rtol=0, atol=1e-14)
print("largest difference, dL/dW:", np.abs(dLdW_np.ravel() - dLdW).max())
print("largest difference, dL/dV:", np.abs(dLdV_np - np.array(dLdV)).max())

# %% [markdown]
# ## "Where are we": the backward pass node by node
#
# The note marks its progress through the network with a picture after each factor. The
# engine's backward pass visits the nodes in the same order (reverse topological order);
# here is the graph at the note's five stops, with the node being processed in red.

# %%
zero_grad(parameters + x)               # leaves accumulate: start the walk from zero
frames = backward_frames(L, params=parameters, inputs=x)   # pictures only: .grad untouched
L.backward()                            # the walk the frames show, now into .grad
visited = [node for node in reversed(topological_order(L)) if node.op is not None]
stops = {"p1": "at P, dL/dP is complete; times dP/dC it moves on to C",
         "c1": "at C: times B it reaches W (dL/dW is done), times W it reaches B",
         "b1": "at b1: times dB/dA = sigmoid'(a1) it moves on to a1",
         "a1": "at a1: times dA/dV = x it reaches the first column of V"}
for frame, node in zip(frames, visited):
    if node.label in stops:
        display(Markdown(f"**Where are we:** {stops[node.label]} (node `{node.label}`)"))
        display(frame)

# %% [markdown]
# And every step, for the patient reader:

# %%
for frame in frames:
    display(frame)

# %% [markdown]
# ## Updating the weights
#
# The note finishes with $W \leftarrow W - \partial L/\partial W$ and
# $V \leftarrow V - \partial L/\partial V$: gradient descent with learning rate 1. The
# loss on this example should go down.

# %%
assert all(abs(v.grad - g) < 1e-15 for v, g in zip(W, dLdW))  # the walk gave the same grads
SGD(parameters, lr=1.0).step()
new_B = [dot([V[i][j] for i in range(3)], X).sigmoid() for j in range(4)]
new_L = 0.5 * (Y - dot(W, new_B).sigmoid()) ** 2
print(f"loss before {L.data:.6f}, after one step {new_L.data:.6f}")
assert new_L.data < L.data
