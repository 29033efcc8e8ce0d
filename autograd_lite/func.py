"""Transforms that compose, in the style of ``torch.func`` and JAX.

``grad(f, argnums)``, ``jacobian(f, argnums)`` and ``hessian(f, argnums)`` return functions;
``jvp(f, primals, tangents)``, ``vjp(f, *primals)`` and ``hvp(f, primals, tangents)`` return
results.  They nest in every order (``grad(grad(f))``, ``jvp`` of ``grad``...) without
perturbation confusion.  Which mode each uses, and why: see
:mod:`autograd_lite.core.func` and the page "Forward mode and nesting" of the docs.
"""

from autograd_lite.core.func import grad, hessian, hvp, jacobian, jvp, vjp

__all__ = ["grad", "hessian", "hvp", "jacobian", "jvp", "vjp"]
