"""The request being served, so audit rows can carry the source address without threading it everywhere."""

import contextvars

current_request = contextvars.ContextVar("shequ_current_request", default=None)


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None
