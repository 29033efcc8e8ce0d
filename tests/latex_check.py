"""Is this LaTeX math that compiles?  Two readers: latex2mathml (the docs extra) converts
each display block, and a strict structural check, since latex2mathml accepts some broken
input (``x^{2`` converts, an unknown ``\\foo`` becomes an identifier): braces, ``\\left`` /
``\\right`` and ``\\begin`` / ``\\end`` balance, and every command is one standard LaTeX has
(no package needed)."""

from __future__ import annotations

import re

import latex2mathml.converter

KNOWN_COMMANDS = frozenset({
    "begin", "end", "frac", "bar", "cdot", "left", "right", "text", "texttt", "operatorname",
    "mathit", "mathrm", "mathrel", "sqrt", "lvert", "rvert", "exp", "log", "ln", "sin", "cos",
    "tan", "sinh", "cosh", "tanh", "arcsin", "arccos", "arctan", "sigma", "Gamma", "psi",
    "times", "infty", "quad", "geq", "leq", "neq", "textbackslash", "textasciicircum",
    "textasciitilde",
})
"""Commands of standard LaTeX (math mode, or text mode inside ``\\text``) the writer may use."""
_ESCAPES = set("_&%#${}\\[], ")
"""Characters after a backslash that are not a command name: ``\\_``, ``\\{``, ``\\\\``..."""


def blocks(document: str) -> list[str]:
    """The display-math blocks ``\\[ ... \\]`` of ``document`` (LaTeX comments outside them)."""
    found = re.findall(r"^\\\[\n(.*?)\n\\\]$", document, flags=re.S | re.M)
    outside = re.sub(r"^\\\[\n.*?\n\\\]$", "", document, flags=re.S | re.M)
    assert all(line.startswith("%") for line in outside.splitlines() if line.strip()), outside
    return found


def check_math(source: str) -> str:
    """Raise AssertionError unless ``source`` is well-formed standard LaTeX math; its MathML."""
    depth = 0
    commands: list[str] = []
    i = 0
    while i < len(source):
        c = source[i]
        if c == "\\":
            command = re.match(r"[A-Za-z]+", source[i + 1:])
            if command:
                commands.append(command.group())
                i += 1 + len(command.group())
                continue
            assert source[i + 1:i + 2] in _ESCAPES, f"unknown escape at {i}: {source[i:i + 8]!r}"
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            assert depth >= 0, f"unbalanced '}}' at {i}: {source[max(0, i - 20):i + 1]!r}"
        i += 1
    assert depth == 0, f"{depth} unclosed '{{'"
    unknown = set(commands) - KNOWN_COMMANDS
    assert not unknown, f"commands standard LaTeX does not have: {sorted(unknown)}"
    assert commands.count("left") == commands.count("right"), "unbalanced \\left / \\right"
    assert re.findall(r"\\begin\{(\w+)\}", source) == re.findall(r"\\end\{(\w+)\}", source), \
        "unbalanced \\begin / \\end"
    mathml: str = latex2mathml.converter.convert(source)  # raises on what it cannot read
    return mathml


def check_document(document: str) -> list[str]:
    """Every display block of ``document`` checked; their MathML."""
    found = blocks(document)
    assert found, "no display math"
    return [check_math(block) for block in found]
