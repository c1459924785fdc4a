"""The lens: a YAML file that says what to watch and how the paper frames it.

A lens names a dyad, its context actors, indicator families (drivers, threat
prongs, context, the China factor, recommendations), each indicator a ``Rule`` over
canonical events with a weight and the paper section it comes from, and scenarios
with signposts. ``load_lens`` validates a file with pydantic and turns any problem
into a one-line ``LensError`` naming the field and the line.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import reduce
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from ..errors import LensError
from ..schema import PLOVER_TYPES

FamilyKind = Literal["partnership", "driver", "threat", "context", "china", "recommendation"]
Component = Literal["transactional", "strategic"]
Direction = Literal["for", "against"]
_ISO3 = re.compile(r"^[A-Z]{3}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Rule(_Strict):
    """Which events an indicator counts: every given condition must hold (lists are any-of)."""

    actors: list[str] = Field(default_factory=list, description="actor is one of these")
    recipients: list[str] = Field(default_factory=list, description="recipient is one of these")
    involves: list[str] = Field(default_factory=list, description="actor or recipient is one")
    dyad: bool = Field(False, description="between the lens's two dyad states, either way")
    plover_types: list[str] = Field(default_factory=list)
    cameo_prefixes: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list, description="carries any of these tags")
    all_tags: list[str] = Field(default_factory=list, description="carries every one of these")
    not_tags: list[str] = Field(default_factory=list, description="carries none of these")
    keywords: list[str] = Field(default_factory=list, description="title or summary has any")
    sources: list[str] = Field(default_factory=list)
    min_intensity: float | None = None
    max_intensity: float | None = None

    @field_validator("actors", "recipients", "involves")
    @classmethod
    def _iso3(cls, codes: list[str]) -> list[str]:
        bad = [code for code in codes if not _ISO3.match(code)]
        if bad:
            raise ValueError(f"not a three-letter actor code: {', '.join(bad)}")
        return codes

    @field_validator("plover_types")
    @classmethod
    def _plover(cls, types: list[str]) -> list[str]:
        bad = [t for t in types if t not in PLOVER_TYPES]
        if bad:
            raise ValueError(f"not a PLOVER type: {', '.join(bad)}")
        return types

    @model_validator(mode="after")
    def _not_empty(self) -> Rule:
        if not any(getattr(self, name) for name in type(self).model_fields):
            raise ValueError("a rule needs at least one condition")
        return self


class Indicator(_Strict):
    """One measurable sign, with its weight and where the paper says it matters."""

    id: str
    title: str
    rule: Rule
    weight: float = Field(1.0, gt=0, le=10)
    section: str
    component: Component | None = None
    direction: Direction = Field("for", description="evidence for or against the family's claim")


class Family(_Strict):
    """A group of indicators answering one question the paper asks."""

    id: str
    kind: FamilyKind
    title: str
    question: str
    section: str
    indicators: list[Indicator] = Field(min_length=1)


class Signpost(_Strict):
    """An observable step toward a scenario: fires when its rule matches often enough."""

    id: str
    title: str
    rule: Rule
    threshold: int = Field(1, ge=1, description="matching events needed within the window")
    window_days: int = Field(365, ge=1)
    likelihood: dict[str, float] = Field(
        default_factory=dict,
        description="scenario id -> likelihood ratio of this signpost firing if that scenario "
        "is where the partnership is heading (scenarios not named: 1, no bearing)",
    )

    @field_validator("likelihood")
    @classmethod
    def _positive(cls, ratios: dict[str, float]) -> dict[str, float]:
        bad = [f"{k}: {v}" for k, v in ratios.items() if not v > 0]
        if bad:
            raise ValueError(f"a likelihood ratio must be above 0 ({', '.join(bad)})")
        return ratios


class Scenario(_Strict):
    """Where the partnership might go next, and what would show it is going there."""

    id: str
    title: str
    description: str
    prior: float | None = Field(None, gt=0, lt=1, description="probability before any evidence")
    signposts: list[Signpost] = Field(min_length=1)


class Reference(_Strict):
    """The publication the lens codes."""

    title: str
    author: str
    publisher: str
    date: str
    url: str | None = None


class Pivot(_Strict):
    """The moment the lens compares before and after (for the Kim–Putin axis: Feb 2022)."""

    date: dt.date
    label: str


class Lens(_Strict):
    """A whole lens file."""

    name: str
    title: str
    description: str
    reference: Reference
    dyad: tuple[str, str]
    context_actors: list[str]
    actor_names: dict[str, str] = Field(default_factory=dict, description="ISO3 -> name")
    pivot: Pivot
    families: list[Family] = Field(min_length=1)
    scenarios: list[Scenario] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> Lens:
        ids = [i.id for f in self.families for i in f.indicators] + [f.id for f in self.families]
        ids += [s.id for s in self.scenarios] + [p.id for s in self.scenarios for p in s.signposts]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate ids: {', '.join(duplicates)}")
        return self

    @model_validator(mode="after")
    def _scenario_odds(self) -> Lens:
        known = {s.id for s in self.scenarios}
        for post in (p for s in self.scenarios for p in s.signposts):
            unknown = sorted(set(post.likelihood) - known)
            if unknown:
                raise ValueError(f"signpost {post.id}: likelihood names no scenario "
                                 f"{', '.join(unknown)}")  # fmt: skip
        priors = [s.prior for s in self.scenarios]
        given = [p for p in priors if p is not None]
        if given and len(given) != len(priors):
            raise ValueError("give every scenario a prior, or none (then they are equal)")
        if given and abs(sum(given) - 1) > 1e-6:
            raise ValueError(f"scenario priors sum to {sum(given):g}, not 1")
        return self

    def families_of(self, kind: FamilyKind) -> list[Family]:
        """The families of one kind, in file order."""
        return [family for family in self.families if family.kind == kind]

    def family(self, family_id: str) -> Family:
        """One family by id."""
        return next(f for f in self.families if f.id == family_id)

    def name_of(self, code: str) -> str:
        """An actor's name as the lens spells it, else its code."""
        return self.actor_names.get(code, code)

    @property
    def actors(self) -> list[str]:
        """The dyad and the context actors."""
        return [*self.dyad, *self.context_actors]


# -- loading ------------------------------------------------------------------------------

LENS_DIR = Path(str(resources.files("axiswatch").joinpath("lens")))


def lens_path(name_or_path: str | Path) -> Path:
    """A shipped lens by name (``kim-putin-axis``) or a path to a lens file."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml"):
        return path
    shipped = LENS_DIR / f"{name_or_path}.yaml"
    if not shipped.exists():
        names = ", ".join(sorted(p.stem for p in LENS_DIR.glob("*.yaml")))
        raise LensError(f"no lens named {name_or_path!r}; shipped lenses: {names}")
    return shipped


def _node_at(root: yaml.Node, loc: tuple[Any, ...]) -> yaml.Node:
    """The deepest YAML node along a pydantic error location."""

    def step(node: yaml.Node, key: Any) -> yaml.Node:
        if isinstance(node, yaml.MappingNode):
            return next((v for k, v in node.value if k.value == key), node)
        if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            return node.value[key]
        return node

    return reduce(step, loc, root)


def _describe(error: ErrorDetails, root: yaml.Node, path: Path) -> str:
    loc = tuple(error["loc"])
    line = _node_at(root, loc).start_mark.line + 1
    where = ".".join(str(part) for part in loc) or "(top level)"
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown field"
    return f"{path}: line {line}: {where}: {message}"


def parse_lens(text: str, path: Path) -> Lens:
    """A validated lens from YAML text, or a one-line LensError naming field and line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 0
        raise LensError(f"{path}: line {line}: not valid YAML: {exc.problem}") from None
    if root is None or not isinstance(data, dict):
        raise LensError(f"{path}: line 1: a lens is a YAML mapping")
    try:
        return Lens.model_validate(data)
    except ValidationError as exc:
        raise LensError(_describe(exc.errors()[0], root, path)) from None


def load_lens(name_or_path: str | Path = "kim-putin-axis") -> Lens:
    """Load and validate a lens by shipped name or path."""
    path = lens_path(name_or_path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LensError(f"{path}: no such lens file") from None
    except UnicodeDecodeError as exc:
        raise LensError(f"{path}: not valid UTF-8 (byte {exc.start})") from None
    return parse_lens(text, path)
