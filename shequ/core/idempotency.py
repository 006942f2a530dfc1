"""`Idempotency-Key` for API writes: a client that retries a POST (a timeout, a double click, a flaky network)
with the same key gets the first response again instead of a second object.

The key is scoped to the caller, and the caller is known only once the view's own authentication and permission
classes have accepted the request: a repeat is authenticated and authorised *before* anything is replayed, so a
revoked token, a deactivated account or an expired one gets the view's 401, never the stored answer. The caller
is the user together with their role, department and scope (a fingerprint): after a change of role or scope a
stored answer no longer matches, and the repeat is processed afresh, which checks the capabilities and the
scope again. Answers that carry personal data in clear (`personal_data(response)`, e.g. a reveal) are never
stored: their key is dropped with the answer, so a repeat is a new reveal, authorised and audited like the
first. Stored keys expire after `IDEMPOTENCY_KEY_TTL_HOURS` (an expired key is a new request) and
`manage.py idempotency_purge` deletes them.

The key's row, the request's own writes and the stored response are committed in one transaction, so they exist
together or not at all: a request that fails with a 5xx, or whose process dies (SIGKILL, power loss) before the
commit, leaves neither its object nor its key, and the client's retry with the same key runs the request afresh.
A request whose process dies after the commit has its response stored, and the retry replays it. A concurrent
repeat waits on the key's row (PostgreSQL: the UNIQUE index; SQLite: the write lock) until the first request has
finished, then replays its response. Reusing a key for a different request body is refused (422).
"""

import datetime as dt
import hashlib
import time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import IdempotencyKey

HEADER = "HTTP_IDEMPOTENCY_KEY"
WAIT_SECONDS = 15
_PERSONAL = "_shequ_personal_data"


def personal_data(response):
    """Mark an API answer that carries personal data in clear: it is never stored for a replay."""
    setattr(response, _PERSONAL, True)
    return response


def key_ttl() -> dt.timedelta:
    return dt.timedelta(hours=getattr(settings, "IDEMPOTENCY_KEY_TTL_HOURS", 24))


def keys_purge(*, now=None) -> int:
    """Delete the keys older than the window; returns how many."""
    cutoff = (now or timezone.now()) - key_ttl()
    deleted, _by_model = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def _drf_view(request):
    """The DRF view instance that will serve the request (None for anything else)."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None, None
    cls = getattr(match.func, "cls", None)
    if cls is None:
        return None, None
    view = cls(**getattr(match.func, "initkwargs", {}))
    actions = getattr(match.func, "actions", None)
    if actions:
        view.action_map = actions
        view.action = actions.get(request.method.lower())
    view.args, view.kwargs = match.args, match.kwargs
    view.format_kwarg = None
    return view, match


def _authorised_principal(request) -> str | None:
    """Who is calling, as the view's own authentication and permission classes see it; None when they refuse
    (the view then answers the refusal itself, and no key is read or written)."""
    view, _match = _drf_view(request)
    if view is None:
        return None
    had_user = "user" in request.__dict__
    django_user = request.__dict__.get("user")
    try:
        drf_request = view.initialize_request(request, *view.args, **view.kwargs)
        view.request = drf_request
        view.perform_authentication(drf_request)
        view.check_permissions(drf_request)
        user, auth = drf_request.user, drf_request.auth
    except Exception:  # noqa: BLE001 - any refusal: the view gives it in full
        return None
    finally:  # DRF writes its user into the Django request; the view authenticates for itself
        if had_user:
            request.user = django_user
        else:
            request.__dict__.pop("user", None)
    if user is None or not user.is_authenticated:
        return None
    if getattr(user, "pk", None) is None:  # a paired hall device
        device = getattr(auth, "pk", None)
        return f"device:{device}" if device is not None else None
    scope = ",".join(str(pk) for pk in sorted(user.nodes.values_list("pk", flat=True)))
    grants = f"{user.role}|{user.department_id}|{scope}"
    return f"user:{user.pk}:" + hashlib.sha256(grants.encode()).hexdigest()[:32]


def _replay(record: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(bytes(record.body), status=record.status_code, content_type=record.content_type)
    response["Idempotency-Replayed"] = "true"
    return response


class _Repeat(Exception):
    """The key is already taken: leave the transaction, then answer as a repeat."""


class _Afresh(Exception):
    """The key's earlier request left nothing to replay (expired, or its answer was not kept): run again."""


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
        principal = _authorised_principal(request)
        if principal is None:
            return self.get_response(request)
        if request.content_type.startswith("multipart/"):
            # Uploads are not read into memory here: the key then identifies path and size only.
            payload = request.META.get("CONTENT_LENGTH", "").encode()
        else:
            payload = request.body
        body_hash = hashlib.sha256(request.path.encode() + b"\n" + payload).hexdigest()
        for _attempt in range(3):
            try:
                return self._first(request, principal, key, body_hash)
            except _Repeat:
                try:
                    return self._repeat(principal, key, body_hash)
                except _Afresh:
                    continue
        return JsonResponse({"detail": _("同一请求仍在处理中，请稍后重试。"), "errors": {}}, status=409)

    def _first(self, request, principal, key, body_hash):
        with transaction.atomic():
            IdempotencyKey.objects.filter(principal=principal, key=key,
                                          created_at__lt=timezone.now() - key_ttl()).delete()
            try:
                with transaction.atomic():
                    record = IdempotencyKey.objects.create(principal=principal, key=key, method=request.method,
                                                           path=request.path[:255], request_hash=body_hash)
            except IntegrityError:
                raise _Repeat from None
            response = self.get_response(request)
            if response.status_code >= 500:
                transaction.set_rollback(True)  # neither the request's writes nor its key are kept
                return response
            if getattr(response, _PERSONAL, False):
                record.delete()  # the request's own writes (its audit row) stay; its clear answer is not kept
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
            if record is None or record.created_at < timezone.now() - key_ttl():
                # Gone (a 5xx rolled it back, its answer was personal data) or expired: a new request.
                raise _Afresh
            if record.request_hash != body_hash:
                return JsonResponse({"detail": _("该 Idempotency-Key 已用于另一个请求。"),
                                     "errors": {"Idempotency-Key": [_("不能用于不同的请求内容。")]}}, status=422)
            if record.done:
                return _replay(record)
            if time.monotonic() > deadline:
                return JsonResponse({"detail": _("同一请求仍在处理中，请稍后重试。"), "errors": {}}, status=409)
            time.sleep(0.05)
