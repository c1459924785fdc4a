"""Alert delivery: POST new alerts as JSON to a webhook, remembering what was sent.

A state file (``{"sent": [alert ids]}``) makes a rerun deliver only what is new. It is
replaced atomically, and only after the webhook accepted the batch: a failed POST sends
the same alerts again next time.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from .analysis.alerts import Alert, alert_record
from .errors import UserError
from .schema import is_http_url

#: seconds a webhook has to answer
WEBHOOK_TIMEOUT = 10.0


def read_sent(path: Path | None) -> set[str]:
    """The ids of the alerts a state file says were sent (none when there is no file)."""
    if path is None or not path.exists():
        return set()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(i) for i in data["sent"]}
    except (ValueError, KeyError, TypeError):
        raise UserError(f'{path}: not an alerts state file (expected {{"sent": [...]}})') from None


def write_sent(path: Path, sent: set[str]) -> None:
    """Replace the state file atomically (temp file + rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({"sent": sorted(sent)}, indent=1) + "\n", encoding="utf-8")
    tmp.replace(path)


def check_webhook(url: str) -> None:
    """Refuse anything but an http(s) address before any work is done."""
    if not is_http_url(url):
        raise UserError(f"--webhook {url!r} is not an http(s) URL")


def post_json(url: str, payload: dict[str, Any], timeout: float = WEBHOOK_TIMEOUT) -> int:
    """POST a JSON body; the HTTP status, or a one-line UserError on any failure."""
    check_webhook(url)
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json"})  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) only
            return int(response.status)
    except urllib.error.HTTPError as exc:
        raise UserError(f"webhook {url} answered HTTP {exc.code}; nothing marked as sent") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise UserError(f"webhook {url} failed: {reason}; nothing marked as sent") from None


def deliver_alerts(
    alerts: list[Alert],
    lens_name: str,
    since: dt.date,
    webhook: str | None = None,
    state: Path | None = None,
) -> list[dict[str, Any]]:
    """The alerts from ``since`` not sent before, as JSON records; POSTed to ``webhook``
    and remembered in ``state`` when those are given."""
    sent = read_sent(state)
    new = [a for a in alerts if a.date >= since and a.id not in sent]
    records = [alert_record(a) for a in new]
    if webhook and records:
        post_json(webhook, {"lens": lens_name, "count": len(records), "alerts": records})
    if state is not None:
        write_sent(state, sent | {a.id for a in new})
    return records
