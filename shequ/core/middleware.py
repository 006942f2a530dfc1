import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .context import current_request

# Paths a user may reach before finishing the second factor or a forced password change.
_OPEN_PREFIXES = ("/static/", "/accounts/", "/i18n/", "/api/", "/open311/", "/healthz", "/favicon.ico")


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)


def _redirect(request, url):
    if getattr(request, "htmx", False):
        from django_htmx.http import HttpResponseClientRedirect

        return HttpResponseClientRedirect(url)
    return redirect(url)


class SessionTimeoutMiddleware:
    """Idle timeout and absolute session lifetime (等保 G2, ASVS 7.3). The session is touched at most once a
    minute so a busy page does not write the session row on every request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            started = request.session.get("shequ_started", now)
            seen = request.session.get("shequ_seen", now)
            if now - seen > settings.SESSION_IDLE_TIMEOUT or now - started > settings.SESSION_ABSOLUTE_TIMEOUT:
                logout(request)
                messages.info(request, _("长时间未操作，已自动退出，请重新登录。"))
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return _redirect(request, f"{reverse('core:login')}?next={request.path}")
            if "shequ_started" not in request.session:
                request.session["shequ_started"] = now
            if now - seen >= 60 or "shequ_seen" not in request.session:
                request.session["shequ_seen"] = now
        return self.get_response(request)


class SecondFactorMiddleware:
    """Administrator roles must pass a TOTP second factor before reaching any page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (settings.SHEQU_REQUIRE_2FA and user.is_authenticated and user.is_admin_role
                and not user.is_verified() and not request.path.startswith(_OPEN_PREFIXES)):
            return _redirect(request, reverse("core:otp-verify"))
        return self.get_response(request)


class PasswordExpiryMiddleware:
    """A temporary or expired password must be changed before anything else (等保 G1)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not request.path.startswith(_OPEN_PREFIXES):
            changed = user.password_changed_at
            max_age = settings.PASSWORD_MAX_AGE_DAYS
            expired = changed is None or (max_age and (timezone.now() - changed).days >= max_age)
            if expired:
                return _redirect(request, reverse("core:password-change"))
        return self.get_response(request)


class NoStoreMiddleware:
    """Pages and API answers for signed-in users may hold personal data: never cache them (ASVS 14.3.2)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/static/") and "Cache-Control" not in response:
            response["Cache-Control"] = "no-store"
        return response
