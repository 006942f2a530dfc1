"""Login names. A resident signs in on /m/ with the mobile number, but the number is personal data: the
account's username is a keyed hash of it (`m` and 32 hex digits), never the number, so neither the users table nor
the audit and lockout rows that name a login keep it in clear. Every place that turns typed text into a username
(the log-in forms, the API token log-in, the lockout bookkeeping of django-axes) goes through `login_name`; a
staff login name (letters) passes unchanged."""

from __future__ import annotations

from .crypto import keyed_hash
from .idcard import looks_like_phone


def login_name(text) -> str:
    """The username that `text`, as typed on a log-in form, names."""
    value = str(text or "").strip()
    compact = value.replace(" ", "").replace("-", "")
    if looks_like_phone(compact):
        return "m" + keyed_hash("login:" + compact)[:32]
    return value


def axes_username(request, credentials=None) -> str:
    """`AXES_USERNAME_CALLABLE`: lockouts counted (and stored) by the login name, never a typed phone number."""
    if credentials:
        return login_name(credentials.get("username"))
    data = getattr(request, "data", None) or getattr(request, "POST", {})
    return login_name(data.get("username"))
