"""No code from outside ever runs: the package has no pickle, no eval, and one exec.

The one ``exec`` is the compiled tape's (``autograd_lite/compile/tape.py``): it runs code generated
from the rule table's own templates.  The tests check that statically (a scan of every module's
syntax tree and text) and dynamically: a tape built from a graph whose labels try to inject
code generates a program made only of assignments of arithmetic on its registers and calls
of the primitives' float functions (through the register names ``_p0, _p1...`` each tape
binds) and of its own helpers: no attribute access, no indexing.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import autograd_lite
from autograd_lite import Value, add_n, dot

PACKAGE = Path(autograd_lite.__file__).parent
SOURCES = sorted(PACKAGE.rglob("*.py"))


def _name(path: Path) -> str:
    """A module's path inside the package, as ``core/value.py``."""
    return path.relative_to(PACKAGE).as_posix()
DANGEROUS_CALLS = {"eval", "exec", "compile", "__import__", "execfile", "breakpoint"}
DANGEROUS_MODULES = {"pickle", "cPickle", "_pickle", "marshal", "shelve", "dill", "ctypes"}
ALLOWED_SPECIAL_IMPORTS = {
    "importlib.resources",  # reading the package's own data files (examples)
    "subprocess",  # graph/render.py runs Graphviz's `dot` with an argument list (checked: no shell)
}


def _calls(tree: ast.AST) -> list[tuple[str, ast.Call]]:
    """(called name, call) for every call of a bare name or of ``builtins.name``."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                found.append((func.id, node))
            elif (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                  and func.value.id == "builtins"):
                found.append((func.attr, node))
    return found


def test_the_package_has_sources_to_scan() -> None:
    names = {_name(p) for p in SOURCES}
    assert {"core/value.py", "core/rules.py", "nn/io.py", "cli/formula.py",
            "compile/tape.py"} <= names


@pytest.mark.parametrize("path", SOURCES, ids=[p.name for p in SOURCES])
def test_no_module_imports_a_code_loading_module(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            shell = [k for k in node.keywords if k.arg == "shell"]
            assert not shell, f"{path.name}:{node.lineno}: shell=..."
        if isinstance(node, ast.Import):
            modules = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            modules = [node.module or ""]
        else:
            continue
        for module in modules:
            top = module.split(".")[0]
            assert top not in DANGEROUS_MODULES, f"{path.name}:{node.lineno}: {module}"
            if top in ("importlib", "subprocess"):
                assert module in ALLOWED_SPECIAL_IMPORTS, f"{path.name}:{node.lineno}: {module}"


def test_pickle_appears_only_in_prose() -> None:
    for path in SOURCES:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "pickle" in line:
                assert _name(path) == "nn/io.py" and "no pickle" in line, f"{path.name}:{number}"


def test_the_only_eval_or_exec_is_the_compiled_tapes_exec() -> None:
    found = []
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for name, call in _calls(tree):
            if name in DANGEROUS_CALLS:
                found.append((_name(path), name, call))
    found.sort(key=lambda f: (f[0], f[2].lineno))
    assert [(f, n) for f, n, _ in found] == [("compile/tape.py", "compile"),
                                             ("compile/tape.py", "exec")]
    (_, _, compile_call), (_, _, exec_call) = found
    # builtins.compile(self.key, "<autograd_lite tape>", "exec"): only the tape's own code ...
    assert ast.unparse(compile_call) == "builtins.compile(self.key, '<autograd_lite tape>', 'exec')"
    # ... run with no builtins at all
    assert ast.unparse(exec_call) == "exec(code, namespace)"
    source = (PACKAGE / "compile" / "tape.py").read_text(encoding="utf-8")
    assert re.search(r'"__builtins__": \{\}', source)
    # and text-level: no other 'eval(' / 'exec(' anywhere (comments and docstrings included)
    hits = [(_name(p), m.group()) for p in SOURCES
            for m in re.finditer(r"\b(?:eval|exec)\(", p.read_text(encoding="utf-8"))]
    assert hits == [("compile/tape.py", "exec(")]


# -- the generated code itself ------------------------------------------------------------
_REGISTER = re.compile(r"^(?:v|g)\d+$")
_PRIMITIVE_REGISTER = re.compile(r"^_p\d+$")
_HELPERS = {"_x", "_p", "_s", "_inf", "_ok", "_nonfinite", "_guard", "_scaled"}
_ALLOWED_NODES = (ast.Module, ast.FunctionDef, ast.arguments, ast.arg, ast.Assign, ast.Return,
                  ast.If, ast.Expr, ast.Tuple, ast.Name, ast.Load, ast.Store, ast.Constant,
                  ast.BinOp, ast.UnaryOp, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.USub,
                  ast.Not, ast.Call, ast.Compare, ast.Lt, ast.LtE, ast.Gt, ast.GtE)


def _hostile_graph() -> tuple[Value, list[Value]]:
    x = Value(0.7, 'x\n__import__("os").system("echo pwned")  #')
    y = Value(1.3, "y'''\"\"\"\\")
    w = Value(-0.4, "w\x00\u2028)")
    parts = [(x * y).tanh(), (x ** 2.0).exp(), add_n([x, y, w]), dot([x, y], [w, x]),
             (x / y).log(), abs(x).sqrt(), x.leaky_relu(0.1), x ** y, -y, y.sigmoid(),
             (x - y).relu(), x.sin() * y.cos(), 2.0 ** x, 1.0 / y]
    z = add_n(parts)
    z.label = "z\r\nimport os"
    return z, [x, y]


def test_a_tape_from_hostile_labels_is_only_arithmetic_on_its_registers() -> None:
    from autograd_lite.compile import Tape
    from autograd_lite.core import rules

    z, inputs = _hostile_graph()
    tape = Tape.from_graph(z, inputs)
    tree = ast.parse(tape.key)
    called = set()
    for node in ast.walk(tree):
        assert isinstance(node, _ALLOWED_NODES), ast.dump(node)  # no attribute, no subscript
        if isinstance(node, ast.Name):
            assert (node.id in _HELPERS or _REGISTER.match(node.id)
                    or _PRIMITIVE_REGISTER.match(node.id)), node.id
        if isinstance(node, ast.Call):
            assert isinstance(node.func, ast.Name) and not node.keywords, ast.dump(node)
            called.add(node.func.id)
        if isinstance(node, ast.Constant):
            assert node.value is None or type(node.value) in (int, float, bool), node.value
    # every label is in a comment of .source, escaped: no line of code mentions them
    for line in tape.source.splitlines():
        code = line.split("#", 1)[0]
        assert "pwned" not in code and "import" not in code
    assert "pwned" in tape.source  # the label is shown (escaped) in a comment
    # the _p registers are bound to built-in primitives of the rule table, one name each
    functions = tape._writer.functions
    assert {n for n in called if n.startswith("_p")} == {f"_p{k}" for k in range(len(functions))}
    assert all(rules.PRIMITIVES[op.name] is op and op.builtin for op in functions)
    value, grads = tape(0.7, 1.3)
    z.backward()
    assert value == z.data
    assert grads == pytest.approx([inputs[0].grad, inputs[1].grad], rel=1e-12)


def test_the_package_has_no_bare_asserts() -> None:
    """Errors are explicit exceptions with messages, never ``assert`` (stripped by -O)."""
    offenders = [f"{_name(path)}:{node.lineno}" for path in SOURCES
                 for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                 if isinstance(node, ast.Assert)]
    assert offenders == []
