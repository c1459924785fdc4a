"""Alerts: robust z-scores by hand, surges with their evidence, no alert from one event."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from axiswatch.analysis.alerts import alert_record, all_alerts, robust_z, surge_alerts
from axiswatch.analysis.scenarios import Firing

from .test_analysis_changepoints import MONTHS, count_series, events_of


def test_robust_z_by_hand():
    values = pd.Series([2, 3, 2, 4, 3, 2, 3, 5, 2, 3, 4, 3, 20], dtype=float,
                       index=MONTHS[:13])  # fmt: skip
    frame = robust_z(values)
    last = frame.iloc[-1]
    # baseline: the 12 months before: median 3, MAD 1 -> scale max(1.4826, sqrt(3)) = sqrt(3)
    assert last["median"] == 3 and last["scale"] == pytest.approx(np.sqrt(3))
    assert last["z"] == pytest.approx(17 / np.sqrt(3))
    assert frame["z"].iloc[:12].isna().all()  # no baseline yet


def test_a_surge_raises_one_alert_with_its_events():
    values = np.array([1, 0, 2, 1, 1, 0, 1, 2, 1, 0, 1, 1, 1, 2, 12, 1])
    series = count_series(values, MONTHS[:16])
    (alert,) = surge_alerts(series, events_of(series))
    assert alert.date == dt.date(2001, 3, 1) and alert.kind == "surge"
    assert alert.id == "surge:synthetic:2001-03-01" and alert.value == 12
    assert len(alert.evidence) == 5 and all(e["date"] == "2001-03-01" for e in alert.evidence)
    record = alert_record(alert)
    assert json.loads(json.dumps(record, allow_nan=False))["date"] == "2001-03-01"


def test_one_event_in_an_empty_series_is_not_a_surge():
    values = np.array([0] * 20 + [1, 0, 2])
    series = count_series(values, MONTHS[:23])
    assert surge_alerts(series, events_of(series)) == []


def test_all_alerts_are_newest_first_and_filtered_by_date():
    values = np.array([1, 0, 2, 1, 1, 0, 1, 2, 1, 0, 1, 1, 1, 2, 12, 1])
    series = count_series(values, MONTHS[:16])
    events = events_of(series)
    firing = Firing("s", "post", "A post", dt.date(2001, 4, 2), [events["event_id"].iloc[0]])
    alerts = all_alerts([firing], {"synthetic": series, "again": series}, events)
    assert [a.kind for a in alerts] == ["signpost", "surge"]  # the same surge once
    assert alerts[0].evidence[0]["event_id"] == events["event_id"].iloc[0]
    assert all_alerts([firing], {"synthetic": series}, events, since=dt.date(2001, 4, 1))[0].kind \
        == "signpost"  # fmt: skip
    assert len(all_alerts([firing], {"synthetic": series}, events, since=dt.date(2002, 1, 1))) == 0
