"""``axiswatch demo``: the bundled data end to end."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Annotated

import typer

from ..analysis.analytics import analyse
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
            done = analyse(result, evidence.events, evidence.scored, evidence.signposts)
            briefings = [
                write_brief(result, evidence, out_dir / f"briefing.{fmt}", fmt, summary, done)
                for fmt in _briefing_formats()
            ]
    out.rule("Headline assessment")
    for sentence in [*result.headline.sentences, *result.threat_lines.values()]:
        out.print(sentence, highlight=False, soft_wrap=False)
    out.print(f"\nstore: {STATE.store_path}  ({summary['events']} events)")
    paths = "\n          ".join(str(path.resolve()) for path in briefings)
    out.print(f"briefing: {paths}", highlight=False)
    if any(r.status in ("failed", "rejected") for r in results):
        raise typer.Exit(2)
    if not no_serve:
        serve_dashboard(host, port, "kim-putin-axis")


def _briefing_formats() -> list[str]:
    """HTML and Markdown always; PDF too where the pdf extra is installed."""
    if importlib.util.find_spec("weasyprint") is None:
        err.print("no PDF briefing: pip install 'axiswatch[pdf]' adds it", style="dim")
        return ["html", "md"]
    return ["html", "md", "pdf"]
