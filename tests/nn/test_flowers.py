"""The shipped classification set ``flowers.csv`` is what its README says: the output of the
program printed there, byte for byte, with the shape and classes the how-to relies on."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

import autograd_lite

DATA = Path(autograd_lite.__file__).parent / "data"


def test_the_csv_is_the_output_of_the_program_in_the_readme() -> None:
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## flowers.csv"):]
    program = re.search(r"```python\n(.*?)```", section, re.S)
    assert program is not None
    namespace: dict[str, object] = {}
    exec(compile(program[1], "data/README.md, flowers.csv", "exec"), namespace)
    assert namespace["text"] == (DATA / "flowers.csv").read_text(encoding="utf-8")
    assert "MIT License" in section


def test_the_set_is_iris_sized_with_three_balanced_classes() -> None:
    text = files("autograd_lite").joinpath("data", "flowers.csv").read_text(encoding="utf-8")
    header, *lines = text.splitlines()
    assert header == "sepal_length,sepal_width,petal_length,petal_width,species"
    rows = [line.split(",") for line in lines]
    assert len(rows) == 150 and all(len(r) == 5 for r in rows)
    classes = [int(r[4]) for r in rows]
    assert [classes.count(k) for k in range(3)] == [50, 50, 50]
    assert all(float(v) >= 0.1 for r in rows for v in r[:4])
