"""The one exception tree of axiswatch.

AxiswatchError                 every error axiswatch raises on purpose
├── UserError                  the user can fix it; the CLI prints one line and exits 2
│   ├── LensError              a lens file is missing, malformed or invalid
│   ├── SourceError            an input file cannot be read as its kind at all
│   ├── StoreError             the store cannot be opened or is not an axiswatch store
│   └── NotEnoughEvidence      an analysis was asked of a window with no events
└── MissingExtra               an optional dependency is not installed
"""

from __future__ import annotations


class AxiswatchError(Exception):
    """Base class of every error axiswatch raises on purpose."""


class UserError(AxiswatchError):
    """An error the user can fix: bad input, a bad option, a missing file."""


class LensError(UserError):
    """A lens file is missing, is not valid YAML, or breaks the lens schema."""


class SourceError(UserError):
    """An input file cannot be read as its kind at all (not one bad row: the whole file)."""


class StoreError(UserError):
    """The store cannot be opened, or is not an axiswatch store."""


class NotEnoughEvidence(UserError):
    """An analysis was asked of a window that holds no events to analyse."""


class MissingExtra(AxiswatchError):
    """An optional dependency is missing; the message names the pip install that adds it."""

    def __init__(self, package: str, extra: str) -> None:
        super().__init__(f"{package} is not installed: pip install 'axiswatch[{extra}]'")
        self.package = package
        self.extra = extra
