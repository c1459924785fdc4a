"""``axiswatch serve``: the dashboard on this machine."""

from __future__ import annotations

import ipaddress
from typing import Annotated

import typer

from ..errors import UserError
from .app import STATE, app, err, out

LOOPBACK = ("localhost",)


def is_loopback(host: str) -> bool:
    """Whether a host name or address only answers on this machine."""
    if host in LOOPBACK:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve_dashboard(host: str, port: int, lens: str, refresh: float = 5.0) -> None:
    """Serve the dashboard over the current store until interrupted."""
    import uvicorn

    from ..web import Settings, create_app, prepare

    if not is_loopback(host):
        err.print(f"warning: serving on {host}: anyone who can reach this address can read the "
                  "store (the dashboard has no login)", style="yellow")  # fmt: skip
    if not STATE.store_path.exists():
        raise UserError(f"{STATE.store_path}: no store here yet; run 'axiswatch demo' or ingest")
    dashboard = create_app(Settings(STATE.store_path, lens=lens, refresh_seconds=refresh))
    with err.status("reading the store and preparing the dashboard"):
        prepare(dashboard)
    shown = f"[{host}]" if ":" in host else host
    out.print(f"dashboard: http://{shown}:{port}/  (Ctrl-C to stop)", highlight=False)
    uvicorn.run(dashboard, host=host, port=port, log_level="warning")


@app.command()
def serve(
    host: Annotated[
        str, typer.Option(help="Address to bind (loopback unless told).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    lens: Annotated[str, typer.Option(help="Lens name or path.")] = "kim-putin-axis",
    refresh: Annotated[
        float, typer.Option(min=0.5, help="Seconds between checks of the store for changes.")
    ] = 5.0,
) -> None:
    """Serve the dashboard (read-only; notes on events need $AXISWATCH_TOKEN)."""
    serve_dashboard(host, port, lens, refresh)
