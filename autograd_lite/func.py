"""Transforms that compose, in the style of ``torch.func`` and JAX.

``grad(f, argnums, has_aux)``, ``value_and_grad(f, argnums, has_aux)``, ``jacobian(f,
argnums)`` (alias ``jacrev``), ``jacfwd(f, argnums)`` and ``hessian(f, argnums)`` return
functions;
``jvp(f, primals, tangents)``, ``vjp(f, *primals)`` and ``hvp(f, primals, tangents)`` return
results.  They nest in every order (``grad(grad(f))``, ``jvp`` of ``grad``...) without
perturbation confusion.  Which mode each uses, and why: see
:mod:`autograd_lite.core.func` and the page "Forward mode and nesting" of the docs.
"""

from autograd_lite.core.func import (
    grad,
    hessian,
    hvp,
    jacfwd,
    jacobian,
    jacrev,
    jvp,
    value_and_grad,
    vjp,
)

__all__ = ["grad", "hessian", "hvp", "jacfwd", "jacobian", "jacrev", "jvp", "value_and_grad",
           "vjp"]
