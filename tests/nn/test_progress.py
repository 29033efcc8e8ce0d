"""Training feedback: ``nn.Progress`` -- a tqdm bar with the numbers when tqdm is installed,
a plain line every k steps otherwise (and when asked), the same loop either way."""

from __future__ import annotations

import builtins
import io
import sys
from typing import Any

import pytest

from autograd_lite.nn import Progress


def run(progress: Progress, losses: list[float]) -> list[int]:
    seen = []
    for step in progress:
        seen.append(step)
        progress.show(loss=losses[step], accuracy=step / 10)
    return seen


def test_plain_lines_every_k_steps_and_at_the_last() -> None:
    out = io.StringIO()
    steps = run(Progress(7, every=3, bar=False, file=out), [0.5, 0.25, 0.125, 1 / 3, 2.0,
                                                             1e-5, 123456.0])
    assert steps == list(range(7))
    assert out.getvalue().splitlines() == [
        "step 3/7: loss 0.125, accuracy 20.0%",
        "step 6/7: loss 1e-05, accuracy 50.0%",
        "step 7/7: loss 1.235e+05, accuracy 60.0%",
    ]


def test_a_description_prefixes_each_line() -> None:
    out = io.StringIO()
    run(Progress(2, every=1, bar=False, desc="eager", file=out), [1.0, 0.5])
    assert out.getvalue() == ("eager: step 1/2: loss 1, accuracy 0.0%\n"
                              "eager: step 2/2: loss 0.5, accuracy 10.0%\n")


def test_without_tqdm_the_default_is_the_plain_line(monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    real_import = builtins.__import__

    def no_tqdm(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "tqdm":
            raise ImportError("no tqdm here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_tqdm)
    monkeypatch.delitem(sys.modules, "tqdm", raising=False)
    run(Progress(2, every=2), [1.0, 0.5])
    assert capsys.readouterr().out == "step 2/2: loss 0.5, accuracy 10.0%\n"
    with pytest.raises(ValueError, match=r"^Progress: bar=True needs tqdm"):
        Progress(2, bar=True)


def test_with_tqdm_a_bar_carries_the_numbers() -> None:
    pytest.importorskip("tqdm", reason="tqdm is not installed: the bar is not tested here")
    out = io.StringIO()
    progress = Progress(4, bar=True, desc="train", file=out)
    assert run(progress, [1.0, 0.5, 0.25, 0.125]) == [0, 1, 2, 3]
    shown = out.getvalue()
    assert "train" in shown and "4/4" in shown
    assert "loss 0.125, accuracy 30.0%" in shown
    assert progress.last == {"loss": 0.125, "accuracy": 0.3}


def test_a_loop_left_early_closes_its_bar() -> None:
    pytest.importorskip("tqdm", reason="tqdm is not installed: the bar is not tested here")
    progress = Progress(10, bar=True, file=io.StringIO())
    for step in progress:
        if step == 2:
            break
    assert progress._bar is not None and progress._bar.disable  # tqdm's mark of closed


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"steps": 0}, r"^Progress: steps must be a positive int, got 0$"),
    ({"steps": 5, "every": True}, r"^Progress: every must be a positive int, got True$"),
    ({"steps": 2.5}, r"^Progress: steps must be a positive int, got 2\.5$"),
])
def test_bad_arguments_are_named(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Progress(**kwargs)


def test_a_number_that_is_not_one_is_named() -> None:
    progress = Progress(1, bar=False, file=io.StringIO())
    for _ in progress:
        with pytest.raises(TypeError, match=r"^Progress\.show: loss: expected a real number, "
                                            r"got str 'low'$"):
            progress.show(loss="low")  # type: ignore[arg-type]
