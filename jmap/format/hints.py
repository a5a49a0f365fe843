""" "Did you mean …?" suggestions for misspelt keys, ids and enum values."""

from __future__ import annotations

from collections.abc import Iterable


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The most likely intended candidate, or None when nothing is close.

    A case-insensitive exact match wins (``Online`` → ``online``); otherwise
    difflib's ratio with a cutoff that catches one or two typos in short words.
    """
    pool = sorted(set(candidates))
    lowered = word.lower()
    for cand in pool:
        if cand.lower() == lowered:
            return cand
    import difflib

    matches = difflib.get_close_matches(lowered, pool, n=1, cutoff=0.6)
    return matches[0] if matches else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """`` (did you mean 'email'?)`` or an empty string."""
    best = closest(word, candidates)
    return f" (did you mean '{best}'?)" if best is not None and best != word else ""
