"""Exceptions that carry a message meant for the user (never a traceback)."""

from __future__ import annotations


class JmapError(Exception):
    """An expected failure with a one-line, user-facing message."""


class RenderError(JmapError):
    """A rendering step failed (for example the `dot` program is missing)."""


class UsageError(JmapError):
    """The command line asks for something impossible (exit code 2)."""
