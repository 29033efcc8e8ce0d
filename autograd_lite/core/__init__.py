"""The core, lowest floor first: ``errors`` -> ``special`` (float special functions) ->
``rules`` (the primitives) -> ``observers`` -> ``reverse`` (the one reverse pass) -> ``value``
(``Value``, recording, the topological order) -> ``gradients`` (``grad``) -> ``forward`` (dual
numbers, levels) -> ``func`` (transforms that nest: grad, jvp, vjp, jacobian, hessian),
``check`` (gradcheck), ``anomaly`` (anomaly mode); ``collector`` (``large_graphs``: the cyclic
garbage collector kept off large graphs); ``arrays`` (NumPy arrays as a carrier).  Nothing
here imports anything outside it."""
