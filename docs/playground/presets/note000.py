"""Course note 000: the chain rule, factor by factor, in a 3-4-1 sigmoid network.

A = x V,  B = sigmoid(A),  C = B W,  P = sigmoid(C),  L = 1/2 (y - P)^2  (no biases),
input x = (1, 0, 0), target y = 1, then one step with learning rate 1: W -= dL/dW.
The note prints B and W but not V; as x = (1, 0, 0), only V's first row matters, and it is
chosen so that B is the note's (0.33, 0.75, 0.27, 0.63).
"""
import math

from autograd_lite import Value, backward_html, draw_dot

x = [1.0, 0.0, 0.0]
y = 1.0
B_note = [0.33, 0.75, 0.27, 0.63]
V = [[Value(math.log(b / (1 - b)), f"V1{j + 1}") for j, b in enumerate(B_note)],
     [Value(0.0, f"V2{j + 1}") for j in range(4)],
     [Value(0.0, f"V3{j + 1}") for j in range(4)]]
W = [Value(w, f"W{j + 1}") for j, w in enumerate([-0.5, 0.65, -0.41, -1.03])]

A = [x[0] * V[0][j] + x[1] * V[1][j] + x[2] * V[2][j] for j in range(4)]
B = [a.sigmoid() for a in A]
C = B[0] * W[0] + B[1] * W[1] + B[2] * W[2] + B[3] * W[3]
P = C.sigmoid()
L = 0.5 * (y - P) ** 2
for name, v in [("C", C), ("P", P), ("L", L)] + [(f"A{j + 1}", a) for j, a in enumerate(A)] \
        + [(f"B{j + 1}", b) for j, b in enumerate(B)]:
    v.label = name
L.backward()

dl_dp = -(y - P.data)                    # the chain's factors, as the note writes them
dp_dc = P.data * (1 - P.data)
print(f"P = {P.data:.4f}   L = {L.data:.4f}")
print(f"dL/dP = {dl_dp:.4f}   dP/dC = {dp_dc:.4f}")
for j in range(4):
    by_hand = dl_dp * dp_dc * B[j].data                  # dL/dP * dP/dC * dC/dW_j
    print(f"dL/dW{j + 1} = {W[j].grad:+.5f}   (by hand {by_hand:+.5f})")
for j in range(4):
    by_hand = dl_dp * dp_dc * W[j].data * B[j].data * (1 - B[j].data) * x[0]
    print(f"dL/dV1{j + 1} = {V[0][j].grad:+.5f}   (by hand {by_hand:+.5f})")
print("W after one step:", [round(w.data - w.grad, 4) for w in W])

draw_dot(L, params=[v for row in V for v in row] + W)
backward_html(L, title="Note 000: L = 1/2 (y - P)^2", params=[v for row in V for v in row] + W)
