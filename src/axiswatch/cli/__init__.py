"""The ``axiswatch`` command: short adapters over the library.

Each command parses its options, calls the public API and prints. A user error
(``UserError``) becomes one line on stderr and exit code 2, never a traceback.
The commands live in modules by topic; importing them registers them on ``app``.
"""

from __future__ import annotations

import sys

from ..errors import AxiswatchError

# importing a module registers its commands; --help lists them in this order
from . import data  # noqa: F401

# isort: split
from . import (  # noqa: F401
    analysis,
    analytics,  # noqa: F401
    demo,
    gdelt,  # noqa: F401
    web,  # noqa: F401
)
from .app import app, err

__all__ = ["app", "main", "run"]


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code; a user error prints one line and returns 2."""
    try:
        app(args=argv, prog_name="axiswatch")
    except AxiswatchError as exc:
        err.print(f"error: {' '.join(str(exc).splitlines())}", highlight=False, markup=False)
        return 2
    except SystemExit as exc:  # typer ends every run, usage errors included, with SystemExit
        return exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    return 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
