"""``autograd-lite grad EXPRESSION NAME=NUMBER ...``: a value and all its gradients.

Example::

    $ autograd-lite grad "x*y + exp(x)" x=2 y=3 --trace --svg graph.svg

The expression is read by the safe parser of :mod:`autograd_lite.cli.formula` (never ``eval``).
Exit status: 0 on success, 1 when the mathematics fails (a domain error) or the diagram
cannot be drawn, 2 for bad input (the message points at the offending character).
"""

from __future__ import annotations

import argparse
import os
import sys
import unicodedata
from pathlib import Path
from typing import TextIO

from autograd_lite.cli.formula import CONSTANTS, FUNCTIONS, FormulaError, parse_formula
from autograd_lite.core.errors import DomainError
from autograd_lite.core.rules import to_float
from autograd_lite.core.value import Value
from autograd_lite.graph.diagram import draw_dot, require_graphviz
from autograd_lite.graph.render import RenderError
from autograd_lite.graph.wengert import wengert_list

PROG = "autograd-lite grad"


class _UsageError(Exception):
    """Bad command-line input (exit status 2)."""


def _function_list() -> str:
    """The functions of the expression language, parameters shown: ``leaky_relu(x, p1)``."""
    return " ".join(name if op.params == 0 else
                    f"{name}(x, {', '.join(f'p{k + 1}' for k in range(op.params))})"
                    for name, op in FUNCTIONS.items())


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Evaluate an expression and print its gradient with respect to every "
                    f"variable (reverse mode).  Functions: {_function_list()}; "
                    f"constants: {', '.join(CONSTANTS)}; operators + - * / **.",
        epilog='Example: autograd-lite grad "x*y + exp(x)" x=2 y=3 --trace.  Put -- before '
               "an expression that starts with '-'.")
    parser.add_argument("expression", help="the formula, e.g. 'x*y + exp(x)'")
    parser.add_argument("assignments", nargs="*", metavar="NAME=NUMBER",
                        help="a value for each variable")
    parser.add_argument("--trace", action="store_true",
                        help="also print the Wengert list (evaluation and adjoint traces)")
    parser.add_argument("--svg", metavar="PATH",
                        help="save the graph diagram in the format the suffix names (.svg, "
                             ".png, .pdf: no Graphviz program needed; .dot writes the DOT "
                             "text)")
    parser.add_argument("--digits", type=int, default=6,
                        help="significant digits printed (default 6)")
    return parser


def _assignments(items: list[str]) -> dict[str, float]:
    """``NAME=NUMBER`` words as a dict; each name NFKC-normalised, as Python (and so the
    expression's parser) reads identifiers: a fullwidth x (U+FF58) is ``x`` in both."""
    values: dict[str, float] = {}
    for item in items:
        name, equals, number = item.partition("=")
        name = unicodedata.normalize("NFKC", name.strip())
        if not equals:
            raise _UsageError(f"expected NAME=NUMBER, got {item!r}")
        if not name.isidentifier() or name.startswith("_"):
            raise _UsageError(f"{name!r} is not a variable name (letters, digits and _, not "
                         "starting with _ or a digit)")
        if name in CONSTANTS:
            raise _UsageError(f"{name} is a constant ({CONSTANTS[name]!r}) and cannot be "
                              "given a value; name the variable differently")
        if name in values:
            raise _UsageError(f"{name} is given twice ({item!r} is {name})"
                              if item.partition("=")[0].strip() != name
                              else f"{name} is given twice")
        try:
            values[name] = to_float(float(number), name)
        except ValueError:  # float() failed, or DomainError for nan and inf
            raise _UsageError(f"{name}={number}: expected a finite number") from None
    return values


def run_grad(argv: list[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run ``autograd-lite grad`` with ``argv`` (the words after ``grad``); the exit status."""
    out = out or sys.stdout
    err = err or sys.stderr
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or argparse has printed a usage error
        return exc.code if isinstance(exc.code, int) else 2
    if not 1 <= args.digits <= 17:
        print(f"{PROG}: error: --digits must be between 1 and 17", file=err)
        return 2
    try:
        if args.svg:
            _check_output_path(args.svg)
        values = _assignments(args.assignments)
        expression = parse_formula(args.expression)
        leaves = {name: Value(number, name) for name, number in values.items()}
        result = expression.evaluate(leaves)
        if result.requires_grad:  # else a constant ("3", "exp(1)"): every gradient is 0
            result.backward()
    except (FormulaError, _UsageError) as exc:
        print(f"{PROG}: error: {exc}", file=err)
        return 2
    except DomainError as exc:
        print(f"{PROG}: {args.expression}: {exc}", file=err)
        return 1
    digits = args.digits
    print(f"{args.expression} = {result.data:.{digits}g}", file=out)
    for name, leaf in leaves.items():
        note = "" if name in expression.variables else "   (not used)"
        print(f"d/d{name} = {leaf.grad + 0.0:.{digits}g}{note}", file=out)
    if not leaves:
        print("(no variables: the expression is a constant, nothing to differentiate)",
              file=out)
    if args.trace:
        print(file=out)
        print(wengert_list(result, digits=digits), file=out)
    if args.svg:
        return _save_diagram(result, list(leaves.values()), args.svg, digits, out, err)
    return 0


def _check_output_path(path: str) -> None:
    """Refuse, before any work, a path whose suffix names no format or whose folder does not
    exist (nothing is created)."""
    if Path(path).suffix.lower() not in (".svg", ".png", ".pdf", ".dot", ".gv"):
        raise _UsageError(f"--svg {path}: cannot tell the format from the suffix; use .svg, "
                          ".png, .pdf, .dot or .gv")
    folder = Path(path).expanduser().parent
    if not folder.is_dir():
        raise _UsageError(f"--svg {path}: the folder {os.fspath(folder)!r} "
                          f"{'is not a folder' if folder.exists() else 'does not exist'}; "
                          "create it first")


def _save_diagram(result: Value, inputs: list[Value], path: str, digits: int, out: TextIO,
                  err: TextIO) -> int:
    try:
        require_graphviz("--svg")
        diagram = draw_dot(result, digits=digits, inputs=inputs)
        saved = diagram.save(path)
    except (ImportError, RenderError, ValueError, OSError) as exc:
        print(f"{PROG}: cannot save the diagram: {exc}", file=err)
        return 1
    print(f"diagram saved to {saved}", file=out)
    return 0
