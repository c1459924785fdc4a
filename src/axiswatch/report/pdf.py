"""The briefing as a printable PDF: the HTML briefing with static charts, set by WeasyPrint.

WeasyPrint runs no JavaScript, so each Vega-Lite chart is drawn to SVG with vl-convert
first and embedded as an image. WeasyPrint never fetches anything: the only resources a
briefing has are those data URIs, and links stay links.
"""

from __future__ import annotations

import base64
from typing import Any

from ..errors import MissingExtra


def chart_images(charts: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Each chart as an ``data:image/svg+xml`` URI (an image cannot run script)."""
    import vl_convert

    return {
        name: "data:image/svg+xml;base64,"
        + base64.b64encode(vl_convert.vegalite_to_svg(spec).encode("utf-8")).decode("ascii")
        for name, spec in charts.items()
    }


def html_to_pdf(html: str) -> bytes:
    """Set an HTML document as PDF with WeasyPrint (the ``pdf`` extra)."""
    try:
        import weasyprint
    except ImportError:
        raise MissingExtra("weasyprint", "pdf") from None
    # data: URIs only: a briefing never makes WeasyPrint reach the network or the disk
    fetcher = weasyprint.urls.URLFetcher(allowed_protocols=("data",))
    document = weasyprint.HTML(string=html, url_fetcher=fetcher)
    return bytes(document.write_pdf())
