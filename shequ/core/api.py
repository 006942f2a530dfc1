from django.conf import settings
from django.contrib.auth import authenticate
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.decorators import api_view, authentication_classes, permission_classes, throttle_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from . import api_fields, services, workcal
from .errors import DomainError
from .inputs import BoundedSerializerDateField
from .logins import login_name
from .models import ApiToken, User
from .scoping import scope_paths

ERROR_SCHEMA = inline_serializer("Error", {
    "detail": serializers.CharField(),
    "errors": serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
})


def error_responses(*codes: int) -> dict:
    """The error answers an endpoint can give, for `extend_schema(responses={200: X, **error_responses(401, 403)})`."""
    return {code: ERROR_SCHEMA for code in codes}


class TokenRequestSerializer(api_fields.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False)


@extend_schema(
    tags=["auth"], request=TokenRequestSerializer,
    responses={200: inline_serializer("Token", {"token": serializers.CharField(),
                                                "expires_in": serializers.IntegerField()}),
               400: ERROR_SCHEMA, 415: ERROR_SCHEMA, 429: ERROR_SCHEMA},
    auth=[],
)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
@throttle_classes([])
def token_obtain(request):
    """Exchange a username and password for an API token (`Authorization: Token <token>`)."""
    serializer = TokenRequestSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    django_request = request._request
    user = authenticate(django_request, username=login_name(serializer.validated_data["username"]),
                        password=serializer.validated_data["password"])
    if getattr(django_request, "axes_locked_out", False):
        # Answered here in the API's error format; without this AxesMiddleware would replace the answer with
        # the HTML lockout page.
        django_request.axes_locked_out = False
        return Response({"detail": _("登录失败次数过多，账号已临时锁定，请稍后再试。"), "errors": {}},
                        status=status.HTTP_429_TOO_MANY_REQUESTS)
    if user is None or not user.is_active:
        return Response({"detail": _("账号或密码错误。"), "errors": {"non_field_errors": [_("账号或密码错误。")]}},
                        status=status.HTTP_400_BAD_REQUEST)
    if user.valid_until and user.valid_until < timezone.localdate():
        return Response({"detail": _("该账号已过有效期，请联系安全管理员。"), "errors": {}},
                        status=status.HTTP_400_BAD_REQUEST)
    if user.is_admin_role and settings.SHEQU_REQUIRE_2FA:
        return Response({"detail": _("管理员账号须通过网页登录并完成动态口令验证，不能使用接口令牌。"), "errors": {}},
                        status=status.HTTP_400_BAD_REQUEST)
    from .middleware import password_must_change

    if password_must_change(user):
        return Response({"detail": _("密码是临时密码或已过期，请先在网页上修改密码后再获取令牌。"), "errors": {}},
                        status=status.HTTP_400_BAD_REQUEST)
    key = services.api_token_issue(user=user, ttl_hours=settings.API_TOKEN_TTL_HOURS)
    return Response({"token": key, "expires_in": settings.API_TOKEN_TTL_HOURS * 3600})


@extend_schema(tags=["auth"], request=None, responses={204: None, **error_responses(401, 403)})
@api_view(["POST"])
def logout(request):
    """Revoke the token this request was made with (or end this session): the client's logout."""
    from django.contrib.auth import logout as session_logout

    if isinstance(request.auth, ApiToken):
        services.api_token_revoke(actor=request.user, user=request.user, token=request.auth)
    else:
        session_logout(request._request)
    return Response(status=status.HTTP_204_NO_CONTENT)


class TokenRevokeSerializer(api_fields.Serializer):
    username = serializers.CharField(max_length=150)


@extend_schema(tags=["auth"], request=TokenRevokeSerializer,
               responses={200: inline_serializer("Revoked", {"revoked": serializers.IntegerField()}),
                          **error_responses(400, 401, 403, 415)})
@api_view(["POST"])
def token_revoke(request):
    """The security administrator revokes every API token of an account (a lost phone, a leaked key)."""
    if not request.user.can("core.manage_users"):
        raise PermissionDenied(_("只有安全管理员可以吊销令牌。"))
    payload = TokenRevokeSerializer(data=request.data)
    payload.is_valid(raise_exception=True)
    user = User.objects.filter(username=login_name(payload.validated_data["username"])).first()
    if user is None:
        raise DomainError(_("没有该账号。"), {"username": [_("没有该账号。")]})
    return Response({"revoked": services.api_token_revoke(actor=request.user, user=user)})


@extend_schema(tags=["auth"], responses={200: inline_serializer("Me", {
    "username": serializers.CharField(), "name": serializers.CharField(), "role": serializers.CharField(),
    "scope": serializers.ListField(child=serializers.CharField())}), 401: ERROR_SCHEMA})
@api_view(["GET"])
def me(request):
    user = request.user
    return Response({"username": user.username, "name": user.display_name, "role": user.role,
                     "scope": [p.strip("/").split("/")[-1] for p in scope_paths(user)]})


class AddWorkingDaysQuery(api_fields.Serializer):
    start = BoundedSerializerDateField(input_formats=["%Y-%m-%d"])
    days = serializers.IntegerField(min_value=0, max_value=3650)


@extend_schema(
    tags=["calendar"],
    parameters=[OpenApiParameter("start", OpenApiTypes.DATE, required=True, description="YYYY-MM-DD"),
                OpenApiParameter("days", int, required=True, description="0–3650")],
    responses={200: inline_serializer("WorkingDate", {"date": serializers.DateField()}), **error_responses(400, 401)},
)
@api_view(["GET"])
def add_working_days(request):
    """The date N working days after `start` (start not counted), honouring holidays and 调休 make-up days."""
    query = AddWorkingDaysQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    result = workcal.add_working_days(query.validated_data["start"], query.validated_data["days"])
    return Response({"date": result.isoformat()})


class CountWorkingDaysQuery(api_fields.Serializer):
    start = BoundedSerializerDateField(input_formats=["%Y-%m-%d"])
    end = BoundedSerializerDateField(input_formats=["%Y-%m-%d"])

    def validate(self, attrs):
        if (attrs["end"] - attrs["start"]).days > 3660 or (attrs["start"] - attrs["end"]).days > 3660:
            raise serializers.ValidationError({"end": _("日期跨度不能超过10年。")})
        return attrs


@extend_schema(
    tags=["calendar"],
    parameters=[OpenApiParameter("start", OpenApiTypes.DATE, required=True),
                OpenApiParameter("end", OpenApiTypes.DATE, required=True)],
    responses={200: inline_serializer("WorkingDayCount", {"working_days": serializers.IntegerField()}),
               **error_responses(400, 401)},
)
@api_view(["GET"])
def count_working_days(request):
    """Working days in (start, end]."""
    query = CountWorkingDaysQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    count = workcal.count_working_days(query.validated_data["start"], query.validated_data["end"])
    return Response({"working_days": count})


class AddWorkingHoursQuery(api_fields.Serializer):
    start = serializers.DateTimeField()
    hours = serializers.FloatField(min_value=0, max_value=10000)


@extend_schema(
    tags=["calendar"],
    parameters=[OpenApiParameter("start", OpenApiTypes.DATETIME, required=True, description="ISO 8601 datetime"),
                OpenApiParameter("hours", float, required=True)],
    responses={200: inline_serializer("WorkingDateTime", {"datetime": serializers.DateTimeField()}),
               **error_responses(400, 401)},
)
@api_view(["GET"])
def add_working_hours(request):
    """The moment N working hours after `start`, counting only the configured working periods."""
    query = AddWorkingHoursQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    result = workcal.add_working_hours(query.validated_data["start"], query.validated_data["hours"])
    return Response({"datetime": result.isoformat()})


__all__ = ["token_obtain", "me", "add_working_days", "count_working_days", "add_working_hours", "DomainError"]
