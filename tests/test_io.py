"""autograd_lite.nn.io: exact JSON round trips; every bad file refused, the module untouched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograd_lite.nn import MLP, io
from autograd_lite.nn.io import LoadError, load, read_state_dict, save


def _net(seed: int = 0) -> MLP:
    return MLP(2, [3, 1], seed=seed)


def _document(state: object) -> str:
    return json.dumps({"format": io.FORMAT, "version": io.VERSION, "parameters": state})


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
    assert document["format"] == "autograd_lite.state_dict" and document["version"] == 1
    assert len(document["parameters"]["layers.0.weight"]) == 3  # [out][in]
    assert read_state_dict(path) == _net().state_dict()


BAD_FILES = [
    (b"", "not valid JSON \\(the file may be truncated\\)"),
    (_document(_net().state_dict()).encode()[:-20], "not valid JSON"),
    (b'{"format": "something else"}', "not an autograd_lite parameter file"),
    (b'{"format": "autograd_lite.state_dict", "version": 2, "parameters": {}}',
     "unsupported version 2"),
    (b'{"format": "autograd_lite.state_dict", "version": 1, "parameters": []}',
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
    with pytest.raises(LoadError, match=r"'layers\.0\.weight': expected length 3, got 4"):
        load(_net(), path)
