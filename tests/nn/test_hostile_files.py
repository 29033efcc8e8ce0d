"""Hostile files: every bad model file is refused with a LoadError naming it, fast, all or
nothing; every file the package writes replaces its target whole, through a fresh temporary
file, without following a link planted in its way.

Each row writes one file, loads it into a fresh ``MLP(2, [3, 1])`` and asserts the error
type, an excerpt of the message, and that every parameter is exactly what it was before.
A 1 GB file (sparse: ``truncate``, no disk used) must be refused from its size alone, in
well under a second and without reading it (tracemalloc peak < 1 MB).  A device or FIFO, even
behind a symlink, is refused without reading or waiting; no more than ``MAX_BYTES + 1``
bytes are ever read; and every check takes time linear in the file's size (a 64 KB file
of escaped quotes took 11 s, the depth check's regex being quadratic).  Run this file as a
script to print the rows as a Markdown table.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import Value
from autograd_lite.graph.diagram import draw_dot
from autograd_lite.graph.render import save_source
from autograd_lite.graph.steps import StepPage
from autograd_lite.nn import MLP, io
from autograd_lite.nn.io import LoadError, load, save


def _net(seed: int = 0) -> MLP:
    return MLP(2, [3, 1], seed=seed)


def _document(parameters: object, **overrides: object) -> str:
    return json.dumps({"format": io.FORMAT, "version": io.VERSION,
                       "architecture": _net().architecture(), "parameters": parameters,
                       **overrides})


def _good_state() -> dict[str, object]:
    return _net(seed=7).state_dict()


def _with(name: str, value: object) -> str:
    state = _good_state()
    state[name] = value
    return _document(state)


def _truncated(path: Path) -> None:
    save(_net(seed=7), path)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _text(text: str) -> Callable[[Path], None]:
    return lambda path: path.write_text(text, encoding="utf-8")


def _bytes(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data)


def _sparse_gigabyte(path: Path) -> None:
    with open(path, "wb") as f:
        f.truncate(1 << 30)  # 1 GiB of zeros, allocated on disk lazily (sparse)


def _directory(path: Path) -> None:
    path.mkdir()


def _link_to_dev_zero(path: Path) -> None:
    path.symlink_to("/dev/zero")  # stat() says 0 bytes; reading it never ends


def _fifo(path: Path) -> None:
    os.mkfifo(path)  # opening it for reading would wait for a writer


def _mismatched(path: Path) -> None:
    save(MLP(2, [4, 1], seed=7), path)  # 4 hidden units, loaded into a net with 3


FILE_CASES: list[tuple[str, Callable[[Path], None], str]] = [
    ("missing file", lambda path: None, r": cannot read: No such file or directory$"),
    ("a directory", _directory, r": cannot read: Is a directory$"),
    ("a symlink to /dev/zero", _link_to_dev_zero,
     r": cannot read: not a regular file \(a character device\)$"),
    ("a FIFO", _fifo, r": cannot read: not a regular file \(a FIFO\)$"),
    ("empty file", _bytes(b""), r"not valid JSON \(the file may be truncated\)"),
    ("truncated file (half of a saved one)", _truncated,
     r"not valid JSON \(the file may be truncated\)"),
    ("1 GB file (sparse)", _sparse_gigabyte,
     r"file is 1073741824 bytes, over the 67108864-byte limit$"),
    ("nested 100,000 deep", _text("[" * 100_000 + "]" * 100_000),
     r"JSON nested 100000 levels deep, over the limit of 32$"),
    ("not UTF-8 (Latin-1 bytes)", _bytes(b'{"format": "caf\xe9"}'),
     r"not UTF-8 text \(bad byte at offset 15\)$"),
    ("UTF-16 with a BOM", _bytes(_document({}).encode("utf-16")),
     r"not UTF-8 text \(bad byte at offset 0\)$"),
    ("NaN literal", _text(_with("layers.1.bias", [float("nan")])),
     r"NaN is not a finite number$"),
    ("Infinity literal", _text(_with("layers.1.bias", [float("inf")])),
     r"Infinity is not a finite number$"),
    ("1e400 (overflows to inf)", _text(_with("layers.1.bias", [0.0]).replace(
        '"layers.1.bias": [0.0]', '"layers.1.bias": [1e400]')),
     r"parameter 'layers\.1\.bias\[0\]': inf is not a finite number$"),
    ("a 400-digit integer", _text(_with("layers.1.bias", [10**400])),
     r"parameter 'layers\.1\.bias\[0\]': inf is not a finite number$"),
    ("a 5000-digit integer", _text(_document({}).replace("{}", '{"a": ' + "9" * 5000 + "}")),
     r"Exceeds the limit \(4300 digits\) for integer string conversion"),
    ("a string parameter", _text(_with("layers.1.bias", ["0.5"])),
     r"parameter 'layers\.1\.bias\[0\]': expected a number, got str$"),
    ("a bool parameter", _text(_with("layers.1.bias", [True])),
     r"parameter 'layers\.1\.bias\[0\]': expected a number, got bool$"),
    ("a number where a list belongs", _text(_with("layers.1.bias", 0.5)),
     r"parameter 'layers\.1\.bias': expected a list of length 1, got float$"),
    ("saved from MLP(2, [4, 1])", _mismatched,
     r'saved from another architecture: "sizes" is \[2, 4, 1\] in the file, \[2, 3, 1\] in '
     r"the module$"),
    ("mismatched shape (edited by hand)", _text(_with("layers.0.weight", [[0.0, 0.0]] * 4)),
     r"parameter 'layers\.0\.weight': expected length 3, got 4 \(shape should be \[3, 2\]\)$"),
    ("missing parameter", _text(_document({k: v for k, v in _good_state().items()
                                           if k != "layers.0.bias"})),
     r"missing parameter\(s\) 'layers\.0\.bias'$"),
    ("unexpected parameter", _text(_with("layers.9.weight", [[1.0]])),
     r"unexpected parameter\(s\) 'layers\.9\.weight'$"),
    ("duplicate key", _text(_document({}).replace('"parameters": {}',
                                                  '"parameters": {}, "parameters": {}')),
     r"duplicate key 'parameters'$"),
    ("another format", _text(json.dumps({"format": "torch", "version": 1, "parameters": {}})),
     r"not an autograd_lite parameter file \(expected \"format\": "
     r"\"autograd_lite\.state_dict\"\)$"),
    ("another version", _text(_document({}, version=3)), r"unsupported version 3 \(this is "
                                                          r"version 2\)$"),
    ("parameters not an object", _text(_document([1.0])),
     r"\"parameters\" must be an object of named tensors$"),
    ("a JSON list", _text("[1, 2, 3]"), r"not an autograd_lite parameter file"),
    ("pickle bytes", _bytes(b"\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00}\x94."),
     r"not UTF-8 text \(bad byte at offset 0\)$"),
]


@pytest.mark.parametrize(("what", "write", "message"), FILE_CASES,
                         ids=[c[0] for c in FILE_CASES])
def test_bad_file_is_refused_and_leaves_the_module_untouched(
        tmp_path: Path, what: str, write: Callable[[Path], None], message: str) -> None:
    path = tmp_path / "model.json"
    write(path)
    net = _net()
    before = [(p.data, p.grad) for p in net.parameters()]
    tracemalloc.start()
    try:
        with pytest.raises(LoadError, match=message) as caught:
            load(net, path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(caught.value).startswith(f"{path}: ")  # the message names the file
    assert [(p.data, p.grad) for p in net.parameters()] == before
    if os.path.exists(path) and (not path.is_file() or path.stat().st_size > io.MAX_BYTES):
        assert peak < 1 << 20, f"{what}: read {peak} bytes into memory"


def test_a_good_file_still_loads_after_all_that(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    save(_net(seed=7), path)
    assert load(_net(), path).state_dict() == _net(seed=7).state_dict()


def markdown_table(tmp: Path) -> str:
    """The rows as a Markdown table (file -> exception -> message after the path)."""
    rows = ["| model file | exception | message (after the path) |", "|---|---|---|"]
    for i, (what, write, _) in enumerate(FILE_CASES):
        path = tmp / f"case{i}.json"
        write(path)
        try:
            load(_net(), path)
        except LoadError as error:
            text = str(error).split(": ", 1)[1].replace("|", "\\|")
            rows.append(f"| {what} | `LoadError` | `{text[:100]}` |")
        if path.is_dir() and not path.is_symlink():
            path.rmdir()
        elif path.is_symlink() or path.exists():
            path.unlink()
    return "\n".join(rows)


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        sys.stdout.write(markdown_table(Path(directory)) + "\n")


def test_a_file_whose_size_stat_does_not_know_is_read_only_to_the_limit(
        monkeypatch: pytest.MonkeyPatch) -> None:
    maps = Path("/proc/self/maps")  # a regular file, st_size 0, some kilobytes long
    if not maps.is_file() or maps.stat().st_size != 0:
        pytest.skip("needs Linux's /proc")
    monkeypatch.setattr(io, "MAX_BYTES", 100)
    with pytest.raises(LoadError, match=r"^/proc/self/maps: file is over the 100-byte limit$"):
        load(_net(), maps)


def _depth(value: object) -> int:
    """Nesting of a parsed JSON value, walked: the reference for ``_max_depth``."""
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    return 0


_TRICKY_TEXT = st.text(alphabet='[]{}"\\/ab\u2028', max_size=8)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | _TRICKY_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TRICKY_TEXT, inner,
                                                                max_size=3),
    max_leaves=20)


@settings(max_examples=300)
@given(value=JSON_VALUES, ascii_only=st.booleans())
def test_max_depth_counts_brackets_outside_strings_only(value: object,
                                                        ascii_only: bool) -> None:
    # strings full of brackets, quotes and backslashes must not move the count
    assert io._max_depth(json.dumps(value, ensure_ascii=ascii_only)) == _depth(value)


def _best_time(action: Callable[[], object], repeats: int = 3) -> float:
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def _refused_or_read(path: Path) -> None:
    with contextlib.suppress(LoadError):
        io.read_state_dict(path)


HOSTILE_UNITS = {
    "escaped quotes": '\\"',                 # 64 KB of these took 11.6 s before
    "a string of escaped quotes": '"' + '\\"',
    "backslashes": "\\",
    "open brackets": "[",
    "quotes and brackets": '"[',
}


@pytest.mark.parametrize("size", [64 * 1024, 4 * 1024 * 1024], ids=["64KB", "4MB"])
@pytest.mark.parametrize("unit", list(HOSTILE_UNITS.values()), ids=list(HOSTILE_UNITS))
def test_hostile_patterns_take_time_linear_in_the_size(tmp_path: Path, unit: str,
                                                       size: int) -> None:
    # The linear baseline: json.loads of a benign document of the same size.  The quadratic
    # check took 11 s at 64 KB (hours at 4 MB); the linear one takes 0.2 to 6.3 times the
    # baseline (measured: 0.1-2.6 ms at 64 KB, 8-224 ms at 4 MB, baseline 0.4 and 42 ms).
    path = tmp_path / "hostile.json"
    path.write_text((unit * (size // len(unit) + 1))[:size], encoding="utf-8")
    benign = json.dumps([0.125] * (size // 7))
    baseline = _best_time(lambda: json.loads(benign))
    elapsed = _best_time(lambda: _refused_or_read(path))
    assert elapsed < 25 * baseline + 0.2, f"{elapsed:.3f} s against a baseline of {baseline:.4f} s"


# --- every file the package writes: a fresh temporary file, renamed over the target ---

def _planted_links(tmp_path: Path, names: list[str]) -> Path:
    """A victim file and a symlink to it at each of ``names``; returns the victim."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    for name in names:
        (tmp_path / name).symlink_to(victim)
    return victim


def _drawing() -> Any:
    x, y = Value(2.0, "x"), Value(3.0, "y")
    return draw_dot(x * y)


WRITERS: list[tuple[str, list[str], Callable[[Path], object]]] = [
    ("save", ["model.json"], lambda d: save(_net(), d / "model.json")),
    ("Diagram.save", ["graph.dot"], lambda d: _drawing().save(d / "graph.dot")),
    ("save_source", ["graph.gv"], lambda d: save_source("digraph { a }", d / "graph.gv")),
    ("Diagram.render", ["g.gv", "g.gv.svg"],
     lambda d: _drawing().render("g.gv", directory=d, format="svg", backend="wasm")),
    ("StepPage.save", ["steps.html"], lambda d: StepPage("<!DOCTYPE html>").save(d / "steps.html")),
]


@pytest.mark.parametrize(("what", "targets", "write"), WRITERS, ids=[w[0] for w in WRITERS])
def test_a_writer_replaces_a_symlink_at_its_target_and_leaves_no_temporary_file(
        tmp_path: Path, what: str, targets: list[str], write: Callable[[Path], object]) -> None:
    # A plain open() wrote through the links, into the victim (the graph writers did).
    victim = _planted_links(tmp_path, targets)
    write(tmp_path)
    assert victim.read_text() == "precious", what
    assert not any((tmp_path / name).is_symlink() for name in targets)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*targets, "victim.txt"])


def test_threads_drawing_to_one_path_never_show_a_reader_part_of_a_file(tmp_path: Path) -> None:
    path = tmp_path / "graph.dot"
    sources = [f"digraph {{ {' -> '.join(f'n{i}' for i in range(k * 400))} }}"
               for k in range(1, 5)]
    save_source(sources[0], path)
    seen: list[str] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            seen.append(path.read_text(encoding="utf-8"))

    writers = [threading.Thread(target=lambda s=s: [save_source(s, path) for _ in range(30)])
               for s in sources]
    reader = threading.Thread(target=read)
    for t in [reader, *writers]:
        t.start()
    for t in writers:
        t.join()
    done.set()
    reader.join()
    assert seen and all(text in sources for text in seen)
    assert [p.name for p in tmp_path.iterdir()] == ["graph.dot"]


def test_a_failed_write_names_the_target_not_the_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "steps.html"
    with pytest.raises(FileNotFoundError) as caught:
        StepPage("<!DOCTYPE html>").save(target)
    assert caught.value.filename == str(target)
    assert str(caught.value) == f"[Errno 2] No such file or directory: {str(target)!r}"
