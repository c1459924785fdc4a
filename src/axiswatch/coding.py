"""Coding: which events count for which indicator of a lens.

Each lens rule becomes an Ibis boolean expression over the canonical events table,
so the same coding runs in DuckDB, on Spark or BigQuery, or over an in-memory table.
``indicator_hits`` returns one row per (event, indicator) match.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from functools import reduce

import ibis
import ibis.expr.types as ir

from .lens.model import Lens, Rule

HIT_COLUMNS = (
    "event_id", "family", "family_kind", "indicator", "component", "direction", "weight",
)  # fmt: skip


def _any(conditions: Iterable[ir.BooleanValue]) -> ir.BooleanValue:
    return reduce(operator.or_, conditions)


def _all(conditions: Iterable[ir.BooleanValue]) -> ir.BooleanValue:
    return reduce(operator.and_, conditions, ibis.literal(True))


def _text(events: ir.Table) -> ir.StringValue:
    return (events.title.fill_null("") + " " + events.summary.fill_null("")).lower()


#: rule field -> how it becomes a condition on the events table (given the lens's dyad)
_CONDITIONS: dict[str, Callable[[ir.Table, Rule, tuple[str, str]], ir.BooleanValue]] = {
    "actors": lambda e, r, d: e.actor.isin(r.actors),
    "recipients": lambda e, r, d: e.recipient.isin(r.recipients),
    "involves": lambda e, r, d: e.actor.isin(r.involves) | e.recipient.isin(r.involves),
    "dyad": lambda e, r, d: e.actor.isin(d) & e.recipient.isin(d) & (e.actor != e.recipient),
    "plover_types": lambda e, r, d: e.plover_type.isin(r.plover_types),
    "cameo_prefixes": lambda e, r, d: _any(e.cameo_code.startswith(p) for p in r.cameo_prefixes),
    "tags": lambda e, r, d: _any(e.tags.contains(tag) for tag in r.tags),
    "all_tags": lambda e, r, d: _all(e.tags.contains(tag) for tag in r.all_tags),
    "not_tags": lambda e, r, d: ~_any(e.tags.contains(tag).fill_null(False) for tag in r.not_tags),
    "keywords": lambda e, r, d: _any(_text(e).contains(k.lower()) for k in r.keywords),
    "sources": lambda e, r, d: e.source.isin(r.sources),
    "min_intensity": lambda e, r, d: e.intensity >= r.min_intensity,
    "max_intensity": lambda e, r, d: e.intensity <= r.max_intensity,
}


def rule_predicate(events: ir.Table, rule: Rule, dyad: tuple[str, str]) -> ir.BooleanValue:
    """The rule as a boolean Ibis expression over ``events``; nulls never match."""
    given = [
        name for name in type(rule).model_fields if getattr(rule, name) not in (None, [], False)
    ]
    conditions = [_CONDITIONS[name](events, rule, dyad).fill_null(False) for name in given]
    return _all(conditions)


def indicator_hits(events: ir.Table, lens: Lens) -> ir.Table:
    """One row per (event, indicator) that the event matches, with family and weight."""
    parts = [
        events.filter(rule_predicate(events, indicator.rule, lens.dyad)).select(
            "event_id",
            family=ibis.literal(family.id),
            family_kind=ibis.literal(family.kind),
            indicator=ibis.literal(indicator.id),
            component=ibis.literal(indicator.component, type="string"),
            direction=ibis.literal(indicator.direction),
            weight=ibis.literal(indicator.weight, type="float64"),
        )
        for family in lens.families
        for indicator in family.indicators
    ]
    return ibis.union(*parts, distinct=False)


def signpost_hits(events: ir.Table, lens: Lens) -> ir.Table:
    """One row per (event, signpost) that the event matches, with its scenario."""
    parts = [
        events.filter(rule_predicate(events, signpost.rule, lens.dyad)).select(
            "event_id", scenario=ibis.literal(scenario.id), signpost=ibis.literal(signpost.id)
        )
        for scenario in lens.scenarios
        for signpost in scenario.signposts
    ]
    if not parts:
        return events.select(
            "event_id", scenario=ibis.literal(""), signpost=ibis.literal("")
        ).limit(0)
    return ibis.union(*parts, distinct=False)
