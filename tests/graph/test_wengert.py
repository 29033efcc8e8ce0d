"""The Wengert list, checked against the hand computation of course note 003.

Note 003's network: inputs x = (1, 2) and a bias input -1; hidden weights V (row 0 is the
bias row: V0j = 1, 0, -1; V1j = 1, 2, 0; V2j = 0, -2, 1); sigmoid hidden units; a linear
output with W01 = 1, W11 = 2, W21 = 3, W31 = -1; loss (y - t)^2 with t = 5.
The note finds z = (0, -2, 3), a = (0.5, 0.1192, 0.952), y = -0.5944 (from rounded a's;
exactly -0.59497) and the output delta 2(y - t) = -11.18 (exactly -11.19).
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest
from latex_check import blocks, check_document, check_math

from autograd_lite import MLP, Value, constant, topological_order
from autograd_lite.examples import note_003
from autograd_lite.graph.wengert import BAR, trace_numbers, wengert_list
from autograd_lite.nn.losses import squared_error


def sigma(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


V_NOTE = {(0, 1): 1, (0, 2): 0, (0, 3): -1, (1, 1): 1, (1, 2): 2, (1, 3): 0,
          (2, 1): 0, (2, 2): -2, (2, 3): 1}
W_NOTE = {0: 1, 1: 2, 2: 3, 3: -1}
X_NOTE = (1.0, 2.0)
T_NOTE = 5.0


def note003_network() -> tuple[Value, dict[str, Value]]:
    """The loss of note 003 built from Values, with its named values."""
    x1, x2 = Value(X_NOTE[0], "x1"), Value(X_NOTE[1], "x2")
    v = {ij: Value(w, f"V{ij[0]}{ij[1]}") for ij, w in V_NOTE.items()}
    w = {j: Value(wj, f"W{j}1") for j, wj in W_NOTE.items()}
    named: dict[str, Value] = {"x1": x1, "x2": x2}
    named.update({value.label: value for value in (*v.values(), *w.values())})
    y = -1 * w[0]
    for j in (1, 2, 3):
        z = -1 * v[0, j] + x1 * v[1, j] + x2 * v[2, j]
        z.label = f"z{j}"
        a = z.sigmoid()
        a.label = f"a{j}"
        named[z.label], named[a.label] = z, a
        y = y + a * w[j]
    y.label = "y"
    loss = (y - T_NOTE) ** 2
    loss.label = "L"
    named.update(y=y, L=loss)
    return loss, named


# Independent closed forms (note 003, "Mathematics of backpropagation").
Z_EXACT = [-V_NOTE[0, j] + X_NOTE[0] * V_NOTE[1, j] + X_NOTE[1] * V_NOTE[2, j] for j in (1, 2, 3)]
A_EXACT = [sigma(z) for z in Z_EXACT]
Y_EXACT = -W_NOTE[0] + sum(a * W_NOTE[j] for j, a in zip((1, 2, 3), A_EXACT))
DELTA_O = 2 * (Y_EXACT - T_NOTE)


def test_note003_forward_trace_has_the_notes_z_a_and_y() -> None:
    loss, _ = note003_network()
    t = wengert_list(loss)
    rows = {r.label: r for r in t.forward if r.label}
    assert [rows[f"z{j}"].value for j in (1, 2, 3)] == [0.0, -2.0, 3.0]  # the note's z
    for j, note_a in zip((1, 2, 3), (0.5, 0.1192, 0.9526)):
        assert math.isclose(rows[f"a{j}"].value, note_a, abs_tol=5e-5)
        assert rows[f"a{j}"].text.startswith("sigmoid(v")
    assert math.isclose(rows["y"].value, -0.5944, abs_tol=1e-3)  # the note rounds the a's
    assert math.isclose(rows["y"].value, Y_EXACT, rel_tol=1e-12)
    assert rows["L"].text.endswith("** 2.0")
    text = str(t)
    for shown in ("= 0.1192", "= 0.9526", "= 0.5 ", "= -2 ", "= 3 ", "(z2)", "(a3)"):
        assert shown in text


def test_note003_adjoint_trace_has_the_output_delta_and_weight_gradients() -> None:
    loss, named = note003_network()
    t = wengert_list(loss)
    last_total = {}
    for row in t.adjoint:  # the final adjoint of each value is its last running total
        last_total[row.label or row.target] = row.total
    assert math.isclose(last_total["y"], DELTA_O, rel_tol=1e-12)
    assert f"{DELTA_O:.4g}" == "-11.19" and "= -11.19" in str(t)
    # dL/dW_j1 = delta_o * a_j, with a_0 = -1 (the bias input)
    assert math.isclose(last_total["W01"], -DELTA_O, rel_tol=1e-12)
    for j in (1, 2, 3):
        assert math.isclose(last_total[f"W{j}1"], DELTA_O * A_EXACT[j - 1], rel_tol=1e-12)
    # the note's update  eta * delta_o * a_1 = 0.1 * -11.18 * 0.5 = -0.559
    assert math.isclose(0.1 * last_total["W11"], -0.559, abs_tol=1e-3)
    # dL/dV_ij = delta_h(j) * x_i with delta_h(j) = 2(y - t) W_j1 a_j (1 - a_j)
    inputs = (-1.0, *X_NOTE)
    for j in (1, 2, 3):
        a = A_EXACT[j - 1]
        delta_h = DELTA_O * W_NOTE[j] * a * (1 - a)
        for i in (0, 1, 2):
            assert math.isclose(last_total[f"V{i}{j}"], delta_h * inputs[i], rel_tol=1e-12,
                                abs_tol=1e-15)
    assert all(v.grad == 0.0 for v in named.values())  # trace reads the graph, writes nothing


def test_definitions_read_the_rule_table_and_inline_constants() -> None:
    x = Value(2.0, "x")
    t = wengert_list((x - 5) * x.exp())
    assert [(r.name, r.text) for r in t.forward] == [
        ("v₀", "x"), ("v₁", "v₀ - 5.0"), ("v₂", "exp(v₀)"), ("v₃", "v₁ * v₂")]
    adjoint = [(r.target, r.text) for r in t.adjoint]
    bar = f"v{BAR}"
    assert adjoint[0] == (f"{bar}₃", "seed")
    assert (f"{bar}₀", f"{bar}₂ * v₂") in adjoint  # d exp(v0)/d v0 = exp(v0) = v2
    # d/dx (x - 5) e^x = (x - 4) e^x
    assert math.isclose(t.adjoint[-1].total, (2.0 - 4.0) * math.exp(2.0), rel_tol=1e-12)


def test_a_lone_constant_is_still_a_trace() -> None:
    t = wengert_list(constant(4.0))
    assert [(r.name, r.text, r.value) for r in t.forward] == [("v₀", "4", 4.0)]
    assert [(r.target, r.total) for r in t.adjoint] == [(f"v{BAR}₀", 1.0)]
    assert "v_{0} & = & 4 & = 4" in t.to_latex()


def test_seed_scales_every_adjoint() -> None:
    x = Value(3.0, "x")
    t = wengert_list(x * x, gradient=2.0)
    assert t.adjoint[-1].total == 2.0 * 2 * 3.0


def test_markdown_and_html_tables() -> None:
    x = Value(1.0, "a|<b>")
    t = wengert_list(x * constant(2.0))
    markdown = t.to_markdown()
    assert "<code>a&#124;&lt;b&gt;</code>" in markdown  # no pipe ends the cell, no tag opens
    table_lines = [line for line in markdown.splitlines() if line.startswith("|")]
    assert len(table_lines) == (2 + len(t.forward)) + (2 + len(t.adjoint))
    page = t._repr_html_()
    assert "a|&lt;b&gt;" in page
    html = ET.fromstring(page)  # escaped well enough to parse as XML
    assert len(list(html.iter("tr"))) == (1 + len(t.forward)) + (1 + len(t.adjoint))
    assert "a|<b>" in [td.text for td in html.iter("td")]


def test_markdown_labels_are_code_never_links() -> None:
    """A label such as ``weight[0][1]`` would be a Markdown reference link outside code."""
    x = Value(1.0, "weight[0][1]")
    markdown = wengert_list(x * x).to_markdown()
    adjoint_rows = markdown.split("**Adjoint trace**")[1].splitlines()
    assert adjoint_rows[-1].endswith("| `weight[0][1]` |")
    assert "weight[0][1]" not in markdown.replace("`weight[0][1]`", "")


# -- Griewank's numbering ------------------------------------------------------------------


def test_griewank_numbers_the_independent_variables_first_ending_at_zero() -> None:
    x, y = Value(2.0, "x"), Value(3.0, "y")
    t = wengert_list(x * y + x.exp())
    assert [r.name for r in t.forward] == ["v₋₁", "v₀", "v₁", "v₂", "v₃"]
    assert [r.text for r in t.forward] == ["x", "y", "v₋₁ * v₀", "exp(v₋₁)", "v₁ + v₂"]
    assert t.leaves == 2
    one = wengert_list(x * y + x.exp(), numbering="one-based")
    assert [r.name for r in one.forward] == ["v1", "v2", "v3", "v4", "v5"]
    assert [r.text for r in one.forward] == ["x", "y", "v1 * v2", "exp(v1)", "v3 + v4"]


def test_a_network_lists_its_inputs_and_weights_before_any_step() -> None:
    """Note 003's network: before, the list began with the output layer's weights (the
    depth-first order); now every leaf comes first, in the order the computation uses it."""
    loss, params, inputs = note_003.loss_graph()
    order = topological_order(loss)
    numbers = trace_numbers(order)
    leaves = [node for node in numbers if node.op is None]
    assert len(leaves) == 13 + 2 + 4 + 1  # weights, x1 x2, the bias inputs, the target t
    assert sorted(numbers.values()) == list(range(1 - len(leaves), len(numbers) - len(leaves)
                                                  + 1))
    assert all(numbers[leaf] <= 0 for leaf in leaves)
    assert all(numbers[node] > 0 for node in numbers if node.op is not None)
    # first use: the first hidden sum takes V11, V21, V01 and x1, x2, x0; W only at the output
    assert [leaf.label for leaf in leaves[:6]] == ["V11", "V21", "V01", "x1", "x2", "x0 (bias)"]
    assert max(numbers[x] for x in inputs) < min(numbers[p] for p in params
                                                 if p.label.startswith("W"))
    # a Wengert list: each step uses only values numbered before it
    for node in numbers:
        assert all(numbers[p] < numbers[node] for p in node.parents if p in numbers)
    one_based = trace_numbers(order, "one-based")
    assert list(one_based) == list(numbers)
    assert list(one_based.values()) == list(range(1, len(numbers) + 1))


# -- LaTeX ---------------------------------------------------------------------------------


def test_latex_of_a_2_2_1_network_is_math_that_compiles() -> None:
    net = MLP(2, [2, 1], activation="tanh", seed=0)
    x1, x2 = Value(0.5, "x1", requires_grad=False), Value(-1.0, "x2", requires_grad=False)
    loss = squared_error(net([x1, x2]), Value(1.0, "t", requires_grad=False))
    loss.label = "L"
    trace = wengert_list(loss)
    document = trace.to_latex()
    forward, adjoint = blocks(document)
    assert forward.count(r" \\") == len(trace.forward) - 1  # one row per value
    assert adjoint.count(r" \\") == len(trace.adjoint) - 1
    first = 1 - trace.leaves
    assert forward.splitlines()[1].startswith(f"v_{{{first}}} & = & ")
    assert r"x_{1}" in forward and r"\tanh\left(v_{" in forward and r"(L)" in forward
    assert r"\text{layers.0.weight[0][0]}" in forward  # a label that is not a symbol: text
    mathml = check_document(document)
    assert "<msub><mi>v</mi><mrow><mo>&#x02212;</mo>" in mathml[0]  # v with a negative index


def test_latex_writes_each_rule_as_mathematics() -> None:
    x = Value(2.0, "x")
    written = {
        (x - 5) * x.exp(): r"v_{2} & = & \exp\left(v_{0}\right)",
        x / (x + 1.0): r"\frac{v_{0}}{v_{1}}",
        x ** 3: r"{v_{0}}^{3}",
        x.sigmoid(): r"\sigma\left(v_{0}\right)",
        x.sqrt(): r"\sqrt{v_{0}}",
        abs(x - 3.0): r"\left\lvert v_{1} \right\rvert",
        x.leaky_relu(0.1): r"\operatorname{leaky\_relu}\left(v_{0}, 0.1\right)",
        x * 1e-5: r"v_{0} \cdot \left(1 \times 10^{-5}\right)",
    }
    for f, expected in written.items():
        document = wengert_list(f).to_latex()
        assert expected in document, (expected, document)
        check_document(document)


def test_every_primitive_writes_latex_that_compiles() -> None:
    from autograd_lite.testing import OP_CASES

    for case in OP_CASES:
        point = case.primitive_args()
        xs = [x for a, x in zip(case.args, point) if not isinstance(a, float)]
        args = [Value(x, f"y{k}" if k else "x") for k, x in enumerate(xs)]
        check_document(wengert_list(case.call(*args, *case.params[:1])).to_latex())


def test_the_latex_check_can_fail() -> None:
    for broken, reason in ((r"\frac{1}{v_{0}", "unclosed"), (r"\foo x", "does not have"),
                           (r"\left( x", r"\\left"), (r"x}", "unbalanced"),
                           (r"\begin{array}{l} x \end{matrix}", r"\\begin")):
        with pytest.raises(AssertionError, match=reason):
            check_math(broken)
