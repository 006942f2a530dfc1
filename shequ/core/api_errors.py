"""One error format for the whole API: {"detail": "...", "errors": {"field": ["message", ...]}}. Every refusal
(401/403), whichever view or service raised it, is written to the audit log as the HTML `@require` does."""

from django.core.exceptions import PermissionDenied, ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError


def _flatten(detail, prefix=""):
    errors = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key == "non_field_errors":
                name = prefix or "non_field_errors"
            errors.update(_flatten(value, name))
    elif isinstance(detail, list):
        if detail and all(not isinstance(v, (dict, list)) for v in detail):
            errors[prefix or "non_field_errors"] = [str(v) for v in detail]
        else:
            for index, value in enumerate(detail):
                errors.update(_flatten(value, f"{prefix}[{index}]"))
    else:
        errors[prefix or "non_field_errors"] = [str(detail)]
    return errors


def _audit_refusal(request, status_code: int, detail: str) -> None:
    from .api_permissions import DENIED_CAPABILITY_ATTR
    from .audit import audit_denied

    django_request = getattr(request, "_request", request)
    capability = getattr(django_request, DENIED_CAPABILITY_ATTR, "")
    what = f"{django_request.method} {django_request.path} "
    what += f"needs {capability}" if capability else f"refused {status_code}: {detail}"
    # `_user`, not `user`: reading `user` re-runs authentication, which is what just failed on a 401.
    actor = getattr(request, "_user", None) or getattr(django_request, "user", None)
    if actor is not None and getattr(actor, "pk", None) is None and getattr(actor, "is_authenticated", False):
        what += f" ({actor.username})"  # a paired hall device, which is not a user account
        actor = None
    audit_denied(actor=actor, what=what[:500])


def exception_handler(exc, context):
    response = _handle(exc, context)
    request = context.get("request")
    if response is not None and request is not None and response.status_code in (401, 403):
        _audit_refusal(request, response.status_code, response.data.get("detail", ""))
    return response


def _handle(exc, context):
    if isinstance(exc, DomainError):
        return Response({"detail": exc.message, "errors": exc.errors}, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("未找到。"))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(_("您没有执行该操作的权限。"))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": _("提交的数据有误。"), "errors": _flatten(exc.detail)}
    elif isinstance(exc, exceptions.ParseError):
        response.data = {"detail": _("请求体不是有效的 JSON：%(e)s") % {"e": exc.detail}, "errors": {}}
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        response.data = {"detail": str(detail), "errors": {}}
    if response.status_code == status.HTTP_401_UNAUTHORIZED and "WWW-Authenticate" not in response:
        response["WWW-Authenticate"] = 'Token realm="api"'
    return response
