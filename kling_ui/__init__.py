"""Kling Transition Studio: cinematic transitions between slides with Kling's image-to-video API."""

__version__ = "0.1.0"
