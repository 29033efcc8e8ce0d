"""The three graphs the step-through page is budgeted on (issue 15): note 003's network,
a 200-node chain, and MLP(2, [16, 16, 1]) on one point (drawn collapsed)."""

from __future__ import annotations

from autograd_lite import MLP, Value
from autograd_lite.examples import note_003
from autograd_lite.nn.losses import squared_error


def note003() -> note_003.NoteGraph:
    """Note 003's loss (y - 5)^2 at x = (1, 2), the network's parameters and its inputs, in
    the note's names (x1, W21, ...)."""
    return note_003.loss_graph()


def chain(n: int = 200) -> Value:
    """tanh(tanh(...tanh(x))): n values, n - 1 backward steps."""
    y = Value(0.5, "x")
    for _ in range(n - 1):
        y = y.tanh()
    return y


def mlp() -> tuple[Value, list[Value]]:
    """micrograd's demo network on one point, squared error: 441 values, 67 steps."""
    net = MLP(2, [16, 16, 1], seed=0)
    loss = squared_error(net([0.5, -0.25]), 1.0)
    loss.label = "L"
    return loss, net.parameters()
