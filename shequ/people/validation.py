"""Field rules for a resident, shared by the form, the API and the Excel import so all three agree."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from django.utils.translation import gettext as _
from pypinyin import lazy_pinyin

from shequ.core import idcard

from .choices import Gender, HukouType, Relation

NAME_MAX = 32
ADDRESS_MAX = 128
NOTE_MAX = 200


@lru_cache(maxsize=65536)
def pinyin_of(name: str) -> tuple[str, str]:
    """Full pinyin (for sorting) and initials (for `zs` → 张三 search) of a Chinese name. Cached: names repeat,
    and an import of 100k rows would otherwise spend seconds here."""
    syllables = [s.lower() for s in lazy_pinyin(name, errors="default") if s]
    return "".join(syllables)[:128], "".join(s[0] for s in syllables)[:32]


def clean_name(value) -> str:
    name = (value or "").strip() if isinstance(value, str) else ""
    if not name:
        raise ValueError(_("姓名不能为空。"))
    if len(name) > NAME_MAX:
        raise ValueError(_("姓名不能超过%(n)d个字符。") % {"n": NAME_MAX})
    if any(c.isdigit() for c in name) or any(ord(c) < 32 for c in name):
        raise ValueError(_("姓名不能包含数字或控制字符。"))
    return name


def clean_choice(value, choices, label: str, required: bool = False) -> str:
    if value in (None, ""):
        if required:
            raise ValueError(_("%(f)s不能为空。") % {"f": label})
        return ""
    text = str(value).strip()
    for key, display in choices:
        if text == key or text == str(display):
            return key
    raise ValueError(_("%(f)s“%(v)s”无效，可选：%(c)s。") % {
        "f": label, "v": text[:20], "c": "、".join(str(d) for _k, d in choices)})


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
                if clean_choice(given_gender, Gender.choices, _("性别")) != gender:
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
    attempt("hukou_type", lambda: clean_choice(data.get("hukou_type"), HukouType.choices, _("户籍类型"))
            or HukouType.REGISTERED)
    attempt("relation", lambda: clean_choice(data.get("relation"), Relation.choices, _("与户主关系")))
    note = str(data.get("note") or "").strip()
    if len(note) > NOTE_MAX:
        errors.setdefault("note", []).append(_("备注不能超过%(n)d个字符。") % {"n": NOTE_MAX})
    else:
        clean["note"] = note
    return clean, errors
