"""Outputs for people: the briefing and its charts."""
