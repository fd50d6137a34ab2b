"""Figures in words, the same on every page: one format for a share, and counts with their nouns in agreement."""
from __future__ import annotations


def percent(value: float) -> str:
    """A share as read everywhere in the product, cards, titles and sentences alike: 66.6 -> "66.6%"."""
    return f"{value:.1f}%"


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """A count with its noun: 1 area, 3 areas."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"


def heading(name: str) -> str:
    """A stored name as a reader's heading: risk_level -> "Risk level", missing_episodes -> "Missing episodes"."""
    return name.replace("_", " ").strip().capitalize()
