"""Course note 003: one round of backpropagation in a 2-3-1 regression network.

Inputs x = (1, 2) and a bias input fixed at -1; three sigmoid hidden neurons with weights
V[i][j] (input i -> hidden neuron j, i = 0 the bias); one linear output with weights W[j]
(j = 0 the bias); target t = 5; loss L = (y - t)^2; one SGD step with eta = 0.1.
"""
from autograd_lite import Value, backward_html, draw_dot

inputs = [-1.0, 1.0, 2.0]                     # the bias input -1, then x1, x2
t, eta = 5.0, 0.1
V_note = {(0, 1): 1.0, (0, 2): 0.0, (0, 3): -1.0,
          (1, 1): 1.0, (1, 2): 2.0, (1, 3): 0.0,
          (2, 1): 0.0, (2, 2): -2.0, (2, 3): 1.0}
W_note = {0: 1.0, 1: 2.0, 2: 3.0, 3: -1.0}
V = {ij: Value(v, f"V{ij[0]}{ij[1]}") for ij, v in V_note.items()}
W = {j: Value(w, f"W{j}1") for j, w in W_note.items()}

a = {}
for j in (1, 2, 3):
    z = V[0, j] * inputs[0] + V[1, j] * inputs[1] + V[2, j] * inputs[2]
    a[j] = z.sigmoid()
    a[j].label = f"a{j}"
y = W[0] * inputs[0] + W[1] * a[1] + W[2] * a[2] + W[3] * a[3]
y.label = "y"
L = (y - t) ** 2
L.label = "L"
L.backward()

print(f"a = ({a[1].data:.4f}, {a[2].data:.4f}, {a[3].data:.4f})   y = {y.data:.5f}")
print(f"L = {L.data:.4f}   delta_o = 2 (y - t) = {2 * (y.data - t):.4f}")
for j, w in W.items():
    print(f"dL/dW{j}1 = {w.grad:+.4f}   W{j}1 <- {w.data - eta * w.grad:+.4f}")
for (i, j), v in V.items():
    print(f"dL/dV{i}{j} = {v.grad:+.4f}   V{i}{j} <- {v.data - eta * v.grad:+.4f}")

params = [*V.values(), *W.values()]
draw_dot(L, params=params)
backward_html(L, title="Note 003: the backward pass of L = (y - 5)^2", params=params)
