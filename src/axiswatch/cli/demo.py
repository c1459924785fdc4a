"""``axiswatch demo``: the bundled data end to end."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..evidence import assessment
from ..ingest import bundled_files
from ..lens import load_lens
from ..report.brief import write_brief
from .app import STATE, _store, app, err, out
from .data import _ingest_with_progress, _report_results
from .web import serve_dashboard


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Where to write the briefing.")] = Path(
        "axiswatch-demo"
    ),
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Do not serve the dashboard (for scripts).")
    ] = False,
    host: Annotated[str, typer.Option(help="Address the dashboard binds.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Dashboard port.")] = 8000,
) -> None:
    """Build the store from the bundled data, write the briefing, print the headline, serve."""
    with _store() as store:
        results = _ingest_with_progress(store, bundled_files())
        _report_results(results, as_json=False, fail=False)
        with err.status("coding the events and writing the briefing"):
            result, evidence = assessment(store, load_lens())
            summary = store.stats()
            html = write_brief(result, evidence, out_dir / "briefing.html", "html", summary)
            md = write_brief(result, evidence, out_dir / "briefing.md", "md", summary)
    out.rule("Headline assessment")
    for sentence in [*result.headline.sentences, *result.threat_lines.values()]:
        out.print(sentence, highlight=False, soft_wrap=False)
    out.print(f"\nstore: {STATE.store_path}  ({summary['events']} events)")
    out.print(f"briefing: {html.resolve()}\n          {md.resolve()}", highlight=False)
    if any(r.status in ("failed", "rejected") for r in results):
        raise typer.Exit(2)
    if not no_serve:
        serve_dashboard(host, port, "kim-putin-axis")
