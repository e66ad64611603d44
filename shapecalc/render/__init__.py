"""Renderers: pure functions from an Analysis to a rich renderable, Markdown or JSON."""
