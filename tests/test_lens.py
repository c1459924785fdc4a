"""The lens: the shipped one is complete, and a bad one gives a one-line error with its line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import ibis
import pandas as pd
import pytest

from axiswatch.coding import indicator_hits, signpost_hits
from axiswatch.errors import LensError
from axiswatch.lens import load_lens
from axiswatch.lens.model import LENS_DIR
from axiswatch.schema import EVENT_SCHEMA, events_table, new_event

SHIPPED = (LENS_DIR / "kim-putin-axis.yaml").read_text(encoding="utf-8")


def test_the_shipped_lens_covers_the_paper():
    lens = load_lens("kim-putin-axis")
    kinds = [family.kind for family in lens.families]
    assert lens.dyad == ("PRK", "RUS")
    assert set(lens.context_actors) == {"CHN", "KOR", "JPN", "USA", "UKR"}
    assert kinds.count("driver") == 4 and kinds.count("threat") == 2
    assert kinds.count("recommendation") == 5 and kinds.count("china") == 1
    assert kinds.count("context") >= 3
    components = {i.component for i in lens.family("partnership").indicators}
    assert components == {"transactional", "strategic"}
    assert all(i.section for f in lens.families for i in f.indicators)
    assert lens.scenarios and all(s.signposts for s in lens.scenarios)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lens.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_an_unknown_field_is_named_with_its_line(tmp_path):
    text = SHIPPED.replace("        weight: 2.0\n", "        weight: 2.0\n        wieght: 3\n", 1)
    with pytest.raises(LensError) as caught:
        load_lens(write(tmp_path, text))
    message = str(caught.value)
    assert "\n" not in message
    assert f"line {line_of(text, 'wieght')}:" in message
    assert "families.0.indicators.0.wieght: unknown field" in message


def test_a_bad_value_is_named_with_its_line(tmp_path):
    text = SHIPPED.replace("plover_types: [THREATEN,", "plover_types: [FIGHT,", 1)
    with pytest.raises(LensError, match=r"line \d+: .*rule.plover_types: not a PLOVER type: FIGHT"):
        load_lens(write(tmp_path, text))
    with pytest.raises(LensError) as caught:
        load_lens(write(tmp_path, text))
    assert f"line {line_of(text, 'FIGHT')}:" in str(caught.value)


def test_a_missing_field_and_broken_yaml_and_unknown_name(tmp_path):
    first = line_of(
        SHIPPED, "name: kim-putin-axis"
    )  # a missing key is reported where its mapping starts
    with pytest.raises(LensError, match=f"line {first}: dyad: Field required"):
        load_lens(write(tmp_path, SHIPPED.replace("dyad: [PRK, RUS]\n", "")))
    with pytest.raises(LensError, match="line 3: not valid YAML"):
        load_lens(write(tmp_path, "name: x\ntitle: y\n  - : [\n"))
    with pytest.raises(LensError, match="no lens named 'nope'; shipped lenses: kim-putin-axis"):
        load_lens("nope")
    with pytest.raises(LensError, match="a rule needs at least one condition"):
        load_lens(write(tmp_path, SHIPPED.replace("rule: {sources: [missiles]}", "rule: {}", 1)))


def _event(n: int, **values: object) -> dict[str, object]:
    base = {"date": dt.date(2024, 6, 19), "date_precision": "day", "plover_type": "CONSULT"}
    return new_event("ledger", f"e{n}", **{**base, **values})


def test_rules_code_events_into_indicators():
    rows = [
        _event(1, actor="PRK", recipient="RUS", tags=["treaty"]),
        _event(2, actor="USA", recipient="PRK", tags=["troops"], plover_type="ACCUSE"),
        _event(3, actor="KOR", recipient="UKR", tags=["rec_rok_ukraine", "lethal_aid"],
               title="Seoul decides to send shells"),
        _event(4, actor="PRK", recipient="KOR", tags=["missile_test"]),
        _event(5, actor="RUS", recipient="RUS", tags=["summit"]),
        _event(6, actor="KOR", recipient="PRK", tags=["rec_information", "counter_recommendation"]),
        _event(7, actor="KOR", recipient="PRK", tags=None),
        _event(8, actor="KOR", recipient="UKR", tags=["rec_rok_ukraine"],
               title="Seoul pledges more non-lethal aid"),
    ]  # fmt: skip
    table = ibis.memtable(events_table(rows), schema=ibis.Schema.from_pyarrow(EVENT_SCHEMA))
    lens = load_lens()
    hits = indicator_hits(table, lens).execute()
    by_event = hits.groupby("event_id")["indicator"].apply(set).to_dict()
    ids = {n: rows[n - 1]["event_id"] for n in range(1, 9)}
    assert "treaty_and_doctrine" in by_event[ids[1]]
    assert {"troops_in_combat", "soldiers"} <= by_event[ids[2]]
    assert by_event[ids[3]] == {"rok_ukraine_support"}
    assert ids[4] not in by_event  # a ledger missile tag is not a CNS launch
    assert ids[5] not in by_event  # Russia with itself is not the dyad
    assert by_event[ids[6]] == {"information_flows_against"}  # all_tags, and not_tags below
    assert ids[7] not in by_event  # no tags: matches no tag rule, and not_tags alone never fires
    direction = hits.set_index("indicator")["direction"]
    assert direction["information_flows_against"] == "against"
    posts = signpost_hits(table, lens).execute()
    assert set(posts.loc[posts["event_id"] == ids[3], "signpost"]) == {"rok_lethal_aid"}
    assert ids[8] not in set(posts["event_id"])  # "non-lethal" aid is no lethal-aid decision
    assert isinstance(hits, pd.DataFrame)
