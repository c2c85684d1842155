"""Subcommands owned by the urls capability (placeholder until it lands)."""

from __future__ import annotations


def register(sub, parents) -> None:
    """Add this module's subcommands to ``sub``."""
