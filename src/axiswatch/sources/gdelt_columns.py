"""The column layouts of GDELT 2.0 files, and the CAMEO actor-type → sector table.

Names and order follow the GDELT 2.0 Event and Mentions codebooks; types are what each
column holds (codes stay text so leading zeros survive: EventCode ``010``, FeatureID ``US``).
"""

from __future__ import annotations

import pyarrow as pa

Columns = tuple[tuple[str, pa.DataType], ...]

_STR, _I8, _I32, _I64, _F64 = pa.string(), pa.int8(), pa.int32(), pa.int64(), pa.float64()


def _actor(prefix: str) -> Columns:
    names = (
        "Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code",
        "Religion2Code", "Type1Code", "Type2Code", "Type3Code",
    )  # fmt: skip
    return tuple((f"{prefix}{name}", _STR) for name in names)


def _geo(prefix: str) -> Columns:
    return (
        (f"{prefix}_Type", _I8),
        (f"{prefix}_FullName", _STR),
        (f"{prefix}_CountryCode", _STR),
        (f"{prefix}_ADM1Code", _STR),
        (f"{prefix}_ADM2Code", _STR),
        (f"{prefix}_Lat", _F64),
        (f"{prefix}_Long", _F64),
        (f"{prefix}_FeatureID", _STR),
    )


EVENT_COLUMNS: Columns = (
    (("GlobalEventID", _I64), ("Day", _I32), ("MonthYear", _I32), ("Year", _I32))
    + (("FractionDate", _F64),)
    + _actor("Actor1")
    + _actor("Actor2")
    + (("IsRootEvent", _I8), ("EventCode", _STR), ("EventBaseCode", _STR))
    + (("EventRootCode", _STR), ("QuadClass", _I8), ("GoldsteinScale", _F64))
    + (("NumMentions", _I32), ("NumSources", _I32), ("NumArticles", _I32), ("AvgTone", _F64))
    + _geo("Actor1Geo")
    + _geo("Actor2Geo")
    + _geo("ActionGeo")
    + (("DATEADDED", _I64), ("SOURCEURL", _STR))
)

MENTION_COLUMNS: Columns = (
    ("GlobalEventID", _I64),
    ("EventTimeDate", _I64),
    ("MentionTimeDate", _I64),
    ("MentionType", _I8),
    ("MentionSourceName", _STR),
    ("MentionIdentifier", _STR),
    ("SentenceID", _I32),
    ("Actor1CharOffset", _I32),
    ("Actor2CharOffset", _I32),
    ("ActionCharOffset", _I32),
    ("InSentence", _I8),
    ("Confidence", _I8),
    ("MentionDocLen", _I32),
    ("MentionDocTone", _F64),
    ("MentionDocTranslationInfo", _STR),
    ("Extras", _STR),
)

#: every code of CAMEO.type.txt → canonical sector; None where no sector fits
SECTOR_BY_TYPE: dict[str, str | None] = {
    "COP": "POLICE", "GOV": "GOV", "INS": "REBEL", "JUD": "JUDICIARY", "MIL": "MIL",
    "OPP": None, "REB": "REBEL", "SEP": "REBEL", "SPY": "INTEL", "UAF": None,
    "AGR": None, "BUS": "BUSINESS", "CRM": None, "CVL": "CIVIL", "DEV": None, "EDU": None,
    "ELI": None, "ENV": None, "HLH": None, "HRI": None, "LAB": "LABOR",
    "LEG": "LEGISLATURE", "MED": "MEDIA", "REF": "REFUGEE", "MOD": None, "RAD": None,
    "AMN": "NGO", "IRC": "NGO", "GRP": "NGO", "UNO": "IGO", "PKO": None, "UIS": None,
    "IGO": "IGO", "IMG": None, "INT": None, "MNC": "BUSINESS", "NGM": None, "NGO": "NGO",
    "SET": None,
}  # fmt: skip
