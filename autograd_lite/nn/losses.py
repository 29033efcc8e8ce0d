"""Loss functions on Values, each the formula a course note writes.

* :func:`squared_error` ``(y - t)^2`` -- course note 003, dL/dy = 2 (y - t);
* :func:`half_squared_error` ``1/2 (t - y)^2`` -- course notes 000 and
  002, dL/dy = y - t;
* :func:`mean_squared_error` ``(1/N) sum (y_i - t_i)^2``;
* :func:`binary_cross_entropy` ``-(t log p + (1 - t) log(1 - p))`` on a probability
  (course note 004), and :func:`binary_cross_entropy_with_logits` on the
  logit ``z`` (``p = sigmoid(z)``), which is the numerically safe one;
* :func:`hinge` ``max(0, 1 - t y)`` for labels t = +-1 (micrograd's demo);
* :func:`softmax_cross_entropy` ``logsumexp(z) - z_target``, computed after subtracting
  ``max(z)`` so no exponential overflows;
* :func:`l2_penalty` ``sum p^2`` (weight decay) as one ``dot`` node;
* :func:`mean` ``(1/N) sum x_i`` as one ``sum`` node.
"""

from __future__ import annotations

from collections.abc import Sequence

from autograd_lite.core.errors import DomainError
from autograd_lite.core.rules import compare, fabs, floor, logsumexp, to_float
from autograd_lite.core.value import Value, add_n, constant, dot

Scalar = Value | float


def mean(values: Sequence[Scalar]) -> Value:
    """``(1/N) (x_1 + ... + x_N)``: one ``sum`` node and one scaling.

    Examples:
        >>> from autograd_lite import Value, grad
        >>> from autograd_lite.nn.losses import mean
        >>> xs = [Value(1.0), Value(2.0), Value(6.0)]
        >>> m = mean(xs)
        >>> m.data, grad(m, xs)
        (3.0, [0.333..., 0.333..., 0.333...])
    """
    _sequence("mean", "values", values)
    if len(values) == 0:
        raise ValueError("mean: no values to average")
    return add_n(values) * (1.0 / len(values))


def squared_error(y: Scalar, t: Scalar) -> Value:
    """``(y - t)^2``; its derivative in y is ``2 (y - t)`` (note 003's output delta).

    Examples:
        >>> from autograd_lite import Value, grad
        >>> from autograd_lite.nn.losses import squared_error
        >>> y = Value(-0.5)
        >>> squared_error(y, 5.0).data, grad(squared_error(y, 5.0), y)   # 2 (y - t)
        (30.25, -11.0)
    """
    return (_scalar(y, "squared_error: y") - _scalar(t, "squared_error: t")) ** 2


def half_squared_error(y: Scalar, t: Scalar) -> Value:
    """``1/2 (t - y)^2``; its derivative in y is ``-(t - y) = y - t`` (notes 000 and 002).

    Examples:
        >>> from autograd_lite import Value, grad
        >>> from autograd_lite.nn.losses import half_squared_error
        >>> y = Value(0.4)
        >>> half_squared_error(y, 1.0).data, grad(half_squared_error(y, 1.0), y)   # y - t
        (0.18, -0.6)
    """
    return 0.5 * (_scalar(t, "half_squared_error: t") - _scalar(y, "half_squared_error: y")) ** 2


def mean_squared_error(ys: Sequence[Scalar], ts: Sequence[Scalar]) -> Value:
    """``(1/N) sum_i (y_i - t_i)^2`` (PyTorch's ``MSELoss``).

    Examples:
        >>> from autograd_lite.nn.losses import mean_squared_error
        >>> mean_squared_error([1.0, 2.0], [0.0, 4.0]).data      # (1 + 4) / 2
        2.5
    """
    _sequence("mean_squared_error", "ys", ys)
    _sequence("mean_squared_error", "ts", ts)
    _same_length("mean_squared_error", ys, ts)
    return mean([squared_error(y, t) for y, t in zip(ys, ts)])


def binary_cross_entropy(p: Scalar, t: Scalar) -> Value:
    """``-(t log p + (1 - t) log(1 - p))`` for a probability ``0 <= p <= 1``, target in [0, 1].

    d/dp = (p - t) / (p (1 - p)); after a sigmoid, d/dz = p - t (note 004).  At a saturated
    ``p`` (exactly 0 or 1) the term of weight 0 is left out, so ``p = 1`` with ``t = 1``
    costs 0; against the other label the loss is infinite and raises :class:`DomainError`
    -- use :func:`binary_cross_entropy_with_logits` there.  A Value target stays in the
    graph, and every decision is a comparison of Values (``p >= 1.0``), so a compiled tape
    re-reads the target and re-checks the decisions at every replay.

    Examples:
        >>> import math
        >>> from autograd_lite import Value, grad
        >>> from autograd_lite.nn.losses import binary_cross_entropy
        >>> p = Value(0.8)
        >>> loss = binary_cross_entropy(p, 1.0)
        >>> loss.data == -math.log(0.8), grad(loss, p)          # -1 / p
        (True, -1.25)
    """
    p = _scalar(p, "binary_cross_entropy: p")
    target = _target(t, "binary_cross_entropy")
    if p < 0.0 or p > 1.0:
        raise DomainError("binary_cross_entropy", (p.data, _number(target)),
                          "the prediction must be a probability in [0, 1]")
    at_0, at_1 = p <= 0.0, p >= 1.0
    if (at_0 and target > 0.0) or (at_1 and target < 1.0):
        raise DomainError("binary_cross_entropy", (p.data, _number(target)),
                          "the prediction is saturated at 0 or 1, so the loss is infinite; "
                          "use binary_cross_entropy_with_logits on the pre-sigmoid value")
    if at_1:
        return -(target * p.log())
    if at_0:
        return -((1.0 - target) * (1.0 - p).log())
    return -(target * p.log() + (1.0 - target) * (1.0 - p).log())


def binary_cross_entropy_with_logits(z: Scalar, t: Scalar) -> Value:
    """BCE of ``p = sigmoid(z)``, stable for any logit ``z``; d/dz = sigmoid(z) - t.

    ``-t log sigmoid(z) - (1 - t) log(1 - sigmoid(z)) = t softplus(-z) + (1 - t) softplus(z)
    = softplus(z) - t z``, with ``softplus(z) = log(1 + e^z)`` computed without overflow
    (``max(z, 0) + log1p(e^-|z|)``).  One formula for every z, no branch: the derivative
    ``sigmoid(z) - t`` is exact everywhere, at 0 too, and a compiled tape needs no guard.

    Examples:
        >>> from autograd_lite import Value, grad
        >>> from autograd_lite.nn.losses import binary_cross_entropy_with_logits
        >>> z = Value(0.0)
        >>> grad(binary_cross_entropy_with_logits(z, 1.0), z)    # sigmoid(0) - 1
        -0.5
        >>> binary_cross_entropy_with_logits(Value(-800.0), 1.0).data   # no overflow
        800.0
    """
    z = _scalar(z, "binary_cross_entropy_with_logits: z")
    return z.softplus() - _target(t, "binary_cross_entropy_with_logits") * z


def hinge(score: Scalar, label: Scalar) -> Value:
    """``max(0, 1 - label * score)`` for labels +-1 (the SVM margin loss).

    Examples:
        >>> from autograd_lite.nn.losses import hinge
        >>> hinge(0.25, 1.0).data, hinge(2.0, 1.0).data, hinge(2.0, -1.0).data
        (0.75, 0.0, 3.0)
    """
    return (1.0 - _scalar(score, "hinge: score") * _scalar(label, "hinge: label")).relu()


def softmax_cross_entropy(logits: Sequence[Scalar], target: int | Value) -> Value:
    """``-log softmax(z)[target] = logsumexp(z) - z_target``, ``logsumexp`` one node that
    computes ``m + log sum_k e^(z_k - m)`` with ``m = max z`` (no exponential overflows, and
    no number is read: a compiled tape recomputes it); d/dz_k = softmax(z)_k - [k = target].

    ``target`` is a class index: an int, or a Value holding one (as ``compiled_loss``
    passes it), which selects ``z_target`` as ``dot(z, one_hot)`` with the one-hot computed
    from it -- no number read, so the class index is an input of a compiled program.

    Examples:
        >>> import math
        >>> from autograd_lite import Value, grad
        >>> from autograd_lite.nn.losses import softmax_cross_entropy
        >>> z = [Value(0.0), Value(0.0)]
        >>> loss = softmax_cross_entropy(z, 1)
        >>> loss.data == math.log(2), grad(loss, z)              # softmax(z) - one_hot(1)
        (True, [0.5, -0.5])
        >>> grad(softmax_cross_entropy(z, Value(1.0, requires_grad=False)), z)
        [0.5, -0.5]
    """
    _sequence("softmax_cross_entropy", "logits", logits)
    if len(logits) == 0:
        raise ValueError("softmax_cross_entropy: logits is empty (no classes)")
    z = [_scalar(v, f"softmax_cross_entropy: logits[{i}]") for i, v in enumerate(logits)]
    if isinstance(target, Value):
        selected: Value = logsumexp(*z) - dot(z, _one_hot(target, len(z)))
        return selected
    if isinstance(target, bool) or not isinstance(target, int) or not 0 <= target < len(z):
        raise ValueError(f"softmax_cross_entropy: target must be a class index in "
                         f"[0, {len(z)}), got {target!r}")
    loss: Value = logsumexp(*z) - z[target]
    return loss


def _one_hot(target: Value, n: int) -> list[Value]:
    """``[k == target for k < n]`` as 0.0 / 1.0 Values computed from ``target`` without
    reading its number -- ``1 - |compare(target, k)|`` -- so a compiled tape takes the class
    index as an input.  Refused unless ``target`` holds an integer in ``[0, n)``: the checks
    are comparisons, guards that every valid class index passes alike (one tape for all)."""
    if target < 0 or target > n - 1 or floor(target) < target:
        raise ValueError(f"softmax_cross_entropy: target must be a class index in [0, {n}), "
                         f"got {target.item()!r}")
    return [1.0 - fabs(compare(target, float(k))) for k in range(n)]


def l2_penalty(params: Sequence[Value]) -> Value:
    """``sum_i p_i^2`` as one ``dot`` node; d/dp_i = 2 p_i.

    Examples:
        >>> from autograd_lite import Value, grad
        >>> from autograd_lite.nn.losses import l2_penalty
        >>> ps = [Value(1.0), Value(-2.0)]
        >>> l2_penalty(ps).data, grad(l2_penalty(ps), ps)
        (5.0, [2.0, -4.0])
    """
    _sequence("l2_penalty", "params", params)
    if len(params) == 0:
        raise ValueError("l2_penalty: no parameters")
    for i, p in enumerate(params):
        if not isinstance(p, Value):
            raise TypeError(f"l2_penalty: params[{i}] must be a Value, got {type(p).__name__}")
    return dot(params, params)


def _target(t: Scalar, where: str) -> Value | float:
    """A BCE target in [0, 1]: a number, or a Value kept in the graph (never its ``.data``: a
    compiled tape re-reads it at every replay, and re-checks the range, a comparison)."""
    if isinstance(t, Value):
        if t < 0.0 or t > 1.0:
            raise DomainError(where, (t.data,), "the target must be in [0, 1]")
        return t
    target = to_float(t, f"{where}: t")
    if not 0.0 <= target <= 1.0:
        raise DomainError(where, (target,), "the target must be in [0, 1]")
    return target


def _number(x: Value | float) -> float:
    """The number of ``x``, for an error message."""
    return x.data if isinstance(x, Value) else x


def _scalar(v: object, what: str) -> Value:
    """``v`` as a Value (a number becomes a constant); ``what`` names it in errors."""
    return v if isinstance(v, Value) else constant(to_float(v, what))


def _sequence(where: str, argument: str, values: object) -> None:
    """Refuse a single number, Value or str where a sequence (list, tuple, array) belongs."""
    if isinstance(values, str | Value) or not hasattr(values, "__len__"):
        raise TypeError(f"{where}: {argument} must be a sequence of Values or numbers, got "
                        f"{type(values).__name__}")


def _same_length(what: str, ys: Sequence[Scalar], ts: Sequence[Scalar]) -> None:
    if len(ys) != len(ts):
        raise ValueError(f"{what}: {len(ys)} predictions but {len(ts)} targets")


__all__ = ["binary_cross_entropy", "binary_cross_entropy_with_logits", "half_squared_error",
           "hinge", "l2_penalty", "mean", "mean_squared_error", "softmax_cross_entropy",
           "squared_error"]
