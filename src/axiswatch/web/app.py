"""The dashboard: a FastAPI app, pages rendered on the server, every page with a JSON twin.

``create_app(Settings(store_path))`` builds the app. It reads only from a private
snapshot of the store (see ``snapshot``), caches each rendered page per snapshot,
sends a strict Content-Security-Policy with every response, and accepts one write:
a note on an event, with the token from ``$AXISWATCH_TOKEN``.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

import jinja2
from fastapi import Body, Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from .. import __version__
from ..errors import UserError
from ..lens import load_lens
from ..lens.model import Lens
from ..report.brief import script_json
from . import pages
from .notes import Notes, notes_path
from .pages import Filters
from .security import SecurityHeaders
from .snapshot import Snapshot, Snapshots

#: the pages, in the navigation's order: name, path, title
NAV = (
    ("overview", "/", "Overview"),
    ("timeline", "/timeline", "Timeline"),
    ("indicators", "/indicators", "Indicators"),
    ("scenarios", "/scenarios", "Scenarios"),
    ("explorer", "/explorer", "Event explorer"),
    ("sources", "/sources", "Sources"),
)
#: files served under /static/: name -> (package folder, media type); nothing else is served
STATIC_FILES = {
    "app.css": ("web/static", "text/css"),
    "charts.js": ("web/static", "text/javascript"),
    "vega.min.js": ("report/static", "text/javascript"),
    "vega-lite.min.js": ("report/static", "text/javascript"),
    "vega-embed.min.js": ("report/static", "text/javascript"),
}
EVENT_ID = r"^[A-Za-z0-9_.:-]{1,128}$"
NOTE_MAX = 4000


@dataclass
class Settings:
    """How the dashboard runs; the token enables the one write (notes)."""

    store_path: Path
    lens: str = "kim-putin-axis"
    token: str | None = field(default_factory=lambda: os.environ.get("AXISWATCH_TOKEN") or None)
    refresh_seconds: float = 5.0
    notes_path: Path | None = None


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=NOTE_MAX)
    author: str | None = Field(None, max_length=100)


# -- query parameters: every one bounded; a bad value is a 422, never a 500 -------------

DateText = Annotated[str | None, Query(max_length=10, pattern=r"^(\d{4}-\d{2}-\d{2})?$",
                                       description="YYYY-MM-DD")]  # fmt: skip


def _date(value: str | None, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise HTTPException(422, f"{name}: not a date (YYYY-MM-DD)") from None


def event_filters(
    request: Request,
    since: DateText = None,
    until: DateText = None,
    actor: Annotated[list[str] | None, Query(max_length=10, description="ISO3 codes")] = None,
    source: Annotated[str | None, Query(max_length=40, pattern=r"^[A-Za-z0-9_.-]*$")] = None,
    family: Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_]*$")] = None,
    reliability: Annotated[list[str] | None, Query(max_length=6, description="A-F")] = None,
    q: Annotated[str | None, Query(max_length=200, description="words in title or summary")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Filters:
    """The event filters shared by the timeline, the explorer and the exports."""
    actors = tuple(a.strip().upper() for a in actor or [] if a.strip())
    if any(len(a) != 3 or not a.isalpha() for a in actors):
        raise HTTPException(422, "actor: three-letter codes (ISO 3166 alpha-3)")
    grades = tuple(g.strip().upper() for g in reliability or [] if g.strip())
    if any(g not in "ABCDEF" or len(g) != 1 for g in grades):
        raise HTTPException(422, "reliability: grades A to F")
    lens: Lens = request.app.state.lens
    if family and family not in {f.id for f in lens.families}:
        raise HTTPException(422, f"family: no family {family!r} in lens {lens.name}")
    since_date, until_date = _date(since, "since"), _date(until, "until")
    return Filters(since_date, until_date, actors, source or None, family or None, grades,
                   (q or "").strip() or None, limit, offset)  # fmt: skip


EventId = Annotated[str, PathParam(pattern=EVENT_ID)]
Format = Annotated[str | None, Query(alias="format", pattern=r"^(html|json)$")]


# -- rendering -------------------------------------------------------------------------


def _when(value: Any) -> str:
    """An ISO timestamp to the minute, for people ("2026-11-27 04:16 UTC")."""
    try:
        stamp = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(dt.UTC)
    return f"{stamp:%Y-%m-%d %H:%M} UTC"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("axiswatch", "web/templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = lambda v: "n/a" if v is None else f"{v:.0%}"
    env.filters["num"] = lambda v: "n/a" if v is None else f"{v:.1f}"
    env.filters["script_json"] = script_json
    env.filters["when"] = _when
    env.globals["nav"] = NAV
    env.globals["version"] = __version__
    env.globals["qs"] = lambda params, **more: urlencode({**params, **more}, doseq=True)
    return env


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")


class Dashboard:
    """What the routes share: settings, the lens, snapshots, notes and templates."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.lens = load_lens(settings.lens)
        self.snapshots = Snapshots(settings.store_path, warm=self.warm,
                                   refresh_seconds=settings.refresh_seconds)  # fmt: skip
        self.notes = Notes(settings.notes_path or notes_path(settings.store_path))
        self.env = _environment()
        #: the pages a fresh snapshot renders before it serves: name -> (build, cache key)
        self.main_pages: dict[str, tuple[Callable[[Snapshot], dict[str, Any]], Any]] = {}

    def warm(self, snapshot: Snapshot) -> None:
        """Render a fresh snapshot's main pages and their twins before it serves."""
        for name, (build, key) in self.main_pages.items():
            for fmt in ("html", "json"):
                self.render(snapshot, name, fmt, build, key)

    def snapshot(self) -> Snapshot:
        return self.snapshots.current()

    def render(self, snapshot: Snapshot, name: str, fmt: str,
               build: Callable[[Snapshot], dict[str, Any]], key: Any = None) -> bytes:  # fmt: skip
        """A page or its JSON twin as bytes, rendered once per snapshot and cached."""

        def render() -> bytes:
            data = build(snapshot)
            if fmt == "json":
                return _json(data)
            context = {"page": name, "d": data, "lens": self.lens, "writes": bool(
                self.settings.token), "store": self.settings.store_path.name}  # fmt: skip
            return self.env.get_template(f"{name}.html").render(**context).encode("utf-8")

        body: bytes = snapshot.cached(("page", name, fmt, key), render)
        return body

    def respond(self, name: str, fmt: str, build: Callable[[Snapshot], dict[str, Any]],
                key: Any = None) -> Response:  # fmt: skip
        """A page or its JSON twin from the current snapshot."""
        snapshot = self.snapshot()
        body = self.render(snapshot, name, fmt, build, key)
        media = "application/json" if fmt == "json" else "text/html; charset=utf-8"
        return Response(body, media_type=media, headers={"X-Snapshot": str(snapshot.version)})


def _fmt(suffix_json: bool, fmt: str | None) -> str:
    return "json" if suffix_json or fmt == "json" else "html"


def _page_routes(app: FastAPI, board: Dashboard) -> None:
    lens = board.lens
    simple: dict[str, Callable[[Snapshot], dict[str, Any]]] = {
        "overview": lambda s: pages.overview(s, lens),
        "indicators": lambda s: pages.indicators(s, lens),
        "scenarios": lambda s: pages.scenarios(s, lens),
        "sources": lambda s: {**pages.sources(s), "store": str(board.settings.store_path)},
    }
    for name, path, title in NAV:
        if name in simple:
            _add_simple(app, board, name, path, title, simple[name])
            board.main_pages[name] = (simple[name], None)
    for name, title in (("timeline", "Timeline"), ("explorer", "Event explorer")):
        _add_selection(app, board, name, title)


def _add_simple(app: FastAPI, board: Dashboard, name: str, path: str, title: str,
                build: Callable[[Snapshot], dict[str, Any]]) -> None:  # fmt: skip
    twin = "/overview.json" if path == "/" else f"{path}.json"

    def page(fmt: Format = None) -> Response:
        return board.respond(name, _fmt(False, fmt), build)

    def page_json() -> Response:
        return board.respond(name, "json", build)

    app.add_api_route(path, page, methods=["GET"], summary=title, tags=["pages"],
                      response_class=Response, name=name)  # fmt: skip
    app.add_api_route(path, page, methods=["HEAD"], include_in_schema=False, name=f"{name}_head")
    app.add_api_route(twin, page_json, methods=["GET"], summary=f"{title} (JSON)",
                      tags=["json"], response_class=JSONResponse, name=f"{name}_json")  # fmt: skip


def _add_selection(app: FastAPI, board: Dashboard, name: str, title: str) -> None:
    lens = board.lens

    def build(f: Filters) -> Callable[[Snapshot], dict[str, Any]]:
        return lambda s: {**pages.events_page(s, lens, f), "facets": pages.facets(s, lens)}

    def page(f: Annotated[Filters, Depends(event_filters)], fmt: Format = None) -> Response:
        return board.respond(name, _fmt(False, fmt), build(f), key=f)

    def page_json(f: Annotated[Filters, Depends(event_filters)]) -> Response:
        return board.respond(name, "json", build(f), key=f)

    board.main_pages[name] = (build(Filters()), Filters())
    app.add_api_route(f"/{name}", page, methods=["GET"], summary=title, tags=["pages"],
                      response_class=Response, name=name)  # fmt: skip
    app.add_api_route(f"/{name}", page, methods=["HEAD"], include_in_schema=False,
                      name=f"{name}_head")  # fmt: skip
    app.add_api_route(f"/{name}.json", page_json, methods=["GET"], summary=f"{title} (JSON)",
                      tags=["json"], response_class=JSONResponse, name=f"{name}_json")  # fmt: skip


EXPORT_MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "parquet": "application/vnd.apache.parquet",
}


def _other_routes(app: FastAPI, board: Dashboard) -> None:
    @app.get("/explorer/export.{fmt}", tags=["export"], summary="Export the selection")
    def export(
        f: Annotated[Filters, Depends(event_filters)],
        fmt: Annotated[str, PathParam(pattern=r"^(csv|json|parquet)$")],
    ) -> Response:
        """The selected events (up to 100 000) as CSV, JSON or Parquet, all canonical columns."""
        body = pages.export(board.snapshot(), board.lens, f, fmt)
        stamp = dt.date.today().isoformat()
        disposition = f'attachment; filename="axiswatch-events-{stamp}.{fmt}"'
        return Response(body, media_type=EXPORT_MEDIA[fmt],
                        headers={"Content-Disposition": disposition})  # fmt: skip

    def event_data(event_id: str) -> dict[str, Any]:
        event = pages.event_detail(board.snapshot(), event_id)
        if event is None:
            raise HTTPException(404, f"no event {event_id}")
        return {"event": event, "notes": board.notes.of_event(event_id)}

    @app.get("/events/{event_id}.json", tags=["json"], summary="One event (JSON)")
    def event_json(event_id: EventId) -> dict[str, Any]:
        return event_data(event_id)

    @app.get("/events/{event_id}", tags=["pages"], summary="One event", response_class=Response)
    def event_page(event_id: EventId, fmt: Format = None) -> Response:
        data = event_data(event_id)
        if fmt == "json":
            return Response(_json(data), media_type="application/json")
        html = board.env.get_template("event.html").render(
            page="event", d=data, lens=board.lens, writes=bool(board.settings.token),
            store=board.settings.store_path.name)  # fmt: skip
        return Response(html, media_type="text/html; charset=utf-8")

    @app.post("/events/{event_id}/notes", tags=["notes"], status_code=201,
              summary="Add an analyst note (token required)")  # fmt: skip
    def add_note(
        event_id: EventId,
        note: Annotated[NoteIn, Body()],
        authorization: Annotated[str | None, Header(max_length=300)] = None,
    ) -> dict[str, Any]:
        """Notes are the one write; they need ``Authorization: Bearer $AXISWATCH_TOKEN``."""
        _check_token(board.settings.token, authorization)
        if pages.event_detail(board.snapshot(), event_id) is None:
            raise HTTPException(404, f"no event {event_id}")
        return board.notes.add(event_id, note.text, note.author)

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: Annotated[str, PathParam(max_length=40)]) -> Response:
        if name not in STATIC_FILES:
            raise HTTPException(404, "not found")
        folder, media = STATIC_FILES[name]
        body = resources.files("axiswatch").joinpath(folder, name).read_bytes()
        return Response(body, media_type=media, headers={"Cache-Control": "max-age=3600"})


def _check_token(expected: str | None, given: str | None) -> None:
    if not expected:
        raise HTTPException(403, "the dashboard is read-only: set AXISWATCH_TOKEN to allow notes")
    scheme, _, token = (given or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.encode(), expected.encode()):
        raise HTTPException(401, "a valid token is required (Authorization: Bearer TOKEN)",
                            headers={"WWW-Authenticate": "Bearer"})  # fmt: skip


def prepare(app: FastAPI) -> None:
    """Take and warm the first snapshot now, so the first page is quick and a store that
    cannot be read is reported before serving (a ``StoreError``)."""
    app.state.board.snapshots.take()


def create_app(settings: Settings) -> FastAPI:
    """The dashboard app over one store."""
    board = Dashboard(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        board.snapshots.close()
        board.notes.close()

    app = FastAPI(
        lifespan=lifespan,
        docs_url=None,  # the interactive docs load scripts from a CDN: the CSP forbids it
        redoc_url=None,
        title="axiswatch dashboard",
        version=__version__,
        description="Pages and their JSON twins over an axiswatch store (read-only; notes "
        "on events need a token).",
    )
    app.state.lens = board.lens
    app.state.board = board

    @app.exception_handler(UserError)
    def user_error(request: Request, exc: UserError) -> JSONResponse:
        return JSONResponse({"detail": " ".join(str(exc).splitlines())}, status_code=503)

    _page_routes(app, board)
    _other_routes(app, board)
    app.add_middleware(SecurityHeaders)
    return app
