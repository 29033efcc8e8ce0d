"""Your own primitive: softplus(x) = log(1 + e^x), with its derivative rule.

primitive(name, forward, partials): forward computes the value on floats; partials(out, x)
returns one local derivative per argument, written with autograd_lite.math, so it works in
every mode at once: backward, grad to any order, jvp, gradcheck, diagrams.
"""
import math

from autograd_lite import Value, backward_html, draw_dot, grad, gradcheck, jvp, primitive
from autograd_lite import math as am

softplus = primitive("my_softplus",
                     lambda x: math.log1p(math.exp(-abs(x))) + max(x, 0.0),
                     lambda out, x: (1 / (1 + am.exp(-x)),))

x = Value(0.5, "x")
y = softplus(x) * x
y.label = "y"
y.backward()
print(f"y = {y.data:.6f}   dy/dx = {x.grad:.6f}")
print("by hand:", math.log1p(math.exp(0.5)) + 0.5 / (1 + math.exp(-0.5)))
second = grad(grad(softplus(x), x, create_graph=True), x)     # sigmoid'(0.5)
print("softplus''(0.5) =", second)
print("jvp:", jvp(softplus, [0.5], [1.0]))
print("gradcheck:", gradcheck(softplus, [0.5]))
draw_dot(y, inputs=[x])
backward_html(y, title="y = softplus(x) * x", inputs=[x])
