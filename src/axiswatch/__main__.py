"""``python -m axiswatch``."""

from .cli import run

run()
