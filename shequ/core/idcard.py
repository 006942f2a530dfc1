"""Resident ID numbers (公民身份号码, GB 11643-1999) and phone numbers: validation, masking, and the patterns that
find them inside running text (the public redaction of a citizen's description, the log filter)."""

import datetime as dt
import re

from django.utils.translation import gettext as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_ID18 = re.compile(r"^\d{17}[\dX]$")
_ID15 = re.compile(r"^\d{15}$")

# An 18-digit (last may be X) or 15-digit ID number, and a mobile number, as they stand in text.
ID_NUMBER_SHAPE = r"(?:\d{17}[\dXx]|\d{15})"
MOBILE_SHAPE = r"1[3-9]\d{9}"
# In a citizen's text: ID numbers not inside a longer run of digits or letters.
ID_NUMBER_IN_TEXT = re.compile(rf"(?<![0-9A-Za-z]){ID_NUMBER_SHAPE}(?![0-9A-Za-z])")
# In a citizen's text: mobile numbers (also written 138-1234-5678 / 138 1234 5678, with +86), landlines with an area
# code, and Shanghai's 8-digit local numbers.
PHONE_IN_TEXT = re.compile(r"(?<![\d+])(?:(?:\+?86[-\s]?)?1[3-9]\d(?:[-\s]?\d{4}){2}|0\d{2,3}[-\s]?\d{7,8}|[2-9]\d{7})"
                           r"(?!\d)")
# In a log line: ID numbers and mobile numbers not inside a longer run of digits (a letter before or after does not
# protect them there).
PERSONAL_IN_LOG = re.compile(rf"(?<![0-9])(?:{ID_NUMBER_SHAPE}|{MOBILE_SHAPE})(?![0-9])")

_MOBILE = re.compile(rf"^{MOBILE_SHAPE}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$|^\d{8}$")


class InvalidIdNumber(ValueError):
    pass


def check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, WEIGHTS))
    return CHECK_CHARS[total % 11]


def normalize_id_number(value: str) -> str:
    """Return the canonical 18-character form or raise InvalidIdNumber with a Chinese reason.

    Lowercase x is accepted; a legacy 15-digit number is converted to 18 digits (century 19).
    """
    raw = (value or "").strip().upper().replace(" ", "")
    if _ID15.match(raw):
        body = raw[:6] + "19" + raw[6:]
        raw = body + check_char(body)
    if not _ID18.match(raw):
        raise InvalidIdNumber(_("身份证号必须是18位（最后一位可以是X）。"))
    try:
        birth = dt.date(int(raw[6:10]), int(raw[10:12]), int(raw[12:14]))
    except ValueError as exc:
        raise InvalidIdNumber(_("身份证号中的出生日期无效。")) from exc
    if birth.year < 1880 or birth > dt.date.today():
        raise InvalidIdNumber(_("身份证号中的出生日期无效。"))
    if check_char(raw[:17]) != raw[17]:
        raise InvalidIdNumber(_("身份证号校验位错误。"))
    return raw


def birth_date_of(id_number: str) -> dt.date:
    return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def gender_of(id_number: str) -> str:
    return "M" if int(id_number[16]) % 2 else "F"


def looks_like_id_number(value: str) -> bool:
    v = (value or "").strip().upper()
    return bool(_ID18.match(v) or _ID15.match(v))


def mask_id_number(value: str) -> str:
    if not value:
        return ""
    return value[:4] + "*" * (len(value) - 8) + value[-4:] if len(value) > 8 else "*" * len(value)


def normalize_phone(value: str) -> str:
    raw = re.sub(r"[\s()（）]", "", value or "")
    if raw.startswith("+86"):
        raw = raw[3:]
    if not (_MOBILE.match(raw) or _LANDLINE.match(raw)):
        raise ValueError(_("电话号码格式不正确（11位手机号或固定电话）。"))
    return raw


def looks_like_phone(value: str) -> bool:
    return bool(_MOBILE.match((value or "").strip()))


def mask_phone(value: str) -> str:
    if not value:
        return ""
    if len(value) == 11:
        return value[:3] + "****" + value[-4:]
    return value[:2] + "*" * max(len(value) - 4, 0) + value[-2:]
