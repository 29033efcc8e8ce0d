"""The semantics shared with PyTorch, compared live with ``torch`` when it is installed.

torch is no dependency (CI does not have it): without it every test here is skipped with
the reason.  The same numbers are also asserted as constants in the tests of each subject
(``tests/core/test_semantics.py``, ``tests/core/test_hooks.py``), so CI still checks them.
"""

from __future__ import annotations

import pytest

from autograd_lite import Value, grad, is_grad_enabled, set_grad_enabled

torch = pytest.importorskip("torch", reason="torch is not installed: the live comparison "
                                            "with PyTorch is skipped (the numbers are also "
                                            "constants in tests/core/test_semantics.py and "
                                            "tests/core/test_hooks.py)")


def test_backward_inputs_gives_pytorchs_gradients() -> None:
    tx, tb, tu = (torch.tensor(v, requires_grad=True, dtype=torch.float64)
                  for v in (2.0, 1.0, 5.0))
    th = tx * 3.0
    ty = th * th + tb
    ty.backward(inputs=[th, tx, tu], retain_graph=True)
    x, b, u = Value(2.0), Value(1.0), Value(5.0)
    h = x * 3.0
    y = h * h + b
    y.backward(inputs=[h, x, u])
    assert (x.grad, h.grad) == (tx.grad.item(), th.grad.item())
    assert tb.grad is None and b.grad == 0.0  # not given: untouched
    assert tu.grad is None and u.grad == 0.0  # given but unused: nothing added
    ty.backward(inputs=[tx, tx])  # accumulates, a repeated input once
    y.backward(inputs=[x, x])
    assert x.grad == tx.grad.item()


def test_backward_inputs_refuses_what_pytorch_refuses() -> None:
    tx = torch.tensor(2.0, requires_grad=True)
    with pytest.raises(RuntimeError, match="cannot be empty"):
        (tx * 2).backward(inputs=[])
    with pytest.raises(RuntimeError):
        (tx * torch.tensor(1.0)).backward(inputs=[torch.tensor(1.0)])
    x = Value(2.0)
    with pytest.raises(ValueError, match="inputs is empty"):
        (x * 2).backward(inputs=[])
    with pytest.raises(RuntimeError, match="does not require grad"):
        (x * 2).backward(inputs=[Value(1.0, requires_grad=False)])


@pytest.mark.parametrize("mode", [True, False])
def test_set_grad_enabled_in_its_three_forms_as_pytorch(mode: bool) -> None:
    def state() -> tuple[bool, bool]:
        return torch.is_grad_enabled(), is_grad_enabled()

    tx, x = torch.tensor(1.0, requires_grad=True), Value(1.0)
    with torch.set_grad_enabled(mode), set_grad_enabled(mode):
        assert state() == (mode, mode)
        assert (tx * 2).requires_grad == (x * 2).requires_grad == mode
    assert state() == (True, True)

    def body() -> tuple[bool, bool]:
        return state()

    torch_decorated = torch.set_grad_enabled(mode)(body)
    ours_decorated = set_grad_enabled(mode)(body)
    assert state() == (True, True)
    with torch.no_grad(), set_grad_enabled(False):
        assert torch_decorated()[0] is ours_decorated()[1] is mode
        assert state() == (False, False)
    try:
        torch.set_grad_enabled(mode)
        set_grad_enabled(mode)
        assert state() == (mode, mode)
    finally:
        torch.set_grad_enabled(True)
        set_grad_enabled(True)
    with pytest.raises(TypeError, match="must be bool"):
        torch.set_grad_enabled(1)
    with pytest.raises(TypeError, match="must be a bool"):
        set_grad_enabled(1)  # type: ignore[arg-type]


def test_hooks_give_pytorchs_gradients_in_backward() -> None:
    """x = 2, h = 3x, y = h^2; a hook x10 on h and +1 on x; a chain on w = 2x."""
    tx = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    th = tx * 3.0
    th.retain_grad()
    th.register_hook(lambda g: g * 10)
    tx.register_hook(lambda g: g + 1)
    (th * th).backward()
    x = Value(2.0)
    h = x * 3.0
    with h.register_hook(lambda g: g * 10), x.register_hook(lambda g: g + 1):
        (h * h).backward()
    assert (x.grad, h.grad) == (tx.grad.item(), th.grad.item())

    tw_x = torch.tensor(1.0, requires_grad=True)
    tw = tw_x * 2
    tw.register_hook(lambda g: g + 1)
    tw.register_hook(lambda g: g * 10)
    tw.backward()
    w_x = Value(1.0)
    w = w_x * 2.0
    with w.register_hook(lambda g: g + 1), w.register_hook(lambda g: g * 10):
        w.backward()
    assert w_x.grad == tw_x.grad.item()


def test_hooks_in_grad_and_the_one_difference() -> None:
    """torch.autograd.grad runs the hooks on the way (x gets them), but returns a non-leaf
    input's gradient from before its own hooks (12 for h); here grad returns it after them,
    as backward leaves it in .grad (120) -- documented in the semantics table."""
    tx = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    th = tx * 3.0
    th.register_hook(lambda g: g * 10)
    tx.register_hook(lambda g: g + 1)
    torch_x, torch_h = torch.autograd.grad(th * th, [tx, th])
    x = Value(2.0)
    h = x * 3.0
    with h.register_hook(lambda g: g * 10), x.register_hook(lambda g: g + 1):
        ours_x, ours_h = grad(h * h, [x, h])
    assert ours_x == torch_x.item() == 361.0
    assert (torch_h.item(), ours_h) == (12.0, 120.0)


def test_a_hook_under_create_graph_as_pytorch() -> None:
    tx = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    th = tx * 3.0
    th.register_hook(lambda g: g * th)
    (first,) = torch.autograd.grad(th * th, tx, create_graph=True)
    (second,) = torch.autograd.grad(first, tx)
    x = Value(2.0)
    h = x * 3.0
    with h.register_hook(lambda g: g * h):  # it runs in the second pass too, as in PyTorch
        ours_first = grad(h * h, x, create_graph=True)
        ours_second = grad(ours_first, x)
    assert (ours_first.data, ours_second) == (first.item(), second.item()) == (216.0, 1296.0)
