"""What every ``axiswatch`` command shares: the Typer app, consoles, store and option parsing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from .. import __version__
from ..errors import UserError
from ..store import Store, default_store_path

app = typer.Typer(
    name="axiswatch",
    help="Early warning and analysis for dangerous state partnerships (the Kim–Putin axis).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
lens_app = typer.Typer(help="Check and show lens files.", no_args_is_help=True)
app.add_typer(lens_app, name="lens")
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def _table(*columns: str, title: str | None = None) -> Table:
    """A Rich table whose long words fold instead of being cut off."""
    table = Table(title=title)
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


#: rows the events table shows unless --limit says otherwise
TABLE_LIMIT = 50


class State:
    store_path: Path = default_store_path()


STATE = State()


class EventFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class BriefFormat(StrEnum):
    html = "html"
    md = "md"
    pdf = "pdf"


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UserError(f"{option} {value!r} is not a date (YYYY-MM-DD)") from None


@contextmanager
def _store(read_only: bool = False) -> Iterator[Store]:
    store = Store(STATE.store_path, read_only=read_only)
    try:
        yield store
    finally:
        store.close()


def _version(value: bool) -> None:
    if value:
        out.print(f"axiswatch {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    store: Annotated[
        Path | None,
        typer.Option(
            "--store", help="Store file (default $AXISWATCH_STORE or ./axiswatch.duckdb)."
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Early warning and analysis for dangerous state partnerships."""
    STATE.store_path = store or default_store_path()
