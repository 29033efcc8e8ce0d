"""Testing derivatives with hypothesis (needs ``hypothesis``, in the ``test`` extra).

* :mod:`~autograd_lite.testing.strategies` -- :func:`safe_floats` (finite floats kept away
  from kinks and domain edges), the test table :data:`OP_CASES` (every built-in primitive
  with its public call and input domains, from the rule table; :class:`OpCase` adds yours),
  random straight-line programs (:class:`Expression`, :func:`expressions`,
  :func:`expression_cases`; :func:`pick` chooses each primitive by name) and
  :func:`assert_gradients_match` (``backward`` against central differences), and
  :func:`keyword_arguments` (a function's keyword arguments, drawn).
* :mod:`~autograd_lite.testing.derivatives` -- :func:`assert_derivative_matches`: your
  gradient, Jacobian or Hessian function against autograd_lite's, mismatches named by the
  parameters with both values, their ratio and their difference.
* :mod:`~autograd_lite.testing.differential` -- :func:`check_modes`: every mode (backward,
  grad, create_graph, jvp, the compiled tape, central differences, anomaly mode) against the
  others on one expression, and :func:`campaign`, a fixed-seed run of many.
"""

try:
    import hypothesis  # noqa: F401 -- checked first, for a clear message
except ImportError as error:  # pragma: no cover - exercised by a test that hides hypothesis
    raise ImportError(
        "autograd_lite.testing needs hypothesis, a test dependency: "
        "pip install 'autograd-lite[test]' (or: pip install hypothesis)") from error

from autograd_lite.testing.derivatives import assert_derivative_matches
from autograd_lite.testing.differential import (
    TIERS,
    MismatchError,
    Stats,
    campaign,
    check_modes,
)
from autograd_lite.testing.strategies import (
    AVOID,
    KINK_AT_0,
    OP_CASES,
    POSITIVE,
    WIDE,
    Domain,
    Expression,
    OpCase,
    assert_gradients_match,
    expression_cases,
    expressions,
    keyword_arguments,
    pick,
    safe_floats,
)

__all__ = ["AVOID", "KINK_AT_0", "OP_CASES", "POSITIVE", "TIERS", "WIDE", "Domain",
           "Expression", "MismatchError", "OpCase", "Stats", "assert_derivative_matches",
           "assert_gradients_match", "campaign", "check_modes", "expression_cases",
           "expressions", "keyword_arguments", "pick", "safe_floats"]
