"""Mutation testing of the engine and the rule table: does the test suite notice a wrong line?

Each *mutant* is a copy of the package with ONE small change to one of the core modules
(:data:`TARGETS`: ``Value`` and recording, the rule table, the reverse pass, forward mode and
the gradient checker), made on the syntax tree (so comments, docstrings and type annotations
are never touched):

* arithmetic   ``+ <-> -``, ``* <-> /``, ``** -> *``, unary ``-x -> +x``, ``x += y -> x -= y``
* comparisons  ``< <-> <=``, ``> <-> >=``, ``== <-> !=``, ``is <-> is not``, ``in <-> not in``
* logic        ``and <-> or``, ``not x -> x``, ``True <-> False``
* constants    a number ``c -> c + 1`` (``0.0 -> 1.0``, ``0.5 -> 1.5``, ``2 -> 3``)

The focused test subset (:data:`TESTS`, less the tests written for the survivors of a first
pass, :data:`KILLERS`, unless ``--with-killers``) runs against every mutant in a scratch copy
of the repository (the checkout is never modified), stopping at the first failure; a mutant is
*killed* when a test fails (or it hangs past the timeout), *survived* otherwise.  The score
is killed / (killed + survived).  The figures of ``docs/explanation/reliability.md`` (a full
run takes hours on 2 cores; ``--sample`` and ``--only`` run part)::

    python bench/mutation.py --workers 2                  # writes bench/results/mutation.json
    python bench/mutation.py --workers 2 --with-killers   # plus the tests written for survivors
    python bench/mutation.py --list                # the mutants, without running them
    python bench/mutation.py --workers 2 --with-killers --sample 150 --seed 2026  # a sample

Survivors are listed with file, line and change, to be killed by a new test or explained.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = ("autograd_lite/core/value.py", "autograd_lite/core/rules.py",
           "autograd_lite/core/reverse.py", "autograd_lite/core/forward.py",
           "autograd_lite/core/check.py")
TESTS = [  # fastest and most specific first: most mutants die in the first second
    "tests/core/test_ops.py",  # the rule table, closed forms, domain errors
    "tests/core/test_primitives.py",  # every primitive in every mode; primitive() for users
    "tests/core/test_engine.py",  # Value, recording, backward, grad, no_grad, 0 * inf in every mode
    "tests/core/test_hostile_inputs.py",
    "tests/core/test_anomaly.py",
    "tests/transforms/test_forward.py",
    "tests/core/test_check.py",
    "tests/graph/test_steps.py",  # reverse_pass's visit / on_term hooks (steps, Wengert list)
    "tests/compile/test_compile.py",  # reverse_pass on symbols (times / plus write code)
    "tests/transforms/test_differential.py::test_every_mode_agrees_on_random_graphs[small-600]",
]
KILLERS = [  # most name the mutant they kill in a comment "# mutant ..."
    "tests/core/test_ops.py::test_sqrt_slope_is_one_over_two_sqrt_x",
    "tests/core/test_ops.py::test_leaky_relu_default_slope_is_one_hundredth",
    "tests/core/test_ops.py::test_second_order_relu_slope_is_zero_on_the_negative_side",
    "tests/core/test_ops.py::test_second_order_slope_of_x_to_the_zero_is_zero",
    "tests/core/test_ops.py::test_a_primitive_on_values_computes_its_closed_form",
    "tests/core/test_ops.py::test_sum_and_dot_on_values",
    "tests/core/test_ops.py::test_the_rule_table_entries_are_immutable_and_slotted",
    "tests/core/test_ops.py::test_a_value_exponent_on_a_zero_base_is_a_domain_error",
    "tests/core/test_engine.py::test_comparing_values_outside_a_trace_just_compares_data",
    "tests/core/test_engine.py::test_a_fresh_result_has_zero_grad_before_any_backward",
    "tests/core/test_engine.py::test_a_unary_op_under_no_grad_gives_a_constant_leaf",
    "tests/core/test_anomaly.py::test_anomaly_mode_ignores_an_infinity_between_constants",
    "tests/core/test_anomaly.py::test_anomaly_mode_skips_zero_adjoints_like_plain_backward",
    "tests/core/test_anomaly.py::test_create_graph_works_in_anomaly_mode",
    "tests/core/test_engine.py::test_backward_in_anomaly_mode_accumulates_leaves_and_overwrites_the_rest",
    "tests/core/test_engine.py::test_a_primitive_called_with_the_wrong_number_of_values_is_refused",
    "tests/core/test_engine.py::test_add_n_and_dot_of_numbers_are_numbers_and_of_one_value_a_node",
    "tests/core/test_primitives.py::test_a_forward_that_returns_an_int_gives_a_float",
    "tests/transforms/test_math_module.py::test_clamp_takes_either_bound_alone_but_not_neither",
    "tests/transforms/test_forward.py::test_duals_compare_by_their_numbers_strictly",
    "tests/transforms/test_forward.py::test_a_dual_result_keeps_the_level_of_its_arguments",
    "tests/transforms/test_forward.py::test_a_dual_holding_a_value_records_through_the_general_path",
    "tests/transforms/test_forward.py::test_a_dual_with_a_value_tangent_refuses_a_non_finite_result",
    "tests/core/test_semantics.py::test_only_a_leaf_can_change_its_requires_grad_flag",
]
"""Tests written for the survivors of a first pass, in the files of :data:`TESTS`: deselected
unless ``--with-killers`` (a test id deselects every parametrization of the test)."""
DESELECT = ["tests/core/test_engine.py::test_a_million_operation_chain_back_propagates"]
RESULTS = ROOT / "bench" / "results" / "mutation.json"
_OTHER_LAYOUT = ("equivalent: a node of two or three Values then takes the other layout "
                 "(tuples, or _node's), which every reader of the layout reads the same way")
_SLOW_LOOP = ("equivalent: sends finite adjoints down the loop for infinite ones, which adds "
              "the same terms and skips only zero ones (adding 0 changes nothing)")
EQUIVALENT: dict[tuple[str, str], str] = {
    # (start of the mutated line, change) -> why no test can tell the mutant from the original.
    # Entries whose line no longer exists in the rewritten core (the old engine's fast path
    # ``if out - out != 0.0 or not _GRAD_ENABLED.get():``, its unrolled loop
    # ``elif len(local) == 2 == len(parents):`` and the ``_anomaly_mode_used`` flag, now
    # ``USED.anomaly`` in core/observers.py, not a target) were dropped: re-derive the table
    # from the survivors of a campaign on the new targets.
    ("if g - g != 0.0:", "- -> +"): _SLOW_LOOP,
    ("if g - g != 0.0:", "0.0 -> 1.0"): _SLOW_LOOP,
    ("infinity = -math.inf if x < 0 else math.inf", "< -> <="):
        "equivalent: only reached for |x| > 1.8e308, never 0",
    ("infinity = -math.inf if x < 0 else math.inf", "0 -> 1"):
        "equivalent: only reached for |x| > 1.8e308, never between 0 and 1",
    ("if x >= 0.0:", ">= -> >"):
        "equivalent: at x = 0 both sigmoid formulas give exactly 0.5",
    ("if x >= 0.0:", "0.0 -> 1.0"):
        "equivalent up to rounding: on [0, 1) e/(1+e) and 1/(1+e^-x) are both exact to an "
        "ulp and neither overflows",
    ('relu = _builtin("relu", lambda x: x if x > 0.0 else 0.0,', "> -> >="):
        "equivalent: relu(0) is 0 either way (only the sign of zero differs)",
    ('leaky_relu = _builtin("leaky_relu", lambda x, s: x if x > 0.0 else s * x,', "> -> >="):
        "equivalent: leaky_relu(0) is 0 either way (only the sign of zero differs)",
    ("sign = -1.0 if x < 0.0 and (c - 1.0) % 2.0 == 1.0 else 1.0", "1.0 -> 2.0"):
        "equivalent: the factor only carries a sign into c * sign * inf",
    ("sign = -1.0 if x < 0.0 and (c - 1.0) % 2.0 == 1.0 else 1.0", "< -> <="):
        "equivalent: x = 0 never overflows here (0 ** (c - 1) with c < 1 returns early)",
    ("sign = -1.0 if x < 0.0 and (c - 1.0) % 2.0 == 1.0 else 1.0", "- -> +"):
        "equivalent: for an integer c, (c + 1) % 2 == (c - 1) % 2",
    ("return c * sign * math.inf", "* -> /"):
        "equivalent: sign is +-1, so c * sign and c / sign are equal",
    ("node.grad += adjoint.get(node, 0.0)", "0.0 -> 1.0"):
        "equivalent: every node of the order is reached from the root, so has an adjoint",
    ("node.grad = adjoint.get(node, 0.0)", "0.0 -> 1.0"):
        "equivalent: every node of the order is reached from the root, so has an adjoint",
    ("return record(rules.dot, args) if args and type(args[0]) is Value else", "0 -> 1"):
        "equivalent: either branch records the same node when any argument is a Value "
        "(rules.dot dispatches to record), and computes the same float otherwise",
    ('if carrier is not None or t.__module__ != "builtins":', "!= -> =="):
        "equivalent: only whether a miss is cached; the carrier found is the same",
    ("safe_x = np.where(zero_c | infinite, 1.0, x)", "1.0 -> 2.0"):
        "equivalent: the masked entries are replaced by 0 or inf in the next line",
    ("array_forward=lambda np, x: np.where(x > 0.0, x, 0.0),", "> -> >="):
        "equivalent: relu(0) is 0 either way (only the sign of zero differs)",
    ("if not op.params and all([type(a) is Value for a in args]):", "not x -> x"):
        "equivalent: a speed path; the general path below records the same node",
    ("if len(arguments) > 2:", "> -> >="):
        "equivalent: a node of two arguments then keeps them as tuples, which every reader "
        "of the layout reads the same way (only its memory differs)",
    ("if len(floats) <= 2:", "<= -> <"): _OTHER_LAYOUT,
    ("if len(floats) <= 2:", "2 -> 3"): _OTHER_LAYOUT,
    ("if op.arity is not None and len(floats) != op.arity:", "and -> or"):
        "equivalent: check_count then also runs for a primitive of any number of arguments, "
        "where it checks nothing, and where it runs already it raises on the same counts",
    ("_LARGEST = 1.7976931348623157e308", "1.7976931348623157e+308 -> 1.7976931348623157e+308"):
        "equivalent: the largest float plus 1 rounds back to the largest float",
    ("elif type(b) is Value and type(a) is float and a - a == 0.0:", "- -> +"):
        "equivalent: a finite float this test turns away goes to record, which records the "
        "same node (the test only picks the speed path)",
    ("elif type(b) is float and b - b == 0.0:", "- -> +"):
        "equivalent: a finite float this test turns away goes to record, which records the "
        "same node (the test only picks the speed path)",
    ("if len(args) == 1 and type(args[0]) is Dual:", "is -> is not"):
        "equivalent: a speed path for one Dual; the general path below gives the same Dual "
        "(carry is only called with a Dual among its arguments)",
    ("or type(tb) is not float:", "is not -> is"):
        "equivalent: lets a float-primal Dual with a Value tangent take the binary fast path, "
        "where chain_term(tangent, local) multiplies the Value as the general path's t * local "
        "does and skips exactly the terms it skips",
    ("if type(t) is float and type(local) is float:", "and -> or"):
        "equivalent: chain_term on a float and a Value multiplies as t * local does; where "
        "the general branch skips a zero factor, chain_term adds an exact 0",
    ("if type(t) is float and type(local) is float:", "is -> is not"):
        "equivalent: two float factors then take the general branch, which skips a zero "
        "factor and otherwise multiplies: chain_term's two cases",
    ('maximum = _builtin("maximum", lambda x, y: x if x >= y else y,', ">= -> >"):
        "equivalent: at a tie x and y are equal (only the sign of zero can differ)",
    ('minimum = _builtin("minimum", lambda x, y: x if x <= y else y,', "<= -> <"):
        "equivalent: at a tie x and y are equal (only the sign of zero can differ)",
}
"""Survivors no test can kill, with the reason (shown next to them in the report)."""

_SWAP: dict[type, type] = {
    ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.Pow: ast.Mult,
    ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn,
    ast.NotIn: ast.In, ast.And: ast.Or, ast.Or: ast.And, ast.USub: ast.UAdd,
}
_SYMBOL = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**",
           ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==",
           ast.NotEq: "!=", ast.Is: "is", ast.IsNot: "is not", ast.In: "in",
           ast.NotIn: "not in", ast.And: "and", ast.Or: "or", ast.USub: "-x", ast.UAdd: "+x"}


@dataclass
class Mutant:
    """One change: where, what, and (after running) what the tests said."""

    id: int
    file: str
    line: int
    change: str
    code: str
    status: str = "not run"
    seconds: float = 0.0
    killed_by: str = ""


def equivalence(mutant: Mutant) -> str:
    """The written reason ``mutant`` cannot be killed, or ''."""
    return next((why for (line, change), why in EQUIVALENT.items()
                 if mutant.code.startswith(line) and mutant.change == change), "")


def _skipped_subtrees(tree: ast.AST) -> set[int]:
    """ids of nodes never mutated: annotations, docstrings, ``__slots__``, and the test data
    declared with the rules (the classes ``Case`` and ``Domain`` and their instances,
    ``tests=[...]``, the ``_reference_*`` functions): the rules are the target, not what
    the tests compare them with."""
    skip: set[int] = set()

    def mark(node: ast.AST | None) -> None:
        if node is not None:
            skip.update(id(n) for n in ast.walk(node))

    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            mark(node.returns)
            for a in (*node.args.args, *node.args.kwonlyargs, *node.args.posonlyargs,
                      node.args.vararg, node.args.kwarg):
                if a is not None:
                    mark(a.annotation)
        elif isinstance(node, ast.AnnAssign):
            mark(node.annotation)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                mark(first)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id in ("Case", "Domain"):
            mark(node)
        if isinstance(node, ast.ClassDef) and node.name in ("Case", "Domain"):
            mark(node)
        if isinstance(node, ast.keyword) and node.arg == "tests":
            mark(node)
        if isinstance(node, ast.FunctionDef) and node.name.startswith("_reference_"):
            mark(node)
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__slots__" for t in node.targets):
            mark(node)
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and \
                node.value.id in ("ContextVar", "Token", "dict", "tuple", "list", "set"):
            mark(node.slice)  # type arguments
    return skip


def _sites(tree: ast.AST) -> Iterator[tuple[ast.AST, str, str]]:
    """(node, field or kind, description) of every mutation site, in a fixed order."""
    skip = _skipped_subtrees(tree)
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.BinOp | ast.AugAssign) and type(node.op) in _SWAP:
            new = _SWAP[type(node.op)]
            prefix = "augmented " if isinstance(node, ast.AugAssign) else ""
            yield node, "op", f"{prefix}{_SYMBOL[type(node.op)]} -> {_SYMBOL[new]}"
        elif isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                yield node, "op", "-x -> +x"
            elif isinstance(node.op, ast.Not):
                yield node, "not", "not x -> x"
        elif isinstance(node, ast.BoolOp):
            new = _SWAP[type(node.op)]
            yield node, "op", f"{_SYMBOL[type(node.op)]} -> {_SYMBOL[new]}"
        elif isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                if type(op) in _SWAP:
                    new = _SWAP[type(op)]
                    yield node, f"ops{i}", f"{_SYMBOL[type(op)]} -> {_SYMBOL[new]}"
        elif isinstance(node, ast.Constant):
            if type(node.value) is bool:
                yield node, "value", f"{node.value} -> {not node.value}"
            elif type(node.value) in (int, float):
                yield node, "value", f"{node.value!r} -> {node.value + 1!r}"


class _Apply(ast.NodeTransformer):
    """Apply the ``index``-th site of :func:`_sites` (on a fresh parse of the same file)."""

    def __init__(self, target: ast.AST, kind: str) -> None:
        self.target, self.kind = target, kind

    def visit(self, node: ast.AST) -> ast.AST:
        if node is not self.target:
            return self.generic_visit(node)
        if self.kind == "not":
            return node.operand  # type: ignore[attr-defined,no-any-return]
        if self.kind == "op":
            node.op = _SWAP[type(node.op)]()  # type: ignore[attr-defined]
        elif self.kind.startswith("ops"):
            i = int(self.kind[3:])
            node.ops[i] = _SWAP[type(node.ops[i])]()  # type: ignore[attr-defined]
        elif self.kind == "value":
            value = node.value  # type: ignore[attr-defined]
            node.value = (not value) if type(value) is bool else value + 1  # type: ignore[attr-defined]
        return node


def mutants() -> list[tuple[Mutant, str]]:
    """Every mutant with the full source of its mutated file."""
    found: list[tuple[Mutant, str]] = []
    for target in TARGETS:
        source = (ROOT / target).read_text(encoding="utf-8")
        lines = source.splitlines()
        tree = ast.parse(source)
        for index, (node, kind, change) in enumerate(_sites(tree)):
            fresh = ast.parse(source)
            site = list(_sites(fresh))[index][0]
            mutated = _Apply(site, kind).visit(fresh)
            ast.fix_missing_locations(mutated)
            line = getattr(node, "lineno", 0)
            m = Mutant(len(found), target, line, change, lines[line - 1].strip() if line else "")
            found.append((m, ast.unparse(mutated)))
    return found


def _workspace(base: Path) -> Path:
    """A scratch copy of the package, the tests, bench/ and pyproject.toml."""
    base.mkdir(parents=True, exist_ok=True)
    for name in ("autograd_lite", "tests", "bench"):
        shutil.copytree(ROOT / name, base / name, ignore=shutil.ignore_patterns(
            "__pycache__", ".venv*", "results", "*.egg-info"))
    shutil.copy(ROOT / "pyproject.toml", base / "pyproject.toml")
    return base


def missing_tests() -> list[str]:
    """The entries of TESTS, KILLERS and DESELECT whose file or test function is gone."""
    missing = []
    for entry in (*TESTS, *KILLERS, *DESELECT):
        path, _, name = entry.partition("::")
        file = ROOT / path
        function = name.split("[")[0]
        if not file.is_file() or (function and f"def {function}(" not in file.read_text(
                encoding="utf-8")):
            missing.append(entry)
    return missing


def _pytest(workspace: Path, timeout: float, tests: list[str],
            deselect: list[str]) -> tuple[str, str]:
    """Run ``tests`` but ``deselect`` in ``workspace``: ("killed" | "survived", first
    failing test)."""
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
               "--hypothesis-seed=0", "-o", "addopts=", *tests,
               *(f"--deselect={d}" for d in deselect)]
    env = {**os.environ, "PYTHONPATH": str(workspace), "PYTHONDONTWRITEBYTECODE": "1"}
    try:
        done = subprocess.run(command, cwd=workspace, env=env, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return "killed", "timeout"
    if done.returncode == 0:
        return "survived", ""
    failed = [ln.split(" ")[1] for ln in done.stdout.splitlines() if ln.startswith("FAILED ")]
    return "killed", failed[0] if failed else f"exit status {done.returncode}"


def run(selected: list[tuple[Mutant, str]], workers: int, budget: float,
        timeout: float, tests: list[str], deselect: list[str]) -> list[Mutant]:
    """Run every selected mutant (``workers`` at a time) until ``budget`` seconds pass."""
    start = time.monotonic()
    scratch = Path(tempfile.mkdtemp(prefix="autograd_lite_mutation_"))
    spaces = [_workspace(scratch / f"w{k}") for k in range(workers)]
    queue = list(selected)
    results: list[Mutant] = []

    def worker(space: Path) -> None:
        while queue and time.monotonic() - start < budget:
            mutant, source = queue.pop(0)
            path = space / mutant.file
            original = (ROOT / mutant.file).read_text(encoding="utf-8")
            path.write_text(source, encoding="utf-8")
            t = time.monotonic()
            mutant.status, mutant.killed_by = _pytest(space, timeout, tests, deselect)
            mutant.seconds = round(time.monotonic() - t, 1)
            path.write_text(original, encoding="utf-8")
            results.append(mutant)
            print(f"[{len(results)}/{len(selected)}] #{mutant.id} {mutant.file}:{mutant.line} "
                  f"{mutant.change}: {mutant.status} {mutant.killed_by}", flush=True)

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(worker, spaces))
    shutil.rmtree(scratch, ignore_errors=True)
    return sorted(results, key=lambda m: m.id)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--budget", type=float, default=3600.0, help="seconds in all")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per mutant")
    parser.add_argument("--only", type=int, nargs="*", help="mutant ids to run")
    parser.add_argument("--sample", type=int, metavar="N",
                        help="run a random sample of N mutants (reproducible with --seed)")
    parser.add_argument("--seed", type=int, default=7, help="the seed of --sample")
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument("--with-killers", action="store_true",
                        help=f"also run the {len(KILLERS)} tests written for survivors "
                             "(KILLERS; deselected otherwise)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    tests = TESTS
    if args.with_killers:  # a killer outside the files of TESTS is run by its own id
        tests = TESTS + [k for k in KILLERS if k.split("::")[0] not in TESTS]
    deselect = DESELECT if args.with_killers else DESELECT + KILLERS
    if missing := missing_tests():
        print(f"tests named in bench/mutation.py no longer exist: {', '.join(missing)}",
              file=sys.stderr)
        return 2
    everything = mutants()
    selected = [p for p in everything if args.only is None or p[0].id in args.only]
    if args.sample is not None:
        chosen = set(random.Random(args.seed).sample([m.id for m, _ in selected],
                                                     min(args.sample, len(selected))))
        selected = [p for p in selected if p[0].id in chosen]
    if args.list:
        for m, _ in selected:
            print(f"#{m.id} {m.file}:{m.line} {m.change}    {m.code}")
        print(f"{len(selected)} mutants")
        return 0
    # the unmutated copy must pass, or every "kill" means nothing
    baseline = run([(Mutant(-1, TARGETS[0], 0, "none", ""),
                     (ROOT / TARGETS[0]).read_text(encoding="utf-8"))], 1, 1e9, args.timeout,
                   tests, deselect)
    if baseline[0].status != "survived":
        print(f"the unmutated suite fails: {baseline[0].killed_by}", file=sys.stderr)
        return 2
    start = time.monotonic()
    results = run(selected, args.workers, args.budget, args.timeout, tests, deselect)
    killed = sum(m.status == "killed" for m in results)
    survived = [m for m in results if m.status == "survived"]
    equivalent = [m for m in survived if equivalence(m)]
    score = killed / len(results) if results else 0.0
    adjusted = killed / (len(results) - len(equivalent)) if results else 0.0
    report = {
        "command": " ".join(["python", "bench/mutation.py", *(argv or sys.argv[1:])]),
        "targets": list(TARGETS), "tests": tests, "deselected": deselect,
        "mutants": len(everything),
        "run": len(results), "killed": killed, "survived": len(survived),
        "score": round(score, 4), "equivalent": len(equivalent),
        "score_without_equivalent": round(adjusted, 4),
        "seconds": round(time.monotonic() - start),
        "survivors": [{**asdict(m), "reason": equivalence(m)} for m in survived],
        "all": [asdict(m) for m in results],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(f"\nmutation score {killed}/{len(results)} = {score:.1%} "
          f"({len(everything) - len(results)} not run); {len(equivalent)} survivors are "
          f"equivalent: {killed}/{len(results) - len(equivalent)} = {adjusted:.1%}; survivors:")
    for m in survived:
        print(f"  #{m.id} {m.file}:{m.line} {m.change}    {m.code}"
              + (f"\n      {equivalence(m)}" if equivalence(m) else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
