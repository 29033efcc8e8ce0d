"""Neural networks on Values: ``Module``, ``Neuron``, ``Layer``, ``MLP``.

A neuron computes ``a = g(w . x + b)``.  The pre-activation is ONE fused graph node,
``dot([w1..wn, b], [x1..xn, c])`` with ``c`` the constant *bias input* (1 by default;
course note 003 writes the bias as an extra input of value -1, so there
``z_j = -1 * V_0j + x_1 V_1j + x_2 V_2j``), and the activation is a second node: two
nodes per neuron instead of micrograd's 2n + 1.

Parameters are laid out as PyTorch's ``nn.Linear``: a layer has ``weight[out][in]`` and
``bias[out]``, so ``state_dict()`` moves to PyTorch as nested lists (with a bias input
``c`` other than 1, PyTorch's bias is ``c * bias``).  Scalar parameters carry their
dotted names as labels (``layers.0.weight[3][1]``) and each neuron labels its nodes
(``layers.0.z[3]``, ``layers.0.a[3]``), so a drawing can be grouped by module.

Initialisation has two schemes.  Without ``seed`` or ``rng`` (micrograd's own call,
``MLP(2, [16, 16, 1])``), weights are drawn with Python's global ``random.uniform(-1, 1)``
in micrograd's order (layer by layer, neuron by neuron, weight by weight) and biases are 0,
so after ``random.seed(1337)`` a network starts from exactly micrograd's numbers.  With
``seed=`` or ``rng=``, weights and biases are drawn from that generator with PyTorch's
``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``, reproducibly.  ``init="micrograd"`` or
``init="pytorch"`` chooses the scheme explicitly (the source stays: ``rng``, else
``random.Random(seed)``, else the global ``random``).

A user's own ``Module`` subclass finds its parameters itself: leaf ``Value``s, modules and
lists (or tuples) of them held in its attributes (see :class:`Module`).
"""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple, Protocol, TypeAlias

from autograd_lite.core.rules import to_float
from autograd_lite.core.value import Value, constant, dot, zero_grad

Activation: TypeAlias = Callable[[Value], Value]
ActivationSpec: TypeAlias = "str | Activation"
Nested: TypeAlias = "float | list[Nested]"
StateDict: TypeAlias = dict[str, Nested]
Architecture: TypeAlias = dict[str, Any]
Input: TypeAlias = Sequence[Value | float]
Init: TypeAlias = Literal["micrograd", "pytorch"]

ACTIVATIONS: dict[str, Activation | None] = {
    "linear": None,  # g(z) = z: no node at all
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
}


def resolve_activation(spec: ActivationSpec, where: str = "resolve_activation",
                       argument: str = "spec") -> tuple[str, Activation | None]:
    """``(name, function)`` for an activation given by name or as a callable Value -> Value.

    ``linear`` resolves to ``None``: the pre-activation is the output.  Errors name
    ``where`` (the caller) and ``argument``.

    Examples:
        >>> from autograd_lite import Value
        >>> from autograd_lite.nn import resolve_activation
        >>> name, g = resolve_activation("tanh")
        >>> name, g(Value(0.0)).data
        ('tanh', 0.0)
        >>> resolve_activation("linear")
        ('linear', None)
    """
    if isinstance(spec, str):
        if spec not in ACTIVATIONS:
            raise ValueError(f"{where}: unknown activation {argument}={spec!r}; expected one "
                             f"of {', '.join(ACTIVATIONS)} or a callable Value -> Value")
        return spec, ACTIVATIONS[spec]
    if callable(spec):
        return getattr(spec, "__name__", type(spec).__name__), spec
    raise TypeError(f"{where}: {argument} must be an activation name or a callable, got "
                    f"{type(spec).__name__}")


def _lifted(x: Input | object, owner: str, nin: int) -> list[Value]:
    """The input ``x`` of ``owner`` as Values (numbers become constants once), or a named error.

    ``x`` must be a sequence of ``nin`` Values or real numbers.
    """
    if not isinstance(x, Sequence) and not hasattr(x, "__array__"):  # NumPy rows are fine
        raise TypeError(f"{owner}: x must be a sequence of {nin} numbers or Values, got "
                        f"{type(x).__name__}")
    items: Sequence[object] = x  # type: ignore[assignment]
    if len(items) != nin:
        raise ValueError(f"{owner}: expected {nin} inputs, got {len(items)}")
    return [v if isinstance(v, Value) else constant(to_float(v, f"{owner}: input {i}"))
            for i, v in enumerate(items)]


def _checked_activation(activation: ActivationSpec | bool | None, nonlin: bool | None,
                        where: str) -> ActivationSpec:
    """:func:`_activation_arg`, refused with ``where`` named if it is no activation."""
    spec = _activation_arg(activation, nonlin, where)
    resolve_activation(spec, where, "activation")
    return spec


def _activation_arg(activation: ActivationSpec | bool | None, nonlin: bool | None,
                    where: str) -> ActivationSpec:
    """A Neuron's or Layer's activation: a name or callable, or micrograd's ``nonlin`` flag.

    ``True`` is ReLU and ``False`` linear (micrograd's ``Neuron(nin, nonlin=True)``, given
    by keyword or positionally); neither given: ReLU, as micrograd.
    """
    if activation is not None and nonlin is not None:
        raise TypeError(f"{where}: give activation or nonlin, not both")
    flag = nonlin if activation is None else activation
    if flag is None:
        return "relu"
    if isinstance(flag, bool):
        return "relu" if flag else "linear"
    return flag


class _Uniform(Protocol):
    """A source of uniform random numbers: a ``random.Random``, or the ``random`` module."""

    def uniform(self, a: float, b: float) -> float: ...


def _initialiser(init: Init | None, seed: int | None, rng: random.Random | None,
                 where: str) -> tuple[Init, _Uniform]:
    """The scheme and random source of one constructor call (see the module docstring).

    Source: ``rng``, else ``random.Random(seed)``, else Python's global ``random`` (as
    micrograd).  Scheme: ``init``, else micrograd's when neither ``seed`` nor ``rng`` is
    given, PyTorch's otherwise.
    """
    if init is None:
        init = "micrograd" if seed is None and rng is None else "pytorch"
    elif init not in ("micrograd", "pytorch"):
        raise ValueError(f"{where}: init must be 'micrograd' or 'pytorch', got {init!r}")
    if rng is not None:
        return init, rng
    return init, random.Random(seed) if seed is not None else random


def _initial_weights(nin: int, nout: int, bias: bool, init: Init,
                    source: _Uniform) -> tuple[list[list[float]], list[float] | None]:
    """``weight[out][in]`` and ``bias[out]`` (``None`` without bias) for one layer.

    ``micrograd``: ``source.uniform(-1, 1)`` row by row (micrograd's order: neuron by
    neuron), biases 0 with no draw.  ``pytorch``: ``U(-b, b)`` with ``b = 1/sqrt(nin)``,
    row by row, then the biases.
    """
    if init == "micrograd":
        weight = [[source.uniform(-1.0, 1.0) for _ in range(nin)] for _ in range(nout)]
        return weight, ([0.0] * nout if bias else None)
    bound = 1.0 / math.sqrt(nin)
    weight = [[source.uniform(-bound, bound) for _ in range(nin)] for _ in range(nout)]
    return weight, ([source.uniform(-bound, bound) for _ in range(nout)] if bias else None)


class StateDictError(ValueError):
    """A state dict does not fit the module: missing, unexpected, misshapen or bad entries.

    Examples:
        >>> from autograd_lite import MLP
        >>> from autograd_lite.nn import StateDictError
        >>> model = MLP(2, [1], seed=0)
        >>> try:
        ...     model.load_state_dict({"layers.0.weight": [[1.0, 2.0]]})
        ... except StateDictError as error:
        ...     print(error)
        missing parameter(s) 'layers.0.bias'
    """


class ParamTensor(NamedTuple):
    """One named parameter tensor: its shape and its scalars, row-major.

    Examples:
        >>> from autograd_lite import Layer
        >>> tensor = Layer(3, 2, seed=0).named_tensors()[0]
        >>> tensor.name, tensor.shape, len(tensor.values)
        ('weight', (2, 3), 6)
    """

    name: str
    shape: tuple[int, ...]
    values: list[Value]


def _index_names(shape: tuple[int, ...]) -> Iterator[str]:
    """``[0][0]``, ``[0][1]``, ... for every index of ``shape``, row-major (``""`` for a scalar)."""
    if not shape:
        yield ""
        return
    for i in range(shape[0]):
        for rest in _index_names(shape[1:]):
            yield f"[{i}]{rest}"


def _nest(flat: Sequence[float], shape: tuple[int, ...]) -> Nested:
    """Row-major floats as nested lists of ``shape`` (a bare float for shape ``()``)."""
    if not shape:
        return flat[0]
    step = len(flat) // shape[0] if shape[0] else 0
    return [_nest(flat[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


def _flatten(name: str, entry: object, shape: tuple[int, ...]) -> list[float]:
    """Check that ``entry`` is nested lists of finite reals of ``shape``; return it flat."""
    if not shape:
        if isinstance(entry, bool) or not isinstance(entry, int | float):
            raise StateDictError(f"parameter {name!r}: expected a number, got "
                                 f"{type(entry).__name__}")
        try:
            value = float(entry)
        except OverflowError:
            value = math.inf
        if not math.isfinite(value):
            raise StateDictError(f"parameter {name!r}: {value!r} is not a finite number")
        return [value]
    if not isinstance(entry, list):
        raise StateDictError(f"parameter {name!r}: expected a list of length {shape[0]}, got "
                             f"{type(entry).__name__}")
    if len(entry) != shape[0]:
        raise StateDictError(f"parameter {name!r}: expected length {shape[0]}, got "
                             f"{len(entry)} (shape should be {list(shape)})")
    flat: list[float] = []
    for i, item in enumerate(entry):
        flat += _flatten(f"{name}[{i}]", item, shape[1:])
    return flat


class Module:
    """Something with named parameters, as ``torch.nn.Module``.

    A subclass needs no more than attributes: every leaf ``Value`` that requires a gradient
    (a parameter; constants and computed results are not), every ``Module`` and every list
    or tuple of them held in an attribute is found, in the order the attributes were first
    assigned.  A Value attribute ``w`` is the scalar parameter ``w``; a (rectangular,
    possibly nested) list of Values ``ws`` is one tensor ``ws`` (``ws[0]``, ``ws[1]``, ...);
    a module ``body`` contributes its tensors as ``body.<name>``, and a list of modules
    ``blocks`` as ``blocks.0.<name>``, ... (torch's ``ModuleList`` names), and a dict with
    str keys ``heads`` as ``heads.<key>...`` (``ModuleDict``).  A parameter or module
    reached twice (shared) counts once, under its first name.  Other attributes (numbers,
    strings, functions, optimisers ...) are ignored.

    So :meth:`parameters`, :meth:`named_parameters`, :meth:`zero_grad`, :meth:`state_dict`,
    :meth:`load_state_dict` and ``save`` / ``load`` work unwritten.  Calling the module
    calls its ``forward`` (or define ``__call__`` directly).  ``Neuron``, ``Layer`` and
    ``MLP`` override :meth:`named_tensors` to give PyTorch's ``nn.Linear`` layout.

    Examples:
        >>> from autograd_lite import Module, Neuron, Value
        >>> class Scaled(Module):
        ...     def __init__(self):
        ...         self.neuron = Neuron(2, "tanh", seed=0)
        ...         self.scale = Value(2.0)        # a leaf Value: a parameter
        ...     def forward(self, x):
        ...         return self.scale * self.neuron(x)
        >>> model = Scaled()
        >>> [name for name, _ in model.named_parameters()]
        ['neuron.weight[0]', 'neuron.weight[1]', 'neuron.bias', 'scale']
        >>> model([0.5, -1.0]).backward()
        >>> model.scale.grad == model.neuron([0.5, -1.0]).data
        True
    """

    def named_tensors(self) -> list[ParamTensor]:
        """The parameter tensors, in a fixed order (PyTorch-style names)."""
        tensors: list[ParamTensor] = []
        _collect_attributes(self, "", tensors, _Seen())
        return tensors

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """``self.forward(*args, **kwargs)``, as ``torch.nn.Module``."""
        return self.forward(*args, **kwargs)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """What calling the module computes: define it in a subclass."""
        raise NotImplementedError(f"{type(self).__name__}: define forward(...) (or __call__) "
                                  f"to call the module")

    def named_parameters(self) -> list[tuple[str, Value]]:
        """Every scalar parameter with its dotted name, e.g. ``layers.0.weight[3][1]``."""
        return [(t.name + index, v) for t in self.named_tensors()
                for index, v in zip(_index_names(t.shape), t.values)]

    def parameters(self) -> list[Value]:
        """Every scalar parameter, in the order of :meth:`named_parameters`."""
        return [v for t in self.named_tensors() for v in t.values]

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0."""
        zero_grad(self.parameters())

    def state_dict(self) -> StateDict:
        """``{tensor name: nested lists of floats}``: a copy, safe to keep or serialise."""
        return {t.name: _nest([v.data for v in t.values], t.shape) for t in self.named_tensors()}

    def architecture(self) -> Architecture:
        """What the parameters mean: the description ``save`` records and ``load`` compares.

        For any module: its class name, every tensor's shape (``{name: shape}``, as
        :meth:`state_dict` names them) and the architecture of each module held in its
        attributes (``{attribute path: architecture}``).  ``Neuron``, ``Layer`` and ``MLP``
        give their sizes, activations, bias and bias input instead.  Override it to add
        settings that change what the module computes but are not parameters (JSON values
        only), e.g. ``{**super().architecture(), "temperature": self.temperature}``.  A
        module met again inside its own description (a cycle) is given by its class alone.
        """
        describing: set[int] = _DESCRIBING.__dict__.setdefault("modules", set())
        if id(self) in describing:  # a cycle back to a module being described above
            return {"module": type(self).__qualname__}
        describing.add(id(self))
        try:
            return {"module": type(self).__qualname__,
                    "shapes": {t.name: list(t.shape) for t in self.named_tensors()},
                    "modules": {name: m.architecture() for name, m in _child_modules(self)}}
        finally:
            describing.discard(id(self))

    def load_state_dict(self, state: Mapping[str, object]) -> None:
        """Assign every parameter from ``state`` (as made by :meth:`state_dict`).

        Checks everything first -- names (missing and unexpected), shapes, finite real
        numbers -- and raises :class:`StateDictError` naming the parameter, leaving the
        module untouched; only then assigns.
        """
        if not isinstance(state, Mapping):
            raise TypeError(f"{type(self).__name__}.load_state_dict: state must be a mapping "
                            "of tensor names to nested lists of numbers, got "
                            f"{type(state).__name__}")
        tensors = self.named_tensors()
        expected = [t.name for t in tensors]
        missing = [n for n in expected if n not in state]
        unexpected = [str(n) for n in state if n not in expected]
        if missing or unexpected:
            parts = []
            if missing:
                parts.append(f"missing parameter(s) {', '.join(map(repr, missing))}")
            if unexpected:
                parts.append(f"unexpected parameter(s) {', '.join(map(repr, unexpected))}")
            raise StateDictError("; ".join(parts))
        checked = [(t, _flatten(t.name, state[t.name], t.shape)) for t in tensors]
        for t, flat in checked:
            for v, x in zip(t.values, flat):
                v.data = x

    def _label_parameters(self, prefix: str = "") -> None:
        """Give every parameter its dotted name as label."""
        for name, v in self.named_parameters():
            v.label = prefix + name


_DESCRIBING = threading.local()  # ids of the modules whose architecture() is running


class _Seen:
    """What a parameter search has already met: Values and modules, by identity."""

    def __init__(self) -> None:
        self.values: set[Value] = set()
        self.modules: set[int] = set()


def _child_modules(module: Module) -> list[tuple[str, Module]]:
    """The modules in ``module``'s attributes (in lists, tuples, str-keyed dicts), by path.

    Named as :meth:`Module.named_tensors` names their tensors; each listed once, under its
    first path, and ``module`` itself never.
    """
    found: list[tuple[str, Module]] = []
    seen = {id(module)}

    def visit(name: str, item: object) -> None:
        if isinstance(item, Module):
            if id(item) not in seen:
                seen.add(id(item))
                found.append((name, item))
        elif isinstance(item, list | tuple):
            for i, sub in enumerate(item):
                visit(f"{name}.{i}", sub)
        elif isinstance(item, dict):
            for key, sub in item.items():
                if isinstance(key, str):
                    visit(f"{name}.{key}", sub)

    for name, item in list(getattr(module, "__dict__", {}).items()):
        visit(name, item)
    return found


def _is_parameter(x: object) -> bool:
    return isinstance(x, Value) and x.op is None and x.requires_grad


def _collect_attributes(module: Module, prefix: str, out: list[ParamTensor],
                        seen: _Seen) -> None:
    """The tensors of ``module``'s attributes, in assignment order, named ``prefix<attr>``."""
    seen.modules.add(id(module))
    for name, item in list(getattr(module, "__dict__", {}).items()):
        _collect(prefix + name, item, out, seen)


def _collect(name: str, item: object, out: list[ParamTensor], seen: _Seen) -> None:
    if isinstance(item, Value):
        if _is_parameter(item):
            _add(ParamTensor(name, (), [item]), out, seen)
    elif isinstance(item, Module):
        if id(item) in seen.modules:
            return
        if type(item).named_tensors is Module.named_tensors:
            _collect_attributes(item, name + ".", out, seen)
        else:
            seen.modules.add(id(item))
            for t in item.named_tensors():
                _add(ParamTensor(f"{name}.{t.name}", t.shape, t.values), out, seen)
    elif isinstance(item, list | tuple):
        shape = _grid_shape(item)
        if shape is not None:
            _add(ParamTensor(name, shape, list(_grid_values(item))), out, seen)
        else:
            for i, sub in enumerate(item):
                _collect(f"{name}.{i}", sub, out, seen)
    elif isinstance(item, dict):
        for key, sub in item.items():
            if isinstance(key, str):
                _collect(f"{name}.{key}", sub, out, seen)


def _add(tensor: ParamTensor, out: list[ParamTensor], seen: _Seen) -> None:
    """Append ``tensor`` unless every Value in it was met before (shared: listed once)."""
    met = [v in seen.values for v in tensor.values]
    if all(met):
        return
    if any(met):
        raise ValueError(f"Module: parameter {tensor.name!r} shares some but not all of its "
                         f"Values with an earlier parameter; hold shared Values in a "
                         f"separate attribute")
    seen.values.update(tensor.values)
    out.append(tensor)


def _grid_shape(items: list[Any] | tuple[Any, ...]) -> tuple[int, ...] | None:
    """The shape of a non-empty rectangular nesting of lists of parameters, else ``None``."""
    if not items:
        return None
    if all(_is_parameter(v) for v in items):
        return (len(items),)
    if all(isinstance(v, list | tuple) for v in items):
        shapes = {_grid_shape(v) for v in items}
        if len(shapes) == 1:
            inner = shapes.pop()
            if inner is not None:
                return (len(items), *inner)
    return None


def _grid_values(items: object) -> Iterator[Value]:
    """The Values of a nesting found by :func:`_grid_shape`, row-major."""
    if isinstance(items, Value):
        yield items
    elif isinstance(items, list | tuple):
        for item in items:
            yield from _grid_values(item)


class Neuron(Module):
    """``a = g(w . x + c * b)``: weights ``w``, optional bias ``b``, bias input ``c``.

    Examples:
        >>> from autograd_lite import Neuron
        >>> n = Neuron.from_weights([1.0, -2.0], bias=0.5, activation="relu")
        >>> y = n([3.0, 1.0])               # relu(1*3 - 2*1 + 0.5)
        >>> y.backward()
        >>> y.data, [w.grad for w in n.w], n.b.grad
        (1.5, [3.0, 1.0], 1.0)
    """

    weight: list[Value]
    bias: Value | None
    bias_input: float
    activation: str

    def __init__(self, nin: int, activation: ActivationSpec | bool | None = None, *,
                 nonlin: bool | None = None, bias: bool = True, bias_input: float = 1.0,
                 seed: int | None = None, rng: random.Random | None = None,
                 init: Init | None = None) -> None:
        """A neuron with ``nin`` random weights; ReLU unless told otherwise.

        ``Neuron(nin)`` / ``Neuron(nin, nonlin=False)`` is micrograd's: weights from the
        global ``random.uniform(-1, 1)``, bias 0.  With ``seed`` or ``rng``, weights and
        bias come from ``U(-1/sqrt(nin), 1/sqrt(nin))`` (PyTorch's Linear); ``init``
        chooses explicitly (see :func:`_initialiser`).
        """
        scheme, source = _initialiser(init, seed, rng, "Neuron")
        w, b = _initial_weights(_positive(nin, "Neuron: nin"), 1, bias, scheme, source)
        self._build(w[0], None if b is None else b[0],
                    _checked_activation(activation, nonlin, "Neuron"), bias_input)
        self._label_parameters()

    @classmethod
    def from_weights(cls, weight: Sequence[float], bias: float | None = None,
                     activation: ActivationSpec = "linear", *,
                     bias_input: float = 1.0) -> Neuron:
        """A neuron with exactly these weights (and bias; ``None``: no bias)."""
        resolve_activation(activation, "Neuron.from_weights", "activation")
        neuron = cls.__new__(cls)
        neuron._build(weight, bias, activation, bias_input)
        neuron._label_parameters()
        return neuron

    def _build(self, weight: Sequence[float], bias: float | None, activation: ActivationSpec,
               bias_input: float, name: str = "") -> None:
        if len(weight) == 0:
            raise ValueError("Neuron: needs at least one weight")
        self.weight = [Value(to_float(w, "Neuron weight")) for w in weight]
        self.bias = None if bias is None else Value(to_float(bias, "Neuron bias"))
        self.bias_input = to_float(bias_input, "Neuron bias_input")
        self.activation, self._g = resolve_activation(activation)
        self._fused = self.weight if self.bias is None else [*self.weight, self.bias]
        # the bias input: one constant node, made once and shared by every call
        self._c = [] if self.bias is None else [constant(self.bias_input)]
        self._name_nodes(name)

    def _name_nodes(self, prefix: str, index: str = "") -> None:
        """Labels for the nodes this neuron makes: ``<prefix>z<index>``, ``<prefix>a<index>``."""
        self._z_label = f"{prefix}z{index}"
        self._a_label = f"{prefix}a{index}"

    @property
    def nin(self) -> int:
        """Number of inputs."""
        return len(self.weight)

    @property
    def w(self) -> list[Value]:
        """The weights, by micrograd's name (``weight``)."""
        return self.weight

    @property
    def b(self) -> Value | None:
        """The bias, by micrograd's name (``bias``; ``None`` without bias)."""
        return self.bias

    @property
    def nonlin(self) -> bool:
        """micrograd's flag: whether an activation follows the sum (``activation != 'linear'``)."""
        return self._g is not None

    def named_tensors(self) -> list[ParamTensor]:
        tensors = [ParamTensor("weight", (self.nin,), self.weight)]
        if self.bias is not None:
            tensors.append(ParamTensor("bias", (), [self.bias]))
        return tensors

    def architecture(self) -> Architecture:
        """``{"module", "nin", "activation", "bias", "bias_input"}``."""
        return {"module": type(self).__qualname__, "nin": self.nin,
                "activation": self.activation, "bias": self.bias is not None,
                "bias_input": self.bias_input}

    def pre_activation(self, x: Input) -> Value:
        """``z = w . x + c * b`` as one ``dot`` node."""
        if type(x) is not list or len(x) != len(self.weight):
            x = _lifted(x, "Neuron", self.nin)  # a named error for a bad x
        try:
            z: Value = dot(self._fused, [*x, *self._c])
        except TypeError:
            _lifted(x, "Neuron", self.nin)  # raises the error naming the bad input
            raise
        z.label = self._z_label
        return z

    def __call__(self, x: Input) -> Value:
        """``a = g(z)``."""
        z = self.pre_activation(x)
        if self._g is None:
            return z
        a = self._g(z)
        a.label = self._a_label
        return a

    def __repr__(self) -> str:
        bias = "" if self.bias is not None else ", bias=False"
        return f"Neuron({self.nin}, {self.activation!r}{bias})"


@dataclass(frozen=True)
class LayerValues:
    """One layer's forward pass: pre-activations ``z`` and outputs ``a = g(z)``.

    Examples:
        >>> from autograd_lite import Layer
        >>> layer = Layer.from_weights([[1.0, 1.0], [1.0, -1.0]], [0.0, 0.0], activation="relu")
        >>> values = layer.layer_values([1.0, 2.0])
        >>> [z.data for z in values.z], [a.data for a in values.a]
        ([3.0, -1.0], [3.0, 0.0])
    """

    z: list[Value]
    a: list[Value]


class Layer(Module):
    """``nout`` neurons reading the same inputs; ``weight[out][in]`` and ``bias[out]``.

    Examples:
        >>> from autograd_lite import Layer
        >>> layer = Layer(3, 2, activation="tanh", seed=0)
        >>> len(layer.parameters()), list(layer.state_dict())     # weight [out][in], bias [out]
        (8, ['weight', 'bias'])
        >>> len(layer([1.0, 2.0, 3.0]))
        2
    """

    neurons: list[Neuron]

    def __init__(self, nin: int, nout: int, activation: ActivationSpec | bool | None = None,
                 *, nonlin: bool | None = None, bias: bool = True, bias_input: float = 1.0,
                 seed: int | None = None, rng: random.Random | None = None,
                 init: Init | None = None) -> None:
        """``nout`` random neurons; ReLU unless told otherwise (as micrograd's Layer).

        Initialisation as :class:`Neuron` (:func:`_initial_weights`): micrograd's without
        ``seed`` / ``rng``, PyTorch's with them.
        """
        scheme, source = _initialiser(init, seed, rng, "Layer")
        weight, biases = _initial_weights(_positive(nin, "Layer: nin"),
                                          _positive(nout, "Layer: nout"), bias,
                                         scheme, source)
        self._build(weight, biases, _checked_activation(activation, nonlin, "Layer"),
                    bias_input)
        self._label_parameters()

    @classmethod
    def from_weights(cls, weight: Sequence[Sequence[float]],
                     bias: Sequence[float] | None = None,
                     activation: ActivationSpec = "linear", *, bias_input: float = 1.0) -> Layer:
        """A layer with exactly ``weight[out][in]`` (and ``bias[out]``; ``None``: no bias)."""
        resolve_activation(activation, "Layer.from_weights", "activation")
        layer = cls.__new__(cls)
        layer._build(weight, bias, activation, bias_input)
        layer._label_parameters()
        return layer

    def _build(self, weight: Sequence[Sequence[float]], bias: Sequence[float] | None,
               activation: ActivationSpec, bias_input: float, name: str = "") -> None:
        if len(weight) == 0:
            raise ValueError("Layer: the weight matrix has no rows")
        nin = len(weight[0])
        for j, row in enumerate(weight):
            if len(row) != nin:
                raise ValueError(f"Layer: weight row {j} has {len(row)} entries, row 0 has {nin}")
        if bias is not None and len(bias) != len(weight):
            raise ValueError(f"Layer: {len(weight)} weight rows but {len(bias)} biases")
        self.neurons = []
        for j, row in enumerate(weight):
            neuron = Neuron.__new__(Neuron)
            neuron._build(row, None if bias is None else bias[j], activation, bias_input)
            self.neurons.append(neuron)
        self._name_nodes(name)

    def _name_nodes(self, prefix: str) -> None:
        for j, neuron in enumerate(self.neurons):
            neuron._name_nodes(prefix, f"[{j}]")

    @property
    def nin(self) -> int:
        """Number of inputs."""
        return self.neurons[0].nin

    @property
    def nout(self) -> int:
        """Number of outputs (neurons)."""
        return len(self.neurons)

    @property
    def activation(self) -> str:
        """The activation's name."""
        return self.neurons[0].activation

    @property
    def has_bias(self) -> bool:
        """Whether the neurons have biases."""
        return self.neurons[0].bias is not None

    def named_tensors(self) -> list[ParamTensor]:
        tensors = [ParamTensor("weight", (self.nout, self.nin),
                               [w for n in self.neurons for w in n.weight])]
        biases = [n.bias for n in self.neurons if n.bias is not None]
        if biases:
            tensors.append(ParamTensor("bias", (self.nout,), biases))
        return tensors

    def architecture(self) -> Architecture:
        """``{"module", "nin", "nout", "activation", "bias", "bias_input"}``."""
        return {"module": type(self).__qualname__, "nin": self.nin, "nout": self.nout,
                "activation": self.activation, "bias": self.has_bias,
                "bias_input": self.neurons[0].bias_input}

    def __call__(self, x: Input) -> Value | list[Value]:
        """The neurons' outputs: a list, or the Value itself for one neuron (as micrograd)."""
        out = self.outputs(x)
        return out[0] if len(out) == 1 else out

    def outputs(self, x: Input) -> list[Value]:
        """The outputs of every neuron -- always a list, even for one neuron."""
        inputs = _lifted(x, "Layer", self.nin)  # numbers become constants once, not per neuron
        return [n(inputs) for n in self.neurons]

    def layer_values(self, x: Input) -> LayerValues:
        """The forward pass with the pre-activations kept: ``z`` and ``a = g(z)``."""
        inputs = _lifted(x, "Layer.layer_values", self.nin)
        z = [n.pre_activation(inputs) for n in self.neurons]
        g = self.neurons[0]._g
        if g is None:
            return LayerValues(z, z)
        a = [g(zj) for zj in z]
        for neuron, aj in zip(self.neurons, a):
            aj.label = neuron._a_label
        return LayerValues(z, a)

    def __repr__(self) -> str:
        bias = "" if self.has_bias else ", bias=False"
        return f"Layer({self.nin}, {self.nout}, {self.activation!r}{bias})"


class MLP(Module):
    """A multi-layer perceptron: ``MLP(2, [16, 16, 1])`` is 2 inputs -> 16 -> 16 -> 1.

    Hidden layers use ``activation``, the last one ``output_activation``.  Calling it
    returns a Value when the last layer has one output, a list otherwise.

    Examples:
        >>> from autograd_lite import MLP
        >>> from autograd_lite.nn.losses import squared_error
        >>> model = MLP(2, [16, 16, 1], seed=0)
        >>> len(model.parameters())                # (2*16 + 16) + (16*16 + 16) + (16 + 1)
        337
        >>> loss = squared_error(model([0.5, -1.0]), 1.0)
        >>> loss.backward()
        >>> all(p.grad == p.grad for p in model.parameters())
        True
    """

    layers: list[Layer]

    def __init__(self, nin: int, sizes: Sequence[int], activation: ActivationSpec = "relu",
                 output_activation: ActivationSpec = "linear", *, bias: bool = True,
                 bias_input: float = 1.0, seed: int | None = None,
                 rng: random.Random | None = None, init: Init | None = None) -> None:
        """Layers initialised in order from one random source.

        ``MLP(nin, nouts)`` is micrograd's: global ``random.uniform(-1, 1)`` weights drawn
        layer by layer, biases 0.  With ``seed`` (or ``rng``): PyTorch's uniform
        ``+-1/sqrt(fan_in)`` from ``random.Random(seed)``.  ``init`` chooses explicitly.
        """
        if not isinstance(sizes, Sequence) or isinstance(sizes, str):
            raise TypeError(f"MLP: sizes must be a list of layer sizes, got "
                            f"{type(sizes).__name__}")
        if len(sizes) == 0:
            raise ValueError("MLP: needs at least one layer size")
        scheme, source = _initialiser(init, seed, rng, "MLP")
        resolve_activation(activation, "MLP", "activation")
        resolve_activation(output_activation, "MLP", "output_activation")
        dims = [_positive(nin, "MLP: nin"), *(_positive(s, "MLP: layer size") for s in sizes)]
        self.layers = []
        for i in range(len(sizes)):
            weight, biases = _initial_weights(dims[i], dims[i + 1], bias, scheme, source)
            self.layers.append(Layer.from_weights(
                weight, biases, _activation_of(i, len(sizes), activation, output_activation),
                bias_input=bias_input))
        self._finish()

    @classmethod
    def from_weights(cls, weights: Sequence[Sequence[Sequence[float]]],
                     biases: Sequence[Sequence[float] | None] | None = None,
                     activation: ActivationSpec = "relu",
                     output_activation: ActivationSpec = "linear", *,
                     bias_input: float = 1.0) -> MLP:
        """A network with exactly these weights: ``weights[l][out][in]``, ``biases[l][out]``.

        ``biases=None`` (or ``None`` for one layer) means no bias.  Each layer's input
        count must match the previous layer's output count.
        """
        if len(weights) == 0:
            raise ValueError("MLP.from_weights: needs at least one weight matrix")
        resolve_activation(activation, "MLP.from_weights", "activation")
        resolve_activation(output_activation, "MLP.from_weights", "output_activation")
        if biases is not None and len(biases) != len(weights):
            raise ValueError(f"MLP.from_weights: {len(weights)} weight matrices but "
                             f"{len(biases)} bias vectors")
        net = cls.__new__(cls)
        net.layers = []
        for i, w in enumerate(weights):
            b = None if biases is None else biases[i]
            layer = Layer.from_weights(
                w, b, _activation_of(i, len(weights), activation, output_activation),
                bias_input=bias_input)
            if i and layer.nin != net.layers[-1].nout:
                raise ValueError(f"MLP.from_weights: layer {i} takes {layer.nin} inputs but "
                                 f"layer {i - 1} has {net.layers[-1].nout} outputs")
            net.layers.append(layer)
        net._finish()
        return net

    def _finish(self) -> None:
        self._label_parameters()
        for i, layer in enumerate(self.layers):
            layer._name_nodes(f"layers.{i}.")

    @property
    def sizes(self) -> list[int]:
        """``[nin, n1, n2, ...]``."""
        return [self.layers[0].nin, *(layer.nout for layer in self.layers)]

    def named_tensors(self) -> list[ParamTensor]:
        return [ParamTensor(f"layers.{i}.{t.name}", t.shape, t.values)
                for i, layer in enumerate(self.layers) for t in layer.named_tensors()]

    def architecture(self) -> Architecture:
        """``{"module", "sizes", "activations", "bias", "bias_input"}``, the last three per layer.

        Examples:
            >>> from autograd_lite import MLP
            >>> MLP(4, [16, 3], activation="tanh", seed=0).architecture()
            ... # doctest: +NORMALIZE_WHITESPACE
            {'module': 'MLP', 'sizes': [4, 16, 3], 'activations': ['tanh', 'linear'],
             'bias': [True, True], 'bias_input': [1.0, 1.0]}
        """
        return {"module": type(self).__qualname__, "sizes": self.sizes,
                "activations": [layer.activation for layer in self.layers],
                "bias": [layer.has_bias for layer in self.layers],
                "bias_input": [layer.neurons[0].bias_input for layer in self.layers]}

    def __call__(self, x: Input) -> Value | list[Value]:
        """The network's output: a Value if the last layer has one neuron, else a list."""
        out = self.layers[0].outputs(_lifted(x, "MLP", self.layers[0].nin))
        for layer in self.layers[1:]:
            out = layer.outputs(out)
        return out[0] if len(out) == 1 else out

    def layer_values(self, x: Input) -> list[LayerValues]:
        """The forward pass layer by layer: each layer's ``z`` and ``a``."""
        values: list[LayerValues] = []
        out: Input = _lifted(x, "MLP.layer_values", self.layers[0].nin)
        for layer in self.layers:
            values.append(layer.layer_values(out))
            out = values[-1].a
        return values

    def __repr__(self) -> str:
        inner = ", ".join(repr(layer) for layer in self.layers)
        return f"MLP({inner})"


def _activation_of(i: int, n: int, hidden: ActivationSpec,
                   output: ActivationSpec) -> ActivationSpec:
    return output if i == n - 1 else hidden


def _positive(n: object, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"{what} must be a positive int, got {n!r}")
    return n
