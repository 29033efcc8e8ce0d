"""Save and load a module's parameters as JSON: exact, safe, all-or-nothing.

The file is ``{"format": "autograd_lite.state_dict", "version": 1, "parameters": {...}}``
with the module's :meth:`~autograd_lite.nn.Module.state_dict` (nested lists in PyTorch's
layout).  Floats are written with ``repr``, so they read back bit for bit.  Reading uses
only ``json`` (no pickle, no eval) and refuses, with a :class:`LoadError` naming the file
and the problem: files over :data:`MAX_BYTES`, non-UTF-8 bytes, JSON nested deeper than
:data:`MAX_DEPTH`, NaN/Infinity, duplicate keys, another format, and -- through
``load_state_dict`` -- missing, unexpected, misshapen or non-finite parameters.  The module
is only changed once everything has been checked.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from autograd_lite.nn.modules import Module, StateDict, StateDictError

FORMAT = "autograd_lite.state_dict"
VERSION = 1
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
    """Write ``module``'s parameters to ``path`` as JSON (floats exact via ``repr``).

    The file is written next to ``path`` and then renamed over it, atomically.

    Raises:
        TypeError: ``module`` is not a Module or ``path`` not a path.
        OSError: the file cannot be written.

    Examples:
        >>> import json, os, tempfile
        >>> from autograd_lite import MLP, save
        >>> model = MLP(2, [1], seed=0)
        >>> path = os.path.join(tempfile.mkdtemp(), "model.json")
        >>> save(model, path)
        >>> with open(path) as f:
        ...     stored = json.load(f)
        >>> sorted(stored), list(stored["parameters"])
        (['format', 'parameters', 'version'], ['layers.0.weight', 'layers.0.bias'])
    """
    _check_module("save", module)
    target = _path("save", path)
    document = {"format": FORMAT, "version": VERSION, "parameters": module.state_dict()}
    text = json.dumps(document, indent=1, allow_nan=False)
    partial = target.with_name(target.name + ".partial")
    try:
        partial.write_text(text + "\n", encoding="utf-8")
        os.replace(partial, target)  # a reader never sees a half-written file
    except OSError as e:
        partial.unlink(missing_ok=True)
        error = type(e)(f"save: cannot write {str(target)!r}: {e.strerror or e}")
        error.errno = e.errno
        raise error from None


def read_state_dict(path: PathLike) -> StateDict:
    """The parameters stored in ``path``, checked as a file (not yet against a module).

    Raises:
        LoadError: as for :func:`load`.

    Examples:
        >>> import os, tempfile
        >>> from autograd_lite import MLP, save
        >>> from autograd_lite.nn.io import read_state_dict
        >>> path = os.path.join(tempfile.mkdtemp(), "model.json")
        >>> save(MLP(2, [1], seed=0), path)
        >>> read_state_dict(path) == MLP(2, [1], seed=0).state_dict()
        True
    """
    p = _path("read_state_dict", path)
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise LoadError(f"{p}: file is {size} bytes, over the {MAX_BYTES}-byte limit")
        raw = p.read_bytes()
    except OSError as e:
        raise LoadError(f"{p}: cannot read: {e.strerror or e}") from None
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
    if document.get("version") != VERSION:
        raise LoadError(f"{p}: unsupported version {document.get('version')!r} "
                        f"(this is version {VERSION})")
    parameters = document.get("parameters")
    if not isinstance(parameters, dict):
        raise LoadError(f"{p}: \"parameters\" must be an object of named tensors")
    return parameters


def load(module: Module, path: PathLike) -> Module:
    """Load the parameters in ``path`` into ``module`` (all or nothing) and return it.

    Raises:
        LoadError: the file is missing, unreadable, over 64 MiB, not UTF-8, not valid JSON,
            nested too deep, or not an autograd_lite parameter file.
        StateDictError: its parameters do not fit ``module`` (names, shapes, numbers);
            nothing is changed.
        TypeError: ``module`` is not a Module or ``path`` not a path.

    Examples:
        >>> import os, tempfile
        >>> from autograd_lite import MLP, load, save
        >>> path = os.path.join(tempfile.mkdtemp(), "model.json")
        >>> save(MLP(2, [3, 1], seed=0), path)
        >>> model = load(MLP(2, [3, 1], seed=1), path)     # seed 1's weights replaced
        >>> model.state_dict() == MLP(2, [3, 1], seed=0).state_dict()
        True
    """
    _check_module("load", module)
    state = read_state_dict(path)
    try:
        module.load_state_dict(state)
    except StateDictError as e:
        raise LoadError(f"{Path(path)}: {e}") from None
    return module


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
    """The deepest nesting of ``[`` / ``{`` outside strings (checked before parsing)."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub('""', text)):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


__all__ = ["LoadError", "load", "read_state_dict", "save"]
