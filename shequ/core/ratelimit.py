"""Attempt counters for rate limits (pairing codes, public look-ups, SMS codes, real-name binding), kept in the
default cache so every process of every node counts the same attempts.

A counter lives `seconds` after its latest attempt. On Redis the count is one atomic INCR, so parallel guesses
on two nodes are all counted; the database cache of the one-machine install reads and writes the row.
"""

from __future__ import annotations

from django.core.cache import cache as default_cache


def attempts_get(key: str, *, cache=None) -> int:
    """Attempts counted under `key` and not yet expired."""
    return int((cache or default_cache).get(key, 0) or 0)


def attempt_record(key: str, seconds: int, *, cache=None) -> int:
    """Count one attempt under `key`, kept `seconds` from now; returns the attempts counted so far."""
    cache = cache or default_cache
    if cache.add(key, 1, seconds):
        return 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, seconds)
        return 1
    cache.touch(key, seconds)
    return count


def attempts_reset(key: str, *, cache=None) -> None:
    (cache or default_cache).delete(key)
