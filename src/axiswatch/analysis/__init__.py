"""Analysis: pure functions over Arrow and DataFrames; no IO, no printing."""
