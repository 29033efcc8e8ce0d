"""autograd_lite.nn.io: exact JSON round trips; every bad file refused, the module untouched.

A file is loaded only into the architecture it was saved from (an MLP saved with tanh is
refused by a ReLU one), and saving goes through a fresh temporary file renamed over the
target: nothing planted is followed, concurrent savers and readers see whole files only.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograd_lite import Value
from autograd_lite.core import files
from autograd_lite.nn import MLP, Layer, Module, Neuron, io
from autograd_lite.nn.io import LoadError, load, read_state_dict, save


def _net(seed: int = 0) -> MLP:
    return MLP(2, [3, 1], seed=seed)


def _document(state: object) -> str:
    return json.dumps({"format": io.FORMAT, "version": io.VERSION,
                       "architecture": _net().architecture(), "parameters": state})


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=13,
                       max_size=13))
def test_round_trip_is_bit_exact_for_any_finite_floats(tmp_path: Path,
                                                       values: list[float]) -> None:
    source = _net()
    for p, v in zip(source.parameters(), values):
        p.data = v
    path = tmp_path / "net.json"
    save(source, path)
    target = load(_net(seed=1), path)
    assert [p.data for p in target.parameters()] == values  # == on floats: bit for bit
    assert all(str(v) == repr(v) for v in values)


def test_file_is_plain_json_in_pytorch_layout(tmp_path: Path) -> None:
    path = tmp_path / "net.json"
    save(_net(), path)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["format"] == "autograd_lite.state_dict" and document["version"] == 2
    assert document["architecture"] == {"module": "MLP", "sizes": [2, 3, 1],
                                        "activations": ["relu", "linear"],
                                        "bias": [True, True], "bias_input": [1.0, 1.0]}
    assert len(document["parameters"]["layers.0.weight"]) == 3  # [out][in]
    assert read_state_dict(path) == _net().state_dict()


BAD_FILES = [
    (b"", "not valid JSON \\(the file may be truncated\\)"),
    (_document(_net().state_dict()).encode()[:-20], "not valid JSON"),
    (b'{"format": "something else"}', "not an autograd_lite parameter file"),
    (b'{"format": "autograd_lite.state_dict", "version": 3, "parameters": {}}',
     "unsupported version 3"),
    (b'{"format": "autograd_lite.state_dict", "version": true, "parameters": {}}',
     "unsupported version True"),
    (b'{"format": "autograd_lite.state_dict", "version": 2, "architecture": "MLP", '
     b'"parameters": {}}', "\"architecture\" must be an object$"),
    (b'{"format": "autograd_lite.state_dict", "version": 2, "parameters": []}',
     "\"parameters\" must be an object"),
    (b"\xff\xfe{}", "not UTF-8 text \\(bad byte at offset 0\\)"),
    (b"[" * 100 + b"]" * 100, "nested 100 levels deep, over the limit of 32"),
    (b'{"format": 1, "format": 2}', "duplicate key 'format'"),
    (_document({"layers.0.weight": [[0.0, 0.0]] * 3, "layers.0.bias": [0.0, 0.0, 0.0],
                "layers.1.weight": [[0.0, 0.0, 0.0]], "layers.1.bias": [0.0]})
     .replace("[0.0]", "[NaN]").encode(), "NaN is not a finite number"),
    (_document({"layers.0.weight": [[0.0, 0.0]] * 3, "layers.0.bias": [0.0, 0.0, 0.0],
                "layers.1.weight": [[0.0, 0.0, 0.0]], "layers.1.bias": [0.0]})
     .replace("[0.0]", "[1e999]").encode(),
     "parameter 'layers.1.bias\\[0\\]': inf is not a finite number"),
    (_document({"layers.0.weight": [[0.0, 0.0]] * 2, "layers.0.bias": [0.0, 0.0, 0.0],
                "layers.1.weight": [[0.0, 0.0, 0.0]], "layers.1.bias": [0.0]}).encode(),
     "parameter 'layers.0.weight': expected length 3, got 2"),
    (_document({"layers.0.weight": [[0.0, 0.0]] * 3, "layers.0.bias": [0.0, 0.0, 0.0],
                "layers.1.weight": [[0.0, 0.0, 0.0]], "layers.9.bias": [0.0]}).encode(),
     "missing parameter\\(s\\) 'layers.1.bias'; unexpected parameter\\(s\\) 'layers.9.bias'"),
]


@pytest.mark.parametrize(("content", "message"), BAD_FILES)
def test_bad_file_is_refused_naming_the_problem_and_module_untouched(
        tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    net = _net()
    before = net.state_dict()
    with pytest.raises(LoadError, match=message) as info:
        load(net, path)
    assert str(path) in str(info.value)
    assert net.state_dict() == before


def test_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as f:
        f.truncate(io.MAX_BYTES + 1)  # sparse: large on paper, nothing to read
    with pytest.raises(LoadError, match=f"file is {io.MAX_BYTES + 1} bytes, over the"):
        load(_net(), path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="cannot read: No such file or directory"):
        load(_net(), tmp_path / "nope.json")


def test_a_file_for_another_architecture_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    save(MLP(2, [4, 1]), path)
    with pytest.raises(LoadError, match=r'saved from another architecture: "sizes" is '
                                        r"\[2, 4, 1\] in the file, \[2, 3, 1\] in the module$"):
        load(_net(), path)


# --- the architecture: a file is only loaded into the kind of module it was saved from ---

@pytest.mark.parametrize(("saved", "loaded", "difference"), [
    (MLP(4, [16, 3], activation="tanh", seed=0), MLP(4, [16, 3], seed=1),
     "\"activations\" is ['tanh', 'linear'] in the file, ['relu', 'linear'] in the module"),
    (MLP(2, [3, 1], output_activation="sigmoid", seed=0), _net(),
     "\"activations\" is ['relu', 'sigmoid'] in the file, ['relu', 'linear'] in the module"),
    (MLP(2, [3, 1], bias_input=-1.0, seed=0), _net(),  # note 003's bias input: -b, not +b
     "\"bias_input\" is [-1.0, -1.0] in the file, [1.0, 1.0] in the module"),
    (Layer(2, 3, "tanh", seed=0), Layer(2, 3, "relu", seed=0),
     "\"activation\" is 'tanh' in the file, 'relu' in the module"),
    (Neuron(2, "sigmoid", seed=0), Neuron(2, "linear", seed=0),
     "\"activation\" is 'sigmoid' in the file, 'linear' in the module"),
    (Layer(2, 3, bias=False, seed=0), Layer(2, 3, seed=0),
     "\"bias\" is False in the file, True in the module"),
    (Layer(2, 1, "relu", seed=0), MLP(2, [1], activation="relu", seed=0),
     "\"module\" is 'Layer' in the file, 'MLP' in the module"),
])
def test_a_file_saved_from_another_architecture_is_refused_naming_the_difference(
        tmp_path: Path, saved: Module, loaded: Module, difference: str) -> None:
    # Each pair has the same parameter names and shapes (bar the bias row), so before the
    # file recorded the architecture these loaded silently and changed every prediction.
    path = tmp_path / "model.json"
    save(saved, path)
    before = loaded.state_dict()
    with pytest.raises(LoadError) as caught:
        load(loaded, path)
    assert str(caught.value) == f"{path}: saved from another architecture: {difference}"
    assert loaded.state_dict() == before


def test_the_right_architecture_still_loads_and_predicts_the_same(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    trained = MLP(4, [16, 3], activation="tanh", seed=0)
    save(trained, path)
    copy = load(MLP(4, [16, 3], activation="tanh", seed=1), path)
    x = [0.5, -1.0, 2.0, 0.25]
    assert [y.data for y in copy(x)] == [y.data for y in trained(x)]


def test_a_version_1_file_is_refused_by_load_with_the_way_to_re_save_it(tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    state = _net(seed=7).state_dict()
    path.write_text(json.dumps({"format": io.FORMAT, "version": 1, "parameters": state}))
    net = _net()
    with pytest.raises(LoadError, match=r"a version 1 file records no architecture to check "
                                        r"against MLP; if it was saved from this architecture, "
                                        r"re-save it: module\.load_state_dict\(read_state_dict"
                                        r"\(path\)\); save\(module, path\)$"):
        load(net, path)
    assert net.state_dict() == _net().state_dict()
    net.load_state_dict(read_state_dict(path))   # the recipe in the message
    save(net, path)
    assert load(_net(), path).state_dict() == state


def test_an_architecture_that_is_not_json_is_refused_by_name(tmp_path: Path) -> None:
    class Odd(Module):
        def __init__(self) -> None:
            self.w = Value(1.0)

        def architecture(self) -> dict[str, Any]:
            return {"module": "Odd", "scale": float("nan")}

    with pytest.raises(TypeError, match=r"^save: Odd\.architecture\(\) must hold JSON values "
                                        r"only .*: Out of range float values"):
        save(Odd(), tmp_path / "odd.json")
    assert list(tmp_path.iterdir()) == []


# --- writing: one fresh temporary file per save, renamed over the target ---

def test_a_symlink_planted_at_the_old_partial_name_is_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    planted = tmp_path / "model.json.partial"   # the fixed name the first save() used
    planted.symlink_to(victim)
    save(_net(), tmp_path / "model.json")
    assert victim.read_text() == "precious"
    assert planted.is_symlink() and os.readlink(planted) == str(victim)
    assert read_state_dict(tmp_path / "model.json") == _net().state_dict()


def test_a_symlink_planted_at_the_temporary_name_is_not_followed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    target = tmp_path / "model.json"
    planted = tmp_path / ".model.json.guessed.tmp"
    planted.symlink_to(victim)
    names = iter([planted, tmp_path / ".model.json.fresh.tmp"])  # the guess comes first
    monkeypatch.setattr(files, "temporary_name", lambda _: next(names))
    save(_net(), target)
    assert victim.read_text() == "precious" and planted.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == [planted.name, "model.json",
                                                          "victim.txt"]


def test_a_symlink_at_the_target_is_replaced_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (tmp_path / "model.json").symlink_to(victim)
    save(_net(), tmp_path / "model.json")
    assert victim.read_text() == "precious"
    assert not (tmp_path / "model.json").is_symlink()


def test_the_file_gets_the_permissions_a_plain_open_would_give(tmp_path: Path) -> None:
    plain = tmp_path / "plain.json"
    plain.write_text("{}")          # 0o666 less the umask, e.g. 0o644 (mkstemp gives 0o600)
    save(_net(), tmp_path / "model.json")
    assert stat.S_IMODE((tmp_path / "model.json").stat().st_mode) == stat.S_IMODE(
        plain.stat().st_mode)


def test_a_failed_save_leaves_the_target_and_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "model.json"
    target.mkdir()                  # os.replace cannot put a file over a directory
    (target / "keep").write_text("x")
    with pytest.raises(OSError, match=f"^save: cannot write {re.escape(repr(str(target)))}: "):
        save(_net(), target)
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]
    assert [p.name for p in target.iterdir()] == ["keep"]
    with pytest.raises(FileNotFoundError, match="No such file or directory"):
        save(_net(), tmp_path / "missing" / "model.json")


def _models(n: int) -> list[MLP]:
    return [MLP(2, [3, 1], seed=seed) for seed in range(n)]


def test_eight_threads_saving_to_one_path_while_another_reads(tmp_path: Path) -> None:
    # The fixed .partial name made this raise FileNotFoundError in 8 of 8 threads (one
    # thread's rename took the file another was about to rename) and let readers see
    # half-written files.
    path = tmp_path / "model.json"
    models = _models(8)
    states = [m.state_dict() for m in models]
    save(models[0], path)
    errors: list[BaseException] = []
    reads: list[object] = []
    writing = threading.Event()

    def writer(model: MLP) -> None:
        try:
            for _ in range(25):
                save(model, path)
        except BaseException as e:  # reported by the assert below
            errors.append(e)

    def reader() -> None:
        try:
            while writing.is_set():
                reads.append(read_state_dict(path))
        except BaseException as e:
            errors.append(e)

    writing.set()
    threads = [threading.Thread(target=writer, args=(m,)) for m in models]
    watcher = threading.Thread(target=reader)
    for t in [*threads, watcher]:
        t.start()
    for t in threads:
        t.join()
    writing.clear()
    watcher.join()
    assert errors == []
    assert reads and all(state in states for state in reads)
    assert read_state_dict(path) in states
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]


_SAVER = """
import sys
from autograd_lite import MLP, save
model = MLP(2, [32, 32, 1], seed=int(sys.argv[1]))
for _ in range(30):
    save(model, sys.argv[2])
"""


def test_three_processes_saving_to_one_path_while_this_one_reads(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    states = [MLP(2, [32, 32, 1], seed=seed).state_dict() for seed in range(3)]
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    workers = [subprocess.Popen([sys.executable, "-c", _SAVER, str(seed), str(path)],
                                env=env, cwd=root, stderr=subprocess.PIPE, text=True)
               for seed in range(3)]
    reads = 0
    while any(w.poll() is None for w in workers):
        if path.exists():
            assert read_state_dict(path) in states
            reads += 1
    failures = [w.communicate(timeout=120)[1] for w in workers if w.returncode != 0]
    assert failures == []
    assert reads > 0 and read_state_dict(path) in states
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]
