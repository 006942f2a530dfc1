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


def pinyin_key(text: str, max_length: int = 128) -> str:
    """The pinyin of a place or organisation name, for sorting (a person's name: `people.validation.pinyin_of`,
    which reads the surname as a surname)."""
    from pypinyin import lazy_pinyin

    return "".join(s.lower() for s in lazy_pinyin(text or "", errors="default") if s)[:max_length]


def pinyin_initials(text: str, max_length: int = 32) -> str:
    """The first letters of a name's syllables (低保 → db), for `db` → 最低生活保障 style search boxes."""
    from pypinyin import Style, lazy_pinyin

    return "".join(s[0].lower() for s in lazy_pinyin(text or "", style=Style.FIRST_LETTER, errors="default")
                   if s)[:max_length]
