"""The printable briefing: a real PDF, read back as text the way pdftotext reads it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from axiswatch import Store, assessment, ingest_bundled, load_lens
from axiswatch.cli import main
from axiswatch.errors import MissingExtra
from axiswatch.ingest import ingest_file
from axiswatch.report.brief import SECTIONS, render_brief, write_brief
from axiswatch.report.pdf import html_to_pdf

from .helpers import ledger_entry, write_ledger

pytest.importorskip("weasyprint", reason="the pdf extra is not installed")


def pdf_text(path: Path) -> str:
    """The PDF's text: pdftotext where poppler is installed, else pypdf."""
    if shutil.which("pdftotext"):
        run = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                             text=True, check=True)  # fmt: skip
        return run.stdout
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    with Store(tmp_path_factory.mktemp("pdf") / "demo.duckdb") as store:
        assert not ingest_bundled(store).failed
        yield (*assessment(store, load_lens()), store.stats())


@pytest.fixture(scope="module")
def demo_pdf(demo, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    result, evidence, stats = demo
    path = write_brief(result, evidence, tmp_path_factory.mktemp("pdf") / "b.pdf", "pdf", stats)
    return path, pdf_text(path)


def test_the_pdf_has_the_papers_sections_in_order(demo_pdf):
    path, text = demo_pdf
    assert path.read_bytes().startswith(b"%PDF-")
    flat = " ".join(text.split())
    positions = [flat.find(title) for _, title in SECTIONS]
    assert -1 not in positions, [t for (_, t), p in zip(SECTIONS, positions, strict=True) if p < 0]
    assert positions == sorted(positions)


def test_every_page_is_numbered_and_the_sources_are_listed(demo_pdf):
    _, text = demo_pdf
    pages = text.count("\f") + (0 if text.endswith("\f") else 1)
    total = int(text.split("page 1 of ", 1)[1].split()[0])
    assert total == pages > 10
    assert f"page {total} of {total}" in text
    sources = text.split("Evidence and sources", 1)[1]
    assert sources.count("Source:") > 100
    assert "https://" in sources  # a printed source keeps its address


def test_the_charts_are_drawn_into_the_pdf(demo):
    result, evidence, _ = demo
    html = render_brief(result, evidence, "pdf")
    assert "vegaEmbed(" not in html and "<script" not in html  # static: nothing to run
    assert html.count('<img src="data:image/svg+xml;base64,') >= 8


def test_hostile_text_is_printed_as_text(tmp_path):
    title = '<img src="http://127.0.0.1:9/x.png"> Kim <script>alert(1)</script>'
    entry = ledger_entry(1, title=title)
    with Store(tmp_path / "xss.duckdb") as store:
        ingest_file(store, "ledger", write_ledger(tmp_path / "x.yaml", [entry]))
        result, evidence = assessment(store, load_lens())
        path = write_brief(result, evidence, tmp_path / "x.pdf", "pdf")
    assert "<script>alert(1)</script>" in " ".join(pdf_text(path).split())


def test_the_pdf_renderer_fetches_nothing_from_outside():
    # an image on the network and one on disk: neither may be read into the PDF
    page = ('<p>one</p><img src="http://127.0.0.1:9/a.png">'
            '<img src="file:///etc/hostname"><p>two</p>')  # fmt: skip
    pdf = html_to_pdf(f"<html><body>{page}</body></html>")
    assert pdf.startswith(b"%PDF-") and b"/Subtype /Image" not in pdf


def test_a_missing_pdf_extra_names_the_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import weasyprint now fails
    with pytest.raises(MissingExtra, match=r"pip install 'axiswatch\[pdf\]'"):
        html_to_pdf("<p>x</p>")


def test_brief_format_pdf_from_the_cli(tmp_path, capsys):
    store = tmp_path / "cli.duckdb"
    write_ledger(tmp_path / "l.yaml", [ledger_entry(1), ledger_entry(2)])
    assert main(["--store", str(store), "ingest", "ledger", str(tmp_path / "l.yaml")]) == 0
    target = tmp_path / "out" / "b.pdf"
    assert main(["--store", str(store), "brief", "--format", "pdf", "--out", str(target)]) == 0
    assert "briefing written to" in capsys.readouterr().out
    assert "Evidence and sources" in pdf_text(target)
