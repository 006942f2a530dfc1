"""`Idempotency-Key` for API writes: a client that retries a POST (a timeout, a double click, a flaky network)
with the same key gets the first response again instead of a second object.

The key is scoped to the caller (session user or API token). The first request claims the key in its own
committed row before it runs; a concurrent repeat waits for that request to finish and then replays its
response. Reusing a key for a different request body is refused (422). A request that failed with a 5xx does
not keep its key, so it can be retried.
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
                record = IdempotencyKey.objects.create(principal=principal, key=key, method=request.method,
                                                       path=request.path[:255], request_hash=body_hash)
        except IntegrityError:
            return self._repeat(principal, key, body_hash)
        response = self.get_response(request)
        if response.status_code >= 500:
            IdempotencyKey.objects.filter(pk=record.pk).delete()
            return response
        if hasattr(response, "render") and callable(response.render) and not response.is_rendered:
            response.render()
        IdempotencyKey.objects.filter(pk=record.pk).update(
            done=True, status_code=response.status_code, content_type=response.get("Content-Type", ""),
            body=response.content)
        return response

    def _repeat(self, principal, key, body_hash):
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            record = IdempotencyKey.objects.filter(principal=principal, key=key).first()
            if record is None:  # the first attempt failed with a 5xx and released the key
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
