"""The core, lowest floor first: ``errors`` -> ``rules`` (the primitives) -> ``value`` (``Value``
and recording) -> ``reverse`` (the one reverse pass) -> ``forward`` (dual numbers, levels)
-> ``func`` (transforms that nest: grad, jvp, vjp, jacobian, hessian),
``check`` (gradcheck), ``anomaly`` (anomaly mode); ``collector`` (``large_graphs``: the cyclic
garbage collector kept off large graphs).  Nothing here imports anything outside it."""
