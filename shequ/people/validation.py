"""Field rules for a resident, shared by the form, the API and the Excel import so all three agree."""

from __future__ import annotations

import datetime as dt
import os
from functools import lru_cache

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Before pypinyin is imported: its phrase dictionary (44 MB in every process) does not know names anyway.
os.environ.setdefault("PYPINYIN_NO_PHRASES", "true")
os.environ.setdefault("PYPINYIN_NO_DICT_COPY", "true")
from pypinyin import lazy_pinyin  # noqa: E402

from shequ.core import idcard
from shequ.core.text import has_invisible

from .choices import Gender, HukouType, Relation

NAME_MAX = 32
ADDRESS_MAX = 128
NOTE_MAX = 200


# Surnames read differently from the character's everyday reading (单 is Shàn, not dān), which neither pypinyin's
# character nor its phrase dictionary knows.
SURNAME_READINGS = {
    "单": "shan", "曾": "zeng", "解": "xie", "仇": "qiu", "朴": "piao", "乐": "yue", "查": "zha", "区": "ou",
    "盖": "ge", "覃": "qin", "召": "shao", "缪": "miao", "翟": "zhai", "祭": "zhai", "种": "chong", "秘": "bi",
    "员": "yun", "繁": "po", "折": "she", "黑": "he", "薄": "bo", "尉": "wei", "贲": "ben", "隗": "wei", "长": "chang",
    "重": "chong", "藏": "zang", "句": "gou", "阚": "kan", "谌": "chen", "晟": "cheng", "宓": "mi", "冼": "xian",
    "眭": "sui", "郇": "huan", "訾": "zi", "厍": "she", "蕃": "pi", "纪": "ji", "过": "guo", "相": "xiang",
}
COMPOUND_SURNAMES = {"尉迟": ("yu", "chi"), "万俟": ("mo", "qi"), "长孙": ("zhang", "sun")}


@lru_cache(maxsize=65536)
def pinyin_of(name: str) -> tuple[str, str]:
    """Full pinyin (for sorting) and initials (for `zs` → 张三 search) of a Chinese name, reading the surname as a
    surname. Cached: names repeat, and an import of 100k rows would otherwise spend seconds here."""
    syllables = [s.lower() for s in lazy_pinyin(name, errors="default") if s]
    if syllables and name[:2] in COMPOUND_SURNAMES and len(syllables) >= 2:
        syllables[:2] = COMPOUND_SURNAMES[name[:2]]
    elif syllables and name[:1] in SURNAME_READINGS:
        syllables[0] = SURNAME_READINGS[name[0]]
    return "".join(syllables)[:128], "".join(s[0] for s in syllables)[:32]


def clean_name(value) -> str:
    name = (value or "").strip() if isinstance(value, str) else ""
    if not name:
        raise ValueError(_("姓名不能为空。"))
    if len(name) > NAME_MAX:
        raise ValueError(_("姓名不能超过%(n)d个字符。") % {"n": NAME_MAX})
    if any(c.isdigit() for c in name) or any(ord(c) < 32 for c in name):
        raise ValueError(_("姓名不能包含数字或控制字符。"))
    if has_invisible(name):
        raise ValueError(_("姓名不能包含不可见字符（如零宽字符、文字方向控制符）。"))
    return name


@lru_cache(maxsize=64)
def _choice_lookup(enum, language: str) -> dict[str, str]:
    """{value or label in the active language: value} of a TextChoices class (an import checks each row)."""
    lookup = {}
    for member in enum:
        lookup.setdefault(str(member.label), member.value)
        lookup[member.value] = member.value
    return lookup


def clean_choice(value, enum, label: str, required: bool = False) -> str:
    """The value of a choice given as its value or its label (a spreadsheet holds labels: 户主, 户籍…)."""
    if value in (None, ""):
        if required:
            raise ValueError(_("%(f)s不能为空。") % {"f": label})
        return ""
    text = str(value).strip()
    key = _choice_lookup(enum, get_language() or "").get(text)
    if key is not None:
        return key
    raise ValueError(_("%(f)s“%(v)s”无效，可选：%(c)s。") % {
        "f": label, "v": text[:20], "c": "、".join(str(m.label) for m in enum)})


def clean_resident(data: dict) -> tuple[dict, dict]:
    """Validate raw values; returns (clean values, {field: [messages]}). Committee and tags are resolved by the
    caller because they depend on the database and the user's scope."""
    clean, errors = {}, {}

    def attempt(field, fn):
        try:
            clean[field] = fn()
        except ValueError as exc:
            errors.setdefault(field, []).append(str(exc))

    attempt("name", lambda: clean_name(data.get("name")))
    attempt("id_number", lambda: idcard.normalize_id_number(str(data.get("id_number") or "")))
    if "id_number" in clean:
        birth = idcard.birth_date_of(clean["id_number"])
        gender = idcard.gender_of(clean["id_number"])
        given_birth = data.get("birth_date")
        if given_birth not in (None, ""):
            if isinstance(given_birth, dt.datetime):
                given_birth = given_birth.date()
            if isinstance(given_birth, str):
                try:
                    given_birth = dt.date.fromisoformat(given_birth.strip())
                except ValueError:
                    errors.setdefault("birth_date", []).append(_("出生日期格式应为 YYYY-MM-DD。"))
                    given_birth = birth
            if given_birth != birth:
                errors.setdefault("birth_date", []).append(_("出生日期与身份证号不一致。"))
        given_gender = data.get("gender")
        if given_gender not in (None, ""):
            try:
                if clean_choice(given_gender, Gender, gettext_lazy("性别")) != gender:
                    errors.setdefault("gender", []).append(_("性别与身份证号不一致。"))
            except ValueError as exc:
                errors.setdefault("gender", []).append(str(exc))
        clean["birth_date"], clean["gender"] = birth, gender
    phone = data.get("phone")
    if phone not in (None, ""):
        attempt("phone", lambda: idcard.normalize_phone(str(phone)))
    else:
        clean["phone"] = ""
    address = str(data.get("address") or "").strip()
    if not address:
        errors.setdefault("address", []).append(_("居住地址不能为空。"))
    elif len(address) > ADDRESS_MAX:
        errors.setdefault("address", []).append(_("地址不能超过%(n)d个字符。") % {"n": ADDRESS_MAX})
    else:
        clean["address"] = address
    attempt("hukou_type", lambda: clean_choice(data.get("hukou_type"), HukouType, gettext_lazy("户籍类型"))
            or HukouType.REGISTERED)
    attempt("relation", lambda: clean_choice(data.get("relation"), Relation, gettext_lazy("与户主关系")))
    note = str(data.get("note") or "").strip()
    if len(note) > NOTE_MAX:
        errors.setdefault("note", []).append(_("备注不能超过%(n)d个字符。") % {"n": NOTE_MAX})
    else:
        clean["note"] = note
    return clean, errors
