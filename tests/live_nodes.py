"""How many Values are alive: a Value has no weak-reference slot, so a test that a graph
is freed counts the nodes the garbage collector tracks (each node is one tracked object)."""

import gc

from autograd_lite import Value


def live_values() -> int:
    """The number of Value objects alive now, anomaly mode's SitedValue included (no
    collection is run: only what reference counting already freed is gone)."""
    return sum(isinstance(o, Value) for o in gc.get_objects())
