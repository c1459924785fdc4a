"""Gathering a lens's evidence from the store: the one place analysis meets a connection.

The coding runs in the store's engine (Ibis); only events that match an indicator
or a signpost come back as DataFrames, so a store holding a year of GDELT returns
the few thousand events the lens cares about.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir
import pandas as pd

from .analysis.assessment import Assessment, assess
from .analysis.index import NEWS_SOURCES, empty_frame, normalise_media_volume, scored_hits
from .coding import indicator_hits, signpost_hits
from .lens.model import Lens
from .store import Store

EVENT_COLUMNS = (
    "event_id", "source", "source_id", "date", "date_precision", "actor", "actor_sector",
    "recipient", "recipient_sector", "plover_type", "plover_mode", "cameo_code", "intensity",
    "country", "url", "title", "summary", "citations", "reliability", "credibility",
    "confidence", "tags", "mentions", "sources_count",
)  # fmt: skip


VOLUME_COLUMNS = ("source", "month", "events")


@dataclass
class Evidence:
    """The events a lens matched, its scored indicator hits and its signpost hits.

    ``volume`` counts, per news source and month, every event in the store that
    involves the dyad's states (matched or not): the media volume the index is
    normalised by. ``scored`` already carries that normalisation.
    """

    lens: Lens
    events: pd.DataFrame
    scored: pd.DataFrame
    signposts: pd.DataFrame
    coverage: dict[str, dt.date]
    volume: pd.DataFrame = field(default_factory=lambda: empty_frame(VOLUME_COLUMNS))


def window(events: ir.Table, since: dt.date | None, until: dt.date | None) -> ir.Table:
    """Events between two dates (either may be open)."""
    if since is not None:
        events = events.filter(events.date >= since)
    if until is not None:
        events = events.filter(events.date <= until)
    return events


def media_volume(events: ir.Table, lens: Lens) -> ir.Table:
    """Per news source and month, the events involving either dyad state (the news volume)."""
    dyad = list(lens.dyad)
    news = events.filter(
        events.source.isin(NEWS_SOURCES) & (events.actor.isin(dyad) | events.recipient.isin(dyad))
    )
    return news.group_by(["source", news.date.truncate("M").name("month")]).aggregate(
        events=news.count()
    )


def gather(
    store: Store, lens: Lens, *, since: dt.date | None = None, until: dt.date | None = None
) -> Evidence:
    """Code the store's events with a lens and fetch what matched."""
    events = window(store.events(), since, until)
    hits = store.execute(indicator_hits(events, lens))
    posts = store.execute(signpost_hits(events, lens))
    wanted = pd.DataFrame({"event_id": sorted(set(hits["event_id"]) | set(posts["event_id"]))})
    matched = events.semi_join(ibis.memtable(wanted, schema={"event_id": "string"}), "event_id")
    frame = store.execute(matched.select(*EVENT_COLUMNS))
    frame["date"] = pd.to_datetime(frame["date"])
    last = store.execute(events.group_by("source").aggregate(last=events.date.max()))
    coverage = {row.source: pd.Timestamp(row.last).date() for row in last.itertuples()}
    volume = store.execute(media_volume(events, lens))
    volume["month"] = pd.to_datetime(volume["month"]).astype("datetime64[ns]")
    scored = normalise_media_volume(scored_hits(hits, frame), volume)
    return Evidence(lens, frame, scored, posts, coverage, volume[list(VOLUME_COLUMNS)])


def assessment(
    store: Store,
    lens: Lens,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> tuple[Assessment, Evidence]:
    """The assessment of a store through a lens, with the evidence behind it."""
    evidence = gather(store, lens, until=until)
    result = assess(
        lens, evidence.events, evidence.scored, evidence.signposts,
        as_of=until, since=since, coverage=evidence.coverage,
    )  # fmt: skip
    return result, evidence
