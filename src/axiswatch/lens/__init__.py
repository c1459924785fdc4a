"""Lenses: what to watch, in the frame of the paper that motivates it."""

from .model import Family, Indicator, Lens, Rule, Scenario, Signpost, load_lens, parse_lens

__all__ = ["Family", "Indicator", "Lens", "Rule", "Scenario", "Signpost", "load_lens", "parse_lens"]
