from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from . import crypto
from .models import ApiToken


class ExpiringTokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>`; tokens expire and only their hash is stored."""

    keyword = "Token"

    def authenticate_credentials(self, key):
        try:  # `get` on the unique hash: no ORDER BY to compile, as `.first()` would add
            token = ApiToken.objects.select_related("user").get(key_hash=crypto.keyed_hash(key))
        except ApiToken.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("令牌无效。")) from None
        now = timezone.now()
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed(_("令牌已过期，请重新获取。"))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("账号已停用。"))
        if token.user.valid_until and token.user.valid_until < timezone.localdate():
            raise exceptions.AuthenticationFailed(_("该账号已过有效期，请联系安全管理员。"))
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token


class ExpiringTokenScheme(OpenApiAuthenticationExtension):
    target_class = "shequ.core.api_auth.ExpiringTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "Token-based authentication: `Token <key>`"}
