"""The redaction step of everything the public Open311 GET shows: a citizen's description often carries a phone
number, an ID number or a neighbour's name. Phone and ID numbers are recognised by their shape; a name is a run of
2–4 Chinese characters that the residents registry (under the case's 街道) knows as a person's name, plus the
reporter's own name. Names become “surname + 某”, numbers a fixed label. The stored text is never changed."""

from __future__ import annotations

import re

from django.conf import settings
from django.utils.translation import gettext as _

from shequ.core.idcard import ID_NUMBER_IN_TEXT, PHONE_IN_TEXT
from shequ.people import selectors as people

HAN_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
NAME_LENGTHS = (2, 3, 4)


def name_candidates(text: str) -> set[str]:
    """Every 2–4 character window of the Chinese runs of `text`."""
    found: set[str] = set()
    for run in HAN_RUN.findall(text or ""):
        for size in NAME_LENGTHS:
            found.update(run[i:i + size] for i in range(len(run) - size + 1))
    return found


def registry_names(texts, *, under=None) -> set[str]:
    """The residents' names that occur in any of `texts` (one query per 500 candidates for the whole batch)."""
    candidates: set[str] = set()
    for text in texts:
        candidates |= name_candidates(text)
    return people.resident_names_among(candidates=candidates, under=under) if candidates else set()


def _surname(name: str) -> str:
    return name[:2] if len(name) >= 4 else name[:1]


def redact(text: str, *, names=()) -> str:
    if not text:
        return text or ""
    text = ID_NUMBER_IN_TEXT.sub(_("[身份证号已隐去]"), text)
    text = PHONE_IN_TEXT.sub(_("[电话已隐去]"), text)
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        text = text.replace(name, _surname(name) + "某")
    return text


def public_coordinate(value: float | None) -> float | None:
    """A coordinate rounded to the grid's public precision (`SHEQU_GRID_PUBLIC_COORD_DECIMALS`, 3 ≈ 100 m)."""
    if value is None:
        return None
    return round(float(value), settings.SHEQU_GRID_PUBLIC_COORD_DECIMALS)
