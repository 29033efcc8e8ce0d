"""autograd_lite: a scalar reverse-mode automatic differentiation engine you can read.

What you can do with it:

* compute gradients: build an expression from ``Value`` objects, call ``.backward()`` and
  read ``.grad`` (or ``grad(output, inputs)``); forward mode with ``jvp`` and ``Dual``;
  nested transforms in ``autograd_lite.func``; ``from autograd_lite import math`` for
  Python's ``math`` functions, differentiable;
* check them: ``gradcheck`` / ``gradgradcheck`` against central differences,
  ``detect_anomaly`` for the first nan or inf, ``autograd_lite.testing`` (the ``test``
  extra; not imported here) to property-test your own primitives;
* train small networks: ``MLP``, ``SGD``, ``Adam``, ``save`` / ``load``, and ``compiled``
  training loops;
* see them (the ``viz`` extra): ``draw_dot`` draws the graph, ``backward_html`` steps
  through the backward pass in a web page.

Example:
    >>> from autograd_lite import Value
    >>> x, y = Value(2.0, "x"), Value(3.0, "y")
    >>> f = x * y + x
    >>> f.backward()
    >>> x.grad, y.grad
    (4.0, 2.0)

The worked examples of the course notes run as ``python -m autograd_lite``.  How the
package is laid out: "How the package is laid out" in the docs (docs/explanation/layout.md).
"""
from autograd_lite import func, math
from autograd_lite.compile import (
    BranchChangedError,
    Tape,
    compiled,
    compiled_loss,
    compiled_transform,
)
from autograd_lite.core.anomaly import AnomalyError, detect_anomaly
from autograd_lite.core.check import (
    GradcheckError,
    central_difference,
    gradcheck,
    gradgradcheck,
)
from autograd_lite.core.collector import large_graphs
from autograd_lite.core.errors import DomainError
from autograd_lite.core.forward import Dual, jvp
from autograd_lite.core.gradients import grad
from autograd_lite.core.rules import Primitive, primitive
from autograd_lite.core.value import (
    StaleGraphError,
    Value,
    add_n,
    constant,
    dot,
    enable_grad,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
    topological_order,
    zero_grad,
)
from autograd_lite.graph.diagram import draw_dot
from autograd_lite.graph.steps import backward_html, backward_steps
from autograd_lite.mathcode import differentiable
from autograd_lite.nn import MLP, Layer, Module, Neuron
from autograd_lite.nn.io import load, save
from autograd_lite.nn.optim import SGD, Adam

__all__ = [
    "MLP",
    "SGD",
    "Adam",
    "AnomalyError",
    "BranchChangedError",
    "DomainError",
    "Dual",
    "GradcheckError",
    "Layer",
    "Module",
    "Neuron",
    "Primitive",
    "StaleGraphError",
    "Tape",
    "Value",
    "add_n",
    "backward_html",
    "backward_steps",
    "central_difference",
    "compiled",
    "compiled_loss",
    "compiled_transform",
    "constant",
    "detect_anomaly",
    "differentiable",
    "dot",
    "draw_dot",
    "enable_grad",
    "func",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "is_grad_enabled",
    "jvp",
    "large_graphs",
    "load",
    "math",
    "no_grad",
    "primitive",
    "save",
    "set_grad_enabled",
    "topological_order",
    "zero_grad",
]
__version__ = "0.1.0"
