"""A micrograd neuron: o = tanh(x1 w1 + x2 w2 + b), the one micrograd's introductory lecture
(by its author) backpropagates by hand, with its names and numbers.

autograd_lite's Value takes a label as its second argument, where micrograd's takes label=...
"""
from autograd_lite import Value, backward_html, draw_dot

x1, x2 = Value(2.0, "x1"), Value(0.0, "x2")          # inputs
w1, w2 = Value(-3.0, "w1"), Value(1.0, "w2")         # weights
b = Value(6.8813735870195432, "b")                   # bias, chosen so o is tidy
x1w1, x2w2 = x1 * w1, x2 * w2
x1w1.label, x2w2.label = "x1*w1", "x2*w2"
n = x1w1 + x2w2 + b
n.label = "n"
o = n.tanh()
o.label = "o"
o.backward()

print(f"o = {o.data:.4f}")
print(f"do/dn = 1 - o^2 = {n.grad:.4f}")
print(f"do/dw1 = {w1.grad:.4f}   do/dx1 = {x1.grad:.4f}")
print(f"do/dw2 = {w2.grad:.4f}   do/dx2 = {x2.grad:.4f}")
draw_dot(o, inputs=[x1, x2], params=[w1, w2, b])
backward_html(o, title="o = tanh(x1 w1 + x2 w2 + b)", inputs=[x1, x2], params=[w1, w2, b])
