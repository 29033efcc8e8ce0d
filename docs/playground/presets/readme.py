from autograd_lite import Value, grad, jvp, gradcheck

x, y = Value(2.0, "x"), Value(3.0, "y")
f = x * y + x.exp()          # every operation is recorded into a graph
f.backward()                 # reverse mode: one pass gives every gradient
print(f.data, x.grad, y.grad)            # 13.389...  10.389... (= y + e^x)  2.0 (= x)

# the same derivative three ways: reverse mode, forward mode, central differences
print(grad(x * y + x.exp(), [x, y]))                       # [10.389..., 2.0]
print(jvp(lambda a, b: a * b + a.exp(), [2.0, 3.0], [1.0, 0.0]))   # (13.389..., 10.389...)
gradcheck(lambda a, b: a * b + a.exp(), [2.0, 3.0])       # central differences agree: True

# higher order: gradients that are graphs themselves
t = Value(1.5)
d1 = grad(t ** 3, t, create_graph=True)      # 3 t^2 = 6.75
d2 = grad(d1, t, create_graph=True)          # 6 t = 9
d3 = grad(d2, t)                             # 6

# -- in the playground: the graph, and its backward pass one node at a time ---------------
from autograd_lite import backward_html, draw_dot

print(d1.data, d2.data, d3)
f.label = "f"
draw_dot(f, inputs=[x, y])                   # what was recorded, with every grad
backward_html(f, inputs=[x, y], title="f = x y + exp(x)")   # step through it: next, or →

# ruff: noqa: E402, I001  (the README's block, as it is, then what the playground adds)
