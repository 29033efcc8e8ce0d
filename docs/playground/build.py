"""The playground's build: what ``docs/hooks.py`` adds to the site under ``playground/``.

The page (``docs/playground/index.md``) runs autograd_lite itself in the browser, in
Pyodide (CPython compiled to WebAssembly), and lays out its DOT text with Graphviz compiled
to WebAssembly.  Nothing is fetched from another host when the page is viewed: at build time

* the runtimes come from the npm registry at the versions and integrity hashes pinned in
  ``docs/playground/package-lock.json`` (``npm ci``, its cache and ``node_modules`` kept in
  ``build/playground/``, so a second build fetches nothing), and the files the page needs are
  served from ``playground/vendor/``;
* the wheel of this checkout is built (``pip wheel``, cached by the hash of the sources) and
  the ``graphviz`` Python package's wheel (pure Python: ``draw_dot`` builds DOT with it) is
  downloaded from PyPI as pinned, with its hash, in ``docs/playground/requirements.txt``;
  both are served from ``playground/wheels/`` and installed into Pyodide by the page;
* the presets (``docs/playground/presets/*.py``) and the runner that executes code in
  Pyodide (``docs/playground/runner.py``) are served in ``playground/manifest.json``.

Without ``npm`` the playground is skipped with a message (the page then says how to build
it), except under ``CI=true``, where that is an error.  ``AUTOGRAD_LITE_PLAYGROUND=skip``
skips it on purpose (quick previews).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

log = logging.getLogger("mkdocs.hooks.autograd_lite.playground")

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PACKAGE = ROOT / "autograd_lite"
CACHE = Path(os.environ.get("AUTOGRAD_LITE_PLAYGROUND_CACHE", ROOT / "build" / "playground"))
NPM_TIMEOUT_SECONDS = 600
PIP_TIMEOUT_SECONDS = 600

PRESETS: list[tuple[str, str]] = [
    ("readme", "The README's thirty seconds: x*y + exp(x)"),
    ("note000", "Note 000: the chain rule, step by step"),
    ("note003", "Note 003: one round of backprop"),
    ("neuron", "A micrograd neuron: tanh(w . x + b)"),
    ("primitive", "Your own primitive: softplus"),
]
"""Each preset: its file ``presets/<name>.py`` and the title the menu shows."""

VENDOR: dict[str, list[str]] = {
    "pyodide": ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip",
                "pyodide-lock.json"],
    "@hpcc-js/wasm-graphviz": ["dist/index.js", "LICENSE"],
}
"""From each npm package, the files the page loads (and the licence, served beside them)."""

VENDOR_DIR = {"pyodide": "pyodide", "@hpcc-js/wasm-graphviz": "graphviz"}
"""Where each package's files go under ``playground/vendor/`` (its path inside dropped)."""

PAGE_FILES = ("playground.js", "worker.js", "playground.css")
"""The page's own scripts and style, copied as they are by MkDocs (they are docs files)."""


class PlaygroundUnavailableError(RuntimeError):
    """The playground cannot be built here (no npm...): the reason, for the skip message."""


def skip_reason() -> str | None:
    """Why the playground is not built here, or None when it is."""
    if os.environ.get("AUTOGRAD_LITE_PLAYGROUND", "build") == "skip":
        return "AUTOGRAD_LITE_PLAYGROUND=skip"
    if shutil.which("npm") is None:
        return ("npm is not installed (Debian/Ubuntu: apt-get install nodejs npm); it fetches "
                "the pinned browser runtimes at build time")
    return None


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def _digest(paths: list[Path], extra: bytes = b"") -> str:
    digest = hashlib.sha256(extra)
    for path in paths:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:20]


def npm_packages(cache: Path = CACHE) -> Path:
    """``node_modules`` as ``package-lock.json`` pins it (``npm ci`` when the lock changed)."""
    lock = HERE / "package-lock.json"
    work = cache / "npm"
    stamp = work / "installed-from.sha256"
    want = _digest([HERE / "package.json", lock])
    if stamp.is_file() and stamp.read_text() == want and (work / "node_modules").is_dir():
        return work / "node_modules"
    npm = shutil.which("npm")
    if npm is None:
        raise PlaygroundUnavailableError("npm is not installed")
    work.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(HERE / name, work / name)
    log.info("playground: npm ci (the pinned runtimes, from the npm registry)")
    done = subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund",
                           "--cache", str(cache / "npm-cache"), "--prefer-offline"],
                          cwd=work, capture_output=True, text=True,
                          timeout=NPM_TIMEOUT_SECONDS, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"npm ci failed (exit {done.returncode}):\n{done.stdout}\n"
                           f"{done.stderr}")
    stamp.write_text(want)
    return work / "node_modules"


def _sources() -> list[Path]:
    return sorted([*PACKAGE.rglob("*.py"), *PACKAGE.glob("py.typed"), *PACKAGE.glob("data/*"),
                   ROOT / "pyproject.toml", ROOT / "README.md", ROOT / "LICENSE"])


def _pip(*args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "pip", *args, "--disable-pip-version-check"],
                          capture_output=True, text=True, timeout=PIP_TIMEOUT_SECONDS,
                          check=False)
    if done.returncode != 0:
        raise RuntimeError(f"pip {' '.join(args)} failed (exit {done.returncode}):\n"
                           f"{done.stdout}\n{done.stderr}")


LEFT_OUT = ("testing", "cli", "__main__.py")
"""Parts of the package the page's wheel leaves out: ``autograd_lite.testing`` needs
hypothesis, which the page does not have, and the command line is a terminal program.  (They
weigh 30 kB of the page's own files, whose budget is 300 kB.)"""


def package_wheel(cache: Path = CACHE) -> Path:
    """The wheel of this checkout, built by ``pip wheel`` from a copy of its sources (so the
    checkout gets no build/ or egg-info), without :data:`LEFT_OUT` and with a one-line
    description for the README, cached by the hash of those sources."""
    where = cache / "wheel" / _digest([*_sources(), Path(__file__).resolve()])  # and how
    found = sorted(where.glob("autograd_lite-*.whl"))
    if found:
        return found[0]
    log.info("playground: building the wheel of this checkout")
    with tempfile.TemporaryDirectory(prefix="autograd-lite-wheel-") as tmp:
        source = Path(tmp) / "src"
        shutil.copytree(PACKAGE, source / "autograd_lite",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        for part in LEFT_OUT:
            path = source / "autograd_lite" / part
            shutil.rmtree(path) if path.is_dir() else path.unlink()
        for name in ("pyproject.toml", "LICENSE"):
            shutil.copyfile(ROOT / name, source / name)
        (source / "README.md").write_text(
            "# autograd_lite\n\nThe package as the documentation's playground runs it "
            "(without autograd_lite.testing and the command line).\n", encoding="utf-8")
        _pip("wheel", "--quiet", "--no-deps", "--wheel-dir", str(Path(tmp) / "out"),
             str(source))
        built = sorted((Path(tmp) / "out").glob("autograd_lite-*.whl"))
        if len(built) != 1:
            raise RuntimeError(f"pip wheel made {built}, expected one autograd_lite wheel")
        where.mkdir(parents=True, exist_ok=True)
        partial = where / f".{built[0].name}.partial"  # another build may be looking
        shutil.copyfile(built[0], partial)
        partial.replace(where / built[0].name)
    return where / built[0].name


def dependency_wheels(cache: Path = CACHE) -> list[Path]:
    """The pure-Python wheels pinned (with hashes) in ``requirements.txt``: graphviz."""
    requirements = HERE / "requirements.txt"
    where = cache / "deps" / _digest([requirements])
    stamp = where / "complete"
    if not stamp.is_file():
        log.info("playground: pip download (the pinned graphviz wheel)")
        where.mkdir(parents=True, exist_ok=True)
        _pip("download", "--quiet", "--no-deps", "--only-binary=:all:", "--require-hashes",
             "--dest", str(where), "-r", str(requirements))
        stamp.write_text("")
    return sorted(where.glob("*.whl"))


def vendor_files(node_modules: Path) -> dict[str, Path]:
    """Site path (under ``playground/``) -> file in ``node_modules``, for :data:`VENDOR`."""
    out = {}
    for package, names in VENDOR.items():
        for name in names:
            path = node_modules / package / name
            if not path.is_file():
                raise RuntimeError(f"playground: {package} has no {name} (at {path})")
            out[f"vendor/{VENDOR_DIR[package]}/{Path(name).name}"] = path
    return out


def versions(node_modules: Path) -> dict[str, str]:
    return {package: json.loads((node_modules / package / "package.json").read_text())[
        "version"] for package in VENDOR}


def presets() -> list[dict[str, str]]:
    return [{"name": name, "title": title,
             "code": (HERE / "presets" / f"{name}.py").read_text(encoding="utf-8")}
            for name, title in PRESETS]


def build(cache: Path = CACHE) -> tuple[dict[str, Path], dict[str, bytes]]:
    """Everything the playground adds to the site: files to copy (site path under
    ``playground/`` -> source) and files to write (site path -> content).

    Raises :class:`PlaygroundUnavailableError` when it cannot be built here."""
    node_modules = npm_packages(cache)
    copies = vendor_files(node_modules)
    wheels = [package_wheel(cache), *dependency_wheels(cache)]
    for wheel in wheels:
        copies[f"wheels/{wheel.name}"] = wheel
    manifest = {
        "wheels": [f"wheels/{w.name}" for w in wheels],
        "runner": (HERE / "runner.py").read_text(encoding="utf-8"),
        "versions": versions(node_modules),
        "presets": presets(),
        "sizes": {path: source.stat().st_size for path, source in copies.items()},
    }
    return copies, {"manifest.json": json.dumps(manifest, indent=1).encode("utf-8")}


# -- "Run in the playground" buttons ---------------------------------------------------------

_BLOCK = re.compile(r'<div class="(?:language-py\w* )?highlight"><pre>(.*?)</pre></div>', re.S)
"""A code block as pymdownx.highlight writes it (a block that is not Python fails to parse or
imports no autograd_lite, so :func:`self_contained` leaves it alone)."""
_TAGS = re.compile(r"<[^>]+>")

AVAILABLE_MODULES = frozenset(sys.stdlib_module_names) | {"autograd_lite", "graphviz"}
"""What code in the playground can import: the standard library, the package, graphviz."""

UNAVAILABLE = re.compile(r"\bsubprocess\b|\binput\(|__file__|\bsys\.argv|\.view\(|"
                         r"[\"'][^\"']*\.(?:png|pdf)[\"']|format=[\"'](?:png|pdf)")
"""What a block cannot do in the page: run programs, read the keyboard or its own file,
open a viewer, draw PNG or PDF (which need the ``dot`` program).  Files it writes and reads
back are fine: Pyodide has an in-memory file system."""


def self_contained(code: str) -> bool:
    """True for code that runs on its own in the playground: it parses, imports only what
    Pyodide has here (:data:`AVAILABLE_MODULES`) and autograd_lite among them, uses no name
    it did not define (builtins aside), and does nothing of :data:`UNAVAILABLE`."""
    import ast
    import builtins

    try:
        tree = ast.parse(code)
    except SyntaxError:
        return False
    if UNAVAILABLE.search(code) or "autograd_lite" not in code:
        return False
    defined = set(dir(builtins))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            roots = [module] if module else [a.name for a in node.names]  # type: ignore[union-attr]
            if isinstance(node, ast.ImportFrom) and node.level:
                return False
            if any((r or "").split(".")[0] not in AVAILABLE_MODULES for r in roots):
                return False
            named = [*roots, *(f"{module}.{a.name}" for a in node.names if module)]
            left_out = [f"autograd_lite.{part.removesuffix('.py')}" for part in LEFT_OUT]
            if any(n == out or n.startswith(f"{out}.") for n in named for out in left_out):
                return False  # not in the page's wheel
            defined |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            defined.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
            defined.add(node.name)
            if not isinstance(node, ast.ClassDef):
                args = node.args
                defined |= {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
                defined |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
        elif isinstance(node, ast.Lambda):
            args = node.args
            defined |= {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
            defined |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
        elif isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar) and node.name:
            defined.add(node.name)
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return used <= defined


def playground_link(code: str, page_url: str) -> str:
    """The playground's address, relative to the page at ``page_url``, opening ``code``."""
    depth = page_url.strip("/").count("/") + 1 if page_url.strip("/") else 0
    encoded = base64.urlsafe_b64encode(code.encode("utf-8")).decode("ascii").rstrip("=")
    return "../" * depth + "playground/#code=" + encoded


def add_run_buttons(html_text: str, page_url: str) -> str:
    """A "Run in the playground" link under each self-contained Python block of a page."""
    def button(match: re.Match[str]) -> str:
        code = html.unescape(_TAGS.sub("", match.group(1)))
        if not self_contained(code):
            return match.group(0)
        href = html.escape(playground_link(code.strip("\n") + "\n", page_url), quote=True)
        return (f'{match.group(0)}<p class="playground-run"><a class="md-button" '
                f'href="{href}" title="Open this code in the playground: it runs in your '
                f'browser">Run in the playground</a></p>')
    return _BLOCK.sub(button, html_text)


def not_built_note(reason: str) -> str:
    return (f'!!! warning "The playground was not built"\n    {reason}.  Build the site with '
            "npm on the PATH (`mkdocs serve` or `mkdocs build`) to get it.\n")


def summary(copies: dict[str, Path], written: dict[str, bytes]) -> str:
    """The sizes the build adds, by kind, for its log."""
    def size(prefix: str) -> int:
        return sum(p.stat().st_size for k, p in copies.items() if k.startswith(prefix))
    scripts = sum((HERE / name).stat().st_size for name in PAGE_FILES)
    scripts += sum(len(content) for content in written.values())
    return (f"runtimes {size('vendor/') / 1e6:.1f} MB (Pyodide, Graphviz), wheels "
            f"{size('wheels/') / 1e3:.0f} kB, the page's scripts, style and presets "
            f"{scripts / 1e3:.0f} kB")
