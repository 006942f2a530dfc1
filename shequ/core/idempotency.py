"""`Idempotency-Key` for API writes: a client that retries a POST (a timeout, a double click, a flaky network)
with the same key gets the first response again instead of a second object.

The key is scoped to the caller (session user or API token). The key's row, the request's own writes and the
stored response are committed in one transaction, so they exist together or not at all: a request that fails
with a 5xx, or whose process dies (SIGKILL, power loss) before the commit, leaves neither its object nor its
key, and the client's retry with the same key runs the request afresh. A request whose process dies after the
commit has its response stored, and the retry replays it. (Claiming the key in a transaction of its own, as
before, left a key without a response after a crash: the object might exist or not, and every retry was
refused with 409 forever.) A concurrent repeat waits on the key's row (PostgreSQL: the UNIQUE index; SQLite:
the write lock) until the first request has finished, then replays its response. Reusing a key for a different
request body is refused (422).
"""

import hashlib
import time

from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from .models import IdempotencyKey

HEADER = "HTTP_IDEMPOTENCY_KEY"
WAIT_SECONDS = 15


def _principal(request) -> str | None:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    auth = request.META.get("HTTP_AUTHORIZATION", "")
    if auth:
        return "auth:" + hashlib.sha256(auth.encode()).hexdigest()[:40]
    return None


def _replay(record: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(bytes(record.body), status=record.status_code, content_type=record.content_type)
    response["Idempotency-Replayed"] = "true"
    return response


class _Repeat(Exception):
    """The key is already taken: leave the transaction, then answer as a repeat."""


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.META.get(HEADER)
        if not key or request.method != "POST" or not request.path.startswith("/api/"):
            return self.get_response(request)
        key = key.strip()
        if not (1 <= len(key) <= 128) or not key.isprintable():
            return JsonResponse({"detail": _("Idempotency-Key 无效（1–128个可见字符）。"),
                                 "errors": {"Idempotency-Key": [_("格式无效。")]}}, status=400)
        principal = _principal(request)
        if principal is None:
            return self.get_response(request)
        if request.content_type.startswith("multipart/"):
            # Uploads are not read into memory here: the key then identifies path and size only.
            payload = request.META.get("CONTENT_LENGTH", "").encode()
        else:
            payload = request.body
        body_hash = hashlib.sha256(request.path.encode() + b"\n" + payload).hexdigest()
        try:
            with transaction.atomic():
                try:
                    record = IdempotencyKey.objects.create(principal=principal, key=key, method=request.method,
                                                           path=request.path[:255], request_hash=body_hash)
                except IntegrityError:
                    raise _Repeat from None
                response = self.get_response(request)
                if response.status_code >= 500:
                    transaction.set_rollback(True)  # neither the request's writes nor its key are kept
                    return response
                if hasattr(response, "render") and callable(response.render) and not response.is_rendered:
                    response.render()
                IdempotencyKey.objects.filter(pk=record.pk).update(
                    done=True, status_code=response.status_code, content_type=response.get("Content-Type", ""),
                    body=response.content)
                return response
        except _Repeat:
            return self._repeat(principal, key, body_hash)

    def _repeat(self, principal, key, body_hash):
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            record = IdempotencyKey.objects.filter(principal=principal, key=key).first()
            if record is None:  # the first attempt failed (5xx) and took its key with it: a rare race
                return JsonResponse({"detail": _("同一 Idempotency-Key 的前一次请求失败，请重试。"), "errors": {}},
                                    status=409)
            if record.request_hash != body_hash:
                return JsonResponse({"detail": _("该 Idempotency-Key 已用于另一个请求。"),
                                     "errors": {"Idempotency-Key": [_("不能用于不同的请求内容。")]}}, status=422)
            if record.done:
                return _replay(record)
            if time.monotonic() > deadline:
                return JsonResponse({"detail": _("同一请求仍在处理中，请稍后重试。"), "errors": {}}, status=409)
            time.sleep(0.05)
