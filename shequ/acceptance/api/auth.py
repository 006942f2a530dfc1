"""Hall devices on the API: a paired kiosk calls with `Authorization: Device <secret>`."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication
from rest_framework.exceptions import NotAuthenticated

from .. import services
from ..models import Device


class DeviceUser:
    """Stands for a paired hall device in `request.user`; it has no capability and is never passed to a
    service as an actor (the device itself is, as `device=`)."""

    is_authenticated = True
    is_active = True
    pk = None
    role = ""

    def __init__(self, device: Device):
        self.device = device
        self.username = f"device:{device.name}"

    def can(self, capability: str) -> bool:
        return False


class DeviceTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Device <secret>` for kiosks that call the API instead of using the kiosk page."""

    keyword = "Device"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise NotAuthenticated(_("设备令牌格式错误。"))
        device = services.device_from_token(header[1].decode(errors="ignore"))
        if device is None:
            raise NotAuthenticated(_("设备令牌无效或设备已停用。"))
        return DeviceUser(device), device

    def authenticate_header(self, request):
        return self.keyword


class DeviceTokenScheme(OpenApiAuthenticationExtension):
    target_class = "shequ.acceptance.api.auth.DeviceTokenAuthentication"
    name = "deviceAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "A paired kiosk: `Device <secret>`"}
