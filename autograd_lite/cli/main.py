"""``autograd-lite`` / ``python -m autograd_lite``: the worked examples, and ``grad``.

Without arguments it prints the worked example of course note 003 step by
step; ``--example NAME`` prints another, ``--list`` lists them; ``grad ...`` runs the
gradient tool of :mod:`autograd_lite.cli.grad`.  Bad input gives a one-line message and
exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from autograd_lite import __version__
from autograd_lite.examples import DEFAULT, EXAMPLES

PROG = "autograd-lite"
USAGE_ERROR = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Backpropagation worked examples from the course notes, recomputed by "
                    "autograd_lite (default: note 003's 2-3-1 network, step by step).",
        epilog=f"commands:\n  grad ...    differentiate an expression; see '{PROG} grad "
               "--help'",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--example", metavar="NAME", default=DEFAULT,
                        help=f"which example to print, e.g. note000 or 000 (default {DEFAULT}; "
                             "see --list)")
    parser.add_argument("--list", action="store_true", help="list the examples and exit")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args and args[0] == "grad":
            return _grad(args[1:])
        options = _parser().parse_args(args)
        if options.list:
            for example in EXAMPLES.values():
                print(f"{example.name:8}  {example.note:16}  {example.title}")
            return 0
        name = options.example if options.example in EXAMPLES else f"note{options.example}"
        if name not in EXAMPLES:
            print(f"{PROG}: error: unknown example {options.example!r}; choose one of "
                  f"{', '.join(EXAMPLES)} (see --list)", file=sys.stderr)
            return USAGE_ERROR
        print(EXAMPLES[name].report())
        return 0
    except SystemExit as exit_:  # argparse: --help (0) or a usage error (2)
        return exit_.code if isinstance(exit_.code, int) else USAGE_ERROR
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. piped into `head`
        sys.stderr.close()
        return 0
    except (ValueError, ArithmeticError, OSError) as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return USAGE_ERROR


def _grad(argv: list[str]) -> int:
    """Hand ``grad ...`` to :func:`autograd_lite.cli.grad.run_grad` (imported only here)."""
    try:
        from autograd_lite.cli.grad import run_grad
    except ImportError as error:
        print(f"{PROG}: error: the grad command is not available ({error})", file=sys.stderr)
        return USAGE_ERROR
    return run_grad(argv)
