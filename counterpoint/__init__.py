"""Counterpoint: build a two-perspectives explainer as a static website."""

__version__ = "0.1.0"
