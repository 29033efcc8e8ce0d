"""Save and load a module's parameters as JSON: exact, safe, all-or-nothing.

The file is ``{"format": "autograd_lite.state_dict", "version": 2, "architecture": {...},
"parameters": {...}}``: the module's :meth:`~autograd_lite.nn.Module.architecture` (class,
sizes, activations, bias, bias input; for your own modules the class, tensor shapes and
inner modules) and its :meth:`~autograd_lite.nn.Module.state_dict` (nested lists in
PyTorch's layout).  Floats are written with ``repr``, so they read back bit for bit.
:func:`save` replaces the file atomically through a fresh temporary file
(:func:`~autograd_lite.core.files.write_atomically`).

Reading uses only ``json`` (no pickle, no eval), takes time linear in the file's size, and
refuses, with a :class:`LoadError` naming the file and the problem: anything but a regular
file, files over :data:`MAX_BYTES` (at most ``MAX_BYTES + 1`` bytes are ever read),
non-UTF-8 bytes, JSON nested deeper than :data:`MAX_DEPTH`, NaN/Infinity, duplicate keys,
another format or version, and -- in :func:`load` -- a file saved from another architecture
(a file of version 1, which records none, is refused with the way to re-save it) and
missing, unexpected, misshapen or non-finite parameters.  The module is only changed once
everything has been checked.
"""

from __future__ import annotations

import json
import os
import re
from itertools import accumulate
from pathlib import Path
from typing import Any

from autograd_lite.core.files import read_bounded, write_atomically
from autograd_lite.nn.modules import Architecture, Module, StateDict, StateDictError

FORMAT = "autograd_lite.state_dict"
VERSION = 2
READABLE_VERSIONS = (1, 2)  # version 1: parameters only (read_state_dict reads it, load not)
MAX_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 32

PathLike = str | os.PathLike[str]


class LoadError(ValueError):
    """A parameter file cannot be used; the message names the file and the problem.

    Examples:
        >>> import os, tempfile
        >>> from autograd_lite import MLP, load
        >>> from autograd_lite.nn.io import LoadError
        >>> path = os.path.join(tempfile.mkdtemp(), "model.json")
        >>> with open(path, "w") as f:
        ...     _ = f.write('{"layers.0.weight": [[NaN, 1.0]]}')
        >>> try:
        ...     load(MLP(2, [1], seed=0), path)
        ... except LoadError as error:
        ...     print("refused")
        refused
    """


def save(module: Module, path: PathLike) -> None:
    """Write ``module``'s architecture and parameters to ``path`` as JSON (floats exact).

    The JSON goes to a new temporary file beside ``path`` (unique name, created
    exclusively, so nothing planted there is followed), is flushed to disk, then renamed
    over ``path``: a reader sees the old file or the new one, never part of one, and
    concurrent saves to one path leave one of them complete.  A symlink at ``path`` is
    replaced, not followed.

    Raises:
        TypeError: ``module`` is not a Module, ``path`` not a path, or the module's
            architecture is not JSON (finite numbers, str, bool, None, lists, dicts).
        OSError: the file cannot be written (``path`` is unchanged, no temporary file left).

    Examples:
        >>> import json, os, tempfile
        >>> from autograd_lite import MLP, save
        >>> model = MLP(2, [1], seed=0)
        >>> path = os.path.join(tempfile.mkdtemp(), "model.json")
        >>> save(model, path)
        >>> with open(path) as f:
        ...     stored = json.load(f)
        >>> sorted(stored)
        ['architecture', 'format', 'parameters', 'version']
        >>> stored["architecture"]["sizes"], list(stored["parameters"])
        ([2, 1], ['layers.0.weight', 'layers.0.bias'])
    """
    _check_module("save", module)
    target = _path("save", path)
    document = {"format": FORMAT, "version": VERSION,
                "architecture": _architecture_of("save", module),
                "parameters": module.state_dict()}
    # a parameter is always finite (a Value holds no other number), the architecture was
    # checked: the document is JSON
    text = json.dumps(document, indent=1, allow_nan=False)
    try:
        write_atomically(target, (text + "\n").encode("utf-8"))
    except OSError as e:
        error = type(e)(f"save: cannot write {str(target)!r}: {e.strerror or e}")
        error.errno = e.errno
        raise error from None


def read_state_dict(path: PathLike) -> StateDict:
    """The parameters stored in ``path``, checked as a file (not yet against a module).

    Reads files of version 1 too (they record no architecture): re-save one, once you
    know which module it belongs to, as ``model.load_state_dict(read_state_dict(path))``
    then ``save(model, path)``.

    Raises:
        LoadError: as for :func:`load`, less the checks against a module (architecture,
            parameters).

    Examples:
        >>> import os, tempfile
        >>> from autograd_lite import MLP, save
        >>> from autograd_lite.nn.io import read_state_dict
        >>> path = os.path.join(tempfile.mkdtemp(), "model.json")
        >>> save(MLP(2, [1], seed=0), path)
        >>> read_state_dict(path) == MLP(2, [1], seed=0).state_dict()
        True
    """
    parameters: StateDict = _read_document(_path("read_state_dict", path))["parameters"]
    return parameters


def load(module: Module, path: PathLike) -> Module:
    """Load the parameters in ``path`` into ``module`` (all or nothing) and return it.

    The architecture recorded in the file must be ``module.architecture()``: a file saved
    from ``MLP(4, [16, 3], activation="tanh")`` is refused by ``MLP(4, [16, 3])`` (ReLU),
    naming the difference, instead of changing every prediction.

    Raises:
        LoadError: the file is missing, unreadable, not a regular file, over 64 MiB, not
            UTF-8, not valid JSON, nested too deep, not an autograd_lite parameter file, of
            version 1 (no architecture recorded), saved from another architecture, or its
            parameters do not fit ``module`` (names, shapes, finite numbers: the
            :class:`~autograd_lite.nn.StateDictError` message follows the file's name).
            Nothing is changed.
        TypeError: ``module`` is not a Module or ``path`` not a path.

    Examples:
        >>> import os, tempfile
        >>> from autograd_lite import MLP, load, save
        >>> path = os.path.join(tempfile.mkdtemp(), "model.json")
        >>> save(MLP(2, [3, 1], seed=0), path)
        >>> model = load(MLP(2, [3, 1], seed=1), path)     # seed 1's weights replaced
        >>> model.state_dict() == MLP(2, [3, 1], seed=0).state_dict()
        True
        >>> try:
        ...     load(MLP(2, [3, 1], activation="tanh"), path)
        ... except LoadError as error:
        ...     print(str(error).split(": ", 2)[2])
        "activations" is ['relu', 'linear'] in the file, ['tanh', 'linear'] in the module
    """
    _check_module("load", module)
    p = _path("load", path)
    document = _read_document(p)
    if document["version"] == 1:
        raise LoadError(f"{p}: a version 1 file records no architecture to check against "
                        f"{type(module).__name__}; if it was saved from this architecture, "
                        f"re-save it: module.load_state_dict(read_state_dict(path)); "
                        f"save(module, path)")
    saved = document.get("architecture")
    if not isinstance(saved, dict):
        raise LoadError(f"{p}: \"architecture\" must be an object")
    difference = _difference(saved, json.loads(json.dumps(_architecture_of("load", module))))
    if difference is not None:
        raise LoadError(f"{p}: saved from another architecture: {difference}")
    try:
        module.load_state_dict(document["parameters"])
    except StateDictError as e:
        raise LoadError(f"{p}: {e}") from None
    return module


def _read_document(p: Path) -> dict[str, Any]:
    """The document in ``p``: this format, a readable version, ``parameters`` an object."""
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise LoadError(f"{p}: file is {size} bytes, over the {MAX_BYTES}-byte limit")
        raw = read_bounded(p, MAX_BYTES)
    except OSError as e:
        raise LoadError(f"{p}: cannot read: {e.strerror or e}") from None
    if len(raw) > MAX_BYTES:  # grew since stat(), or stat() does not know its size
        raise LoadError(f"{p}: file is over the {MAX_BYTES}-byte limit")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise LoadError(f"{p}: not UTF-8 text (bad byte at offset {e.start})") from None
    depth = _max_depth(text)
    if depth > MAX_DEPTH:
        raise LoadError(f"{p}: JSON nested {depth} levels deep, over the limit of {MAX_DEPTH}")
    try:
        document = json.loads(text, parse_constant=_refuse_constant,
                              object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as e:
        raise LoadError(f"{p}: not valid JSON (the file may be truncated): {e}") from None
    except ValueError as e:
        raise LoadError(f"{p}: {e}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise LoadError(f"{p}: not an autograd_lite parameter file "
                        f"(expected \"format\": \"{FORMAT}\")")
    version = document.get("version")
    if isinstance(version, bool) or version not in READABLE_VERSIONS:
        raise LoadError(f"{p}: unsupported version {version!r} (this is version {VERSION})")
    if not isinstance(document.get("parameters"), dict):
        raise LoadError(f"{p}: \"parameters\" must be an object of named tensors")
    return document


def _architecture_of(where: str, module: Module) -> Architecture:
    """``module.architecture()``, refused by name unless it is a dict of JSON values."""
    architecture = module.architecture()
    if not isinstance(architecture, dict):
        raise TypeError(f"{where}: {type(module).__name__}.architecture() must return a "
                        f"dict, got {type(architecture).__name__}")
    try:
        json.dumps(architecture, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{where}: {type(module).__name__}.architecture() must hold JSON "
                        f"values only (str, int, finite float, bool, None, list, dict): {e}"
                        ) from None
    return architecture


def _difference(saved: object, current: object, where: str = "") -> str | None:
    """The first place two architectures differ, in words (``None`` if they agree)."""
    if isinstance(saved, dict) and isinstance(current, dict):
        for key in [*saved, *(k for k in current if k not in saved)]:
            name = f"{where}.{key}" if where else key
            if key not in current:
                return f"{json.dumps(name)} is in the file, not in the module"
            if key not in saved:
                return f"{json.dumps(name)} is in the module, not in the file"
            found = _difference(saved[key], current[key], name)
            if found is not None:
                return found
        return None
    if saved == current:
        return None
    return f"{json.dumps(where)} is {saved!r} in the file, {current!r} in the module"


def _check_module(where: str, module: object) -> None:
    if not isinstance(module, Module):
        raise TypeError(f"{where}: module must be a Module (an MLP, Layer or Neuron), got "
                        f"{type(module).__name__}")


def _path(where: str, path: object) -> Path:
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"{where}: path must be a str or os.PathLike, got {type(path).__name__}")
    return Path(path)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a finite number")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _max_depth(text: str) -> int:
    r"""The deepest nesting of ``[`` / ``{`` outside strings, in time linear in ``len(text)``.

    Escapes go first (``\\`` pairs from the left, then ``\"``), so every ``"`` left opens
    or closes a string; the strings go (an unclosed one runs to the end); then the depth is
    the largest running sum of ``+1`` per ``[ {`` and ``-1`` per ``] }``.  Each step is one
    pass without backtracking (``str.replace``, a regex of one ``[^"]*``,
    ``itertools.accumulate``), so a hostile file costs what a benign one of its size does.

    Examples:
        >>> _max_depth(r'{"a": [[1], "[[\"[["], "b\\": "{"}')
        3
        >>> _max_depth('"' + r'\"' * 5)    # escaped quotes only: one unclosed string
        0
    """
    unescaped = text.replace("\\\\", "").replace('\\"', "")
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", unescaped))
    return max(0, max(accumulate(map(_STEP.__getitem__, brackets)), default=0))


_STRING = re.compile(r'"[^"]*"?')  # after escapes are gone: never fails, never backtracks
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


__all__ = ["LoadError", "load", "read_state_dict", "save"]
