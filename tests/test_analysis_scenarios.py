"""Scenarios: Bayes' rule against a hand computation, firings, ACH, lenses without odds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import yaml

from axiswatch.analysis.scenarios import (
    ach_matrix,
    bayes_update,
    rating,
    scenario_analysis,
    signpost_firings,
)
from axiswatch.errors import LensError
from axiswatch.lens.model import LENS_DIR, parse_lens

SCENARIOS = """
scenarios:
  - id: a
    title: A
    description: a
    prior: 0.5
    signposts:
      - {id: pa, title: PA, rule: {tags: [x]}, likelihood: {a: 2.0}}
  - id: b
    title: B
    description: b
    prior: 0.3
    signposts:
      - {id: pb, title: PB, rule: {tags: [y]}, threshold: 2, window_days: 30,
         likelihood: {b: 3.0, c: 0.5}}
  - id: c
    title: C
    description: c
    prior: 0.2
    signposts:
      - {id: pc, title: PC, rule: {tags: [z]}}
"""


def lens_text(scenarios: str = SCENARIOS) -> str:
    """The shipped lens with its scenarios replaced."""
    text = (LENS_DIR / "kim-putin-axis.yaml").read_text(encoding="utf-8")
    return text[: text.index("\nscenarios:")] + "\n" + scenarios


def small_lens(scenarios: str = SCENARIOS):
    return parse_lens(lens_text(scenarios), Path("test.yaml"))


def signposts(*rows: tuple[str, str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Signpost hits and events from (event id, date, signpost)."""
    hits = pd.DataFrame([(e, s) for e, _, s in rows], columns=["event_id", "signpost"])
    hits["scenario"] = hits["signpost"].str[1]
    events = pd.DataFrame([(e, pd.Timestamp(d)) for e, d, _ in rows], columns=["event_id", "date"])
    return hits, events.drop_duplicates("event_id")


def test_bayes_updates_match_a_hand_computation():
    lens = small_lens()
    # pa fires on 2023-03-05; pb needs two matches within 30 days: 2023-06-01 and 2023-06-20
    hits, events = signposts(("e1", "2023-03-05", "pa"), ("e2", "2023-06-01", "pb"),
                             ("e3", "2023-06-20", "pb"))  # fmt: skip
    result = scenario_analysis(lens, hits, events, as_of=dt.date(2023, 8, 31),
                               start=dt.date(2023, 1, 1))  # fmt: skip
    # by hand: (0.5, 0.3, 0.2) x (2, 1, 1) = (1.0, 0.3, 0.2) / 1.5 = (2/3, 1/5, 2/15)
    first = result.updates[0].after
    assert first == pytest.approx({"a": 2 / 3, "b": 1 / 5, "c": 2 / 15})
    # then x (1, 3, 0.5): (2/3, 3/5, 1/15) / (4/3) = (1/2, 9/20, 1/20)
    assert result.probabilities == pytest.approx({"a": 0.5, "b": 0.45, "c": 0.05})
    assert [u.firing.date for u in result.updates] == [dt.date(2023, 3, 5), dt.date(2023, 6, 20)]
    history = result.history.set_index("month")
    assert history.loc["2023-02-01", "a"] == pytest.approx(0.5)  # the prior
    assert history.loc["2023-03-01", "a"] == pytest.approx(2 / 3)
    assert history.loc["2023-08-01", "b"] == pytest.approx(0.45)
    assert len(history) == 8 and history.drop(columns=[]).sum(axis=1).round(9).eq(1).all()


def test_a_signpost_fires_again_only_after_a_quiet_window():
    lens = small_lens()
    rows = [("e1", "2023-01-01", "pa"), ("e2", "2023-06-01", "pa"), ("e3", "2024-09-01", "pa")]
    firings = signpost_firings(lens, *signposts(*rows))
    assert [f.date for f in firings] == [dt.date(2023, 1, 1), dt.date(2024, 9, 1)]
    one = signposts(("e1", "2023-06-01", "pb"))  # pb needs two
    assert signpost_firings(lens, *one) == []


def test_a_scenario_no_signpost_can_move_is_explained():
    lens = small_lens()
    result = scenario_analysis(lens, *signposts(("e1", "2023-03-05", "pc")),
                               start=dt.date(2023, 1, 1))  # fmt: skip
    assert "no signpost bears on this scenario" not in result.notes.get("c", "")  # pb moves c
    only_a = SCENARIOS.replace("likelihood: {b: 3.0, c: 0.5}", "likelihood: {b: 3.0}")
    result = scenario_analysis(small_lens(only_a), *signposts(("e1", "2023-03-05", "pc")),
                               start=dt.date(2023, 1, 1))  # fmt: skip
    assert "no signpost bears on this scenario" in result.notes["c"]
    assert result.probabilities == pytest.approx(result.priors)  # pc has ratio 1 everywhere


def test_no_firing_leaves_the_priors_and_says_so():
    lens = small_lens()
    empty = pd.DataFrame({"event_id": [], "signpost": [], "scenario": []})
    result = scenario_analysis(lens, empty, pd.DataFrame({"event_id": [], "date": []}),
                               as_of=dt.date(2024, 1, 1), start=dt.date(2023, 1, 1))  # fmt: skip
    assert result.probabilities == result.priors and "no signpost has fired" in (result.note or "")
    assert not result.history.isna().any().any()


def test_ach_ratings_and_diagnosticity():
    lens = small_lens()
    rows, inconsistent = ach_matrix(lens, signpost_firings(lens, *signposts(
        ("e1", "2023-06-01", "pb"), ("e2", "2023-06-02", "pb"))))  # fmt: skip
    pb = next(r for r in rows if r.signpost == "pb")
    assert pb.ratings == {"a": "N", "b": "C", "c": "I"} and pb.diagnosticity == 6.0
    assert rows[0].signpost == "pb" and inconsistent == {"a": 0, "b": 0, "c": 1}
    assert (rating(1.05), rating(0.5), rating(1.5)) == ("N", "I", "C")


def test_bayes_update_renormalises():
    assert bayes_update({"x": 0.25, "y": 0.75}, {"x": 3.0}) == pytest.approx({"x": 0.5, "y": 0.5})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("prior: 0.5", "prior: 0.6"), "scenario priors sum to 1.1, not 1"),
        (("    prior: 0.2\n", ""), "give every scenario a prior, or none"),
        (("likelihood: {a: 2.0}", "likelihood: {q: 2.0}"), "likelihood names no scenario q"),
        (("likelihood: {a: 2.0}", "likelihood: {a: 0}"), "likelihood ratio must be above 0"),
    ],
)
def test_bad_odds_give_a_one_line_lens_error(change, message):
    with pytest.raises(LensError, match=message) as info:
        small_lens(SCENARIOS.replace(*change))
    assert "\n" not in str(info.value)


def test_a_lens_without_priors_or_ratios_stays_valid_with_equal_priors():
    plain = yaml.safe_load(SCENARIOS)
    for scenario in plain["scenarios"]:
        del scenario["prior"]
        for post in scenario["signposts"]:
            post.pop("likelihood", None)
    lens = small_lens(yaml.safe_dump(plain))
    result = scenario_analysis(lens, *signposts(("e1", "2023-03-05", "pa")),
                               start=dt.date(2023, 1, 1))  # fmt: skip
    assert result.priors == pytest.approx({"a": 1 / 3, "b": 1 / 3, "c": 1 / 3})
    assert result.probabilities == pytest.approx(result.priors)
    assert set(result.notes) == {"a", "b", "c"}
