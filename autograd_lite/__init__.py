"""autograd_lite: a scalar reverse-mode automatic differentiation engine you can read.

Layers, lowest first: ``ops`` (the rule table) -> ``engine`` (``Value``, backward, ``grad``)
-> everything that reads a graph.  See the README for the map.
"""

from autograd_lite.engine import (
    Value,
    add_n,
    constant,
    dot,
    enable_grad,
    grad,
    is_grad_enabled,
    no_grad,
    topological_order,
    zero_grad,
)
from autograd_lite.errors import DomainError

__all__ = [
    "DomainError",
    "Value",
    "add_n",
    "constant",
    "dot",
    "enable_grad",
    "grad",
    "is_grad_enabled",
    "no_grad",
    "topological_order",
    "zero_grad",
]
__version__ = "0.1.0"
