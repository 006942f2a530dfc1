"""Text checks shared by every module: invisible characters in names, and prefix search written as a range."""

import unicodedata

# Format (bidi overrides, zero-width joiners), control, private-use, surrogate and unassigned code points: a name
# holding one displays as something else than it is (or as nothing at all).
_INVISIBLE = {"Cf", "Cc", "Co", "Cs", "Cn"}
_TOP = 0x10FFFF


def has_invisible(value: str) -> bool:
    return any(unicodedata.category(c) in _INVISIBLE for c in value)


def prefix_range(prefix: str) -> tuple[str, str | None]:
    """(lo, hi) with `lo <= s < hi` exactly for the strings starting with `prefix`; hi is None when no string is
    above the prefix (it ends at the top of Unicode). Never a surrogate, which PostgreSQL cannot store."""
    stem = prefix.rstrip(chr(_TOP))
    if not stem:
        return prefix, None
    following = ord(stem[-1]) + 1
    if 0xD800 <= following <= 0xDFFF:
        following = 0xE000
    return prefix, stem[:-1] + chr(following)
