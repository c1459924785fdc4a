"""The public API: what ``axiswatch`` exports is sorted, importable and typed."""

from __future__ import annotations

import axiswatch

from .conftest import REPO


def test_all_is_sorted_and_every_name_resolves():
    assert axiswatch.__all__ == sorted(axiswatch.__all__)
    for name in axiswatch.__all__:
        assert getattr(axiswatch, name) is not None, name


def test_errors_form_one_tree():
    for name in ("LensError", "SourceError", "StoreError", "NotEnoughEvidence"):
        assert issubclass(getattr(axiswatch, name), axiswatch.UserError)
    assert issubclass(axiswatch.UserError, axiswatch.AxiswatchError)
    assert issubclass(axiswatch.MissingExtra, axiswatch.AxiswatchError)


def test_the_package_ships_its_type_marker():
    assert (REPO / "src" / "axiswatch" / "py.typed").exists()
