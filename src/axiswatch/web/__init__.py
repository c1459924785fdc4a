"""The dashboard: ``create_app(Settings(store_path))`` is an ASGI app (FastAPI)."""

from .app import Settings, create_app, prepare

__all__ = ["Settings", "create_app", "prepare"]
