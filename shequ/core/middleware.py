import logging
import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .context import current_request
from .dbrouter import mark_down, replica_aliases, replica_reads

SESSION_TIMED_OUT_KEY = "shequ_timed_out"

# Paths a user may reach before finishing the second factor or a forced password change.
_OPEN_PREFIXES = ("/static/", "/accounts/", "/i18n/", "/jsi18n/", "/api/", "/open311/", "/healthz", "/favicon.ico")
# Before the second factor only signing in/out and the factor itself: changing the password needs both factors.
_OPEN_BEFORE_2FA = tuple(p for p in _OPEN_PREFIXES if p != "/accounts/") + (
    "/accounts/login/", "/accounts/logout/", "/accounts/otp/")


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)


logger = logging.getLogger("shequ.dbrouter")
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
PRIMARY_PIN_COOKIE = "shequ_primary"


class ReplicaMiddleware:
    """Reads of a safe request may go to a replica (`shequ.core.dbrouter`). A request that writes pins its client
    to the primary for `DATABASE_PRIMARY_PIN_SECONDS` (a cookie), so its next pages show what it wrote. A safe
    request whose replica failed under it (killed, cut off) is served once more, from the primary, and the
    replica is left alone for a while. Without replicas it does nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_aliases():
            return self.get_response(request)
        eligible = request.method in _SAFE_METHODS and PRIMARY_PIN_COOKIE not in request.COOKIES
        with replica_reads(eligible) as state:
            response = self.get_response(request)
            served = "replica" if state.used else "primary"
            if state.used and state.failed is not None:
                logger.warning("replica %s failed under %s %s; served again from the primary", state.used,
                               request.method, request.path)
                mark_down(state.used)
                served = "primary-retry"
                with replica_reads(False) as again:
                    response = self.get_response(request)
                    state.wrote = state.wrote or again.wrote
            wrote = state.wrote
        if settings.DATABASE_READ_HEADER:
            response["X-Shequ-Read"] = served
        if wrote or request.method not in _SAFE_METHODS:
            pin = settings.DATABASE_PRIMARY_PIN_SECONDS
            response.set_cookie(PRIMARY_PIN_COOKIE, "1", max_age=pin, httponly=True, samesite="Lax",
                                secure=settings.SESSION_COOKIE_SECURE)
        return response


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
            valid_until = request.user.valid_until
            account_expired = valid_until is not None and valid_until < timezone.localdate()
            if (now - seen > settings.SESSION_IDLE_TIMEOUT or now - started > settings.SESSION_ABSOLUTE_TIMEOUT
                    or account_expired):
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                # The message framework is not set up yet at this point of the chain: leave a flag in the new
                # (anonymous) session for the login page to turn into a message.
                request.session[SESSION_TIMED_OUT_KEY] = True
                return _redirect(request, f"{reverse('core:login')}?{urlencode({'next': request.get_full_path()})}")
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
                and not user.is_verified()):
            if request.path.startswith("/api/"):
                # A session that has passed only the password must not reach the API either.
                return _api_refusal(_("管理员账号须先完成动态口令验证。"))
            if not request.path.startswith(_OPEN_BEFORE_2FA):
                return _redirect(request, reverse("core:otp-verify"))
        return self.get_response(request)


class PasswordExpiryMiddleware:
    """A temporary or expired password must be changed before anything else (等保 G1)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and password_must_change(user):
            if request.path.startswith("/api/"):
                return _api_refusal(_("密码是临时密码或已过期，请先在网页上修改密码。"))
            if not request.path.startswith(_OPEN_PREFIXES):
                return _redirect(request, reverse("core:password-change"))
        return self.get_response(request)


def password_must_change(user) -> bool:
    changed = user.password_changed_at
    max_age = settings.PASSWORD_MAX_AGE_DAYS
    return changed is None or bool(max_age and (timezone.now() - changed).days >= max_age)


def _api_refusal(message):
    from django.http import JsonResponse

    return JsonResponse({"detail": str(message), "errors": {}}, status=403)


class NoStoreMiddleware:
    """Pages and API answers for signed-in users may hold personal data: never cache them (ASVS 14.3.2)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/static/") and "Cache-Control" not in response:
            response["Cache-Control"] = "no-store"
        return response
