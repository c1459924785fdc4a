"""axiswatch: early warning and analysis for dangerous state partnerships.

The public API: open a ``Store``, load files with ``ingest_files`` (or the bundled
data with ``ingest_bundled``), load a ``Lens``, and get an ``Assessment`` with
``assessment``; ``write_brief`` writes it out. ``analyse`` adds the analytics over the
same evidence: the index's bands and mix, change points, alerts, scenario probabilities
and forecasts with their measured skill. ``gdelt_sync`` mirrors GDELT 2.0 into a store,
and ``create_app`` builds the dashboard over one.
"""

from __future__ import annotations

from .analysis.assessment import Assessment, assess
from .errors import (
    AxiswatchError,
    LensError,
    MissingExtra,
    NotEnoughEvidence,
    SourceError,
    StoreError,
    UserError,
)
from .evidence import Evidence, assessment, gather
from .ingest import IngestSummary, ingest_bundled, ingest_file, ingest_files
from .lens import Lens, load_lens
from .schema import EVENT_SCHEMA, validate_event
from .store import Store

__version__ = "0.1.0"

__all__ = [
    "Alert",
    "Analytics",
    "Assessment",
    "AxiswatchError",
    "ChangePointResult",
    "EVENT_SCHEMA",
    "Evidence",
    "Forecast",
    "IngestSummary",
    "Lens",
    "LensError",
    "MissingExtra",
    "MonthlySeries",
    "NotEnoughEvidence",
    "ScenarioResult",
    "SourceError",
    "Store",
    "StoreError",
    "SyncOptions",
    "SyncSummary",
    "UserError",
    "__version__",
    "all_alerts",
    "analyse",
    "analysis_series",
    "assess",
    "assessment",
    "create_app",
    "deliver_alerts",
    "detect_change_points",
    "forecast_series",
    "gather",
    "gdelt_sync",
    "index_bands",
    "ingest_bundled",
    "ingest_file",
    "ingest_files",
    "load_lens",
    "scenario_analysis",
    "validate_event",
    "weekly_index",
    "write_brief",
]


#: public names whose modules load only when asked for (scipy, Altair and Jinja are heavy);
#: a value "module:attribute" exports an attribute under another name
_LAZY = {
    "SyncOptions": "gdelt_sync",
    "SyncSummary": "gdelt_sync",
    "create_app": "web",
    "deliver_alerts": "delivery",
    "gdelt_sync": "gdelt_sync:sync",
    "Alert": "analysis.alerts",
    "Analytics": "analysis.analytics",
    "ChangePointResult": "analysis.changepoints",
    "Forecast": "analysis.forecast",
    "MonthlySeries": "analysis.series",
    "ScenarioResult": "analysis.scenarios",
    "all_alerts": "analysis.alerts",
    "analyse": "analysis.analytics",
    "analysis_series": "analysis.series",
    "detect_change_points": "analysis.changepoints",
    "forecast_series": "analysis.forecast",
    "index_bands": "analysis.index",
    "scenario_analysis": "analysis.scenarios",
    "weekly_index": "analysis.index",
    "write_brief": "report.brief",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        from importlib import import_module

        module, _, attribute = _LAZY[name].partition(":")
        return getattr(import_module(f".{module}", __name__), attribute or name)
    raise AttributeError(name)
