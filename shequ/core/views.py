import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services, workcal
from .errors import DomainError
from .forms import (AuditFilterForm, CalendarQueryForm, CalendarYearForm, LoginForm, OtpForm,
                    PasswordResetByAdminForm, UserAccessForm, UserCreateForm)
from .hooks import pending_for
from .inputs import query_int
from .models import AdminReset, CalendarDay, CalendarYear, User
from .web import form_add_domain_error, paginate, query_without_page, render_page, require


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get(self, request, *args, **kwargs):
        from .middleware import SESSION_TIMED_OUT_KEY

        if request.session.pop(SESSION_TIMED_OUT_KEY, False):
            messages.info(request, _("长时间未操作，已自动退出，请重新登录。"))
        return super().get(request, *args, **kwargs)


@require_POST
def logout_view(request):
    from django.contrib.auth import logout

    logout(request)
    messages.info(request, _("您已安全退出。"))
    return redirect("core:login")


@require_POST
def large_text(request):
    """Turn 大字模式 on or off: saved on the user, or in a cookie for an anonymous visitor; back to the page."""
    from .context_processors import LARGE_TEXT_COOKIE

    on = request.POST.get("on") == "1"
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "/"
    response = redirect(target)
    if request.user.is_authenticated:
        services.user_set_large_text(user=request.user, on=on)
    else:
        response.set_cookie(LARGE_TEXT_COOKIE, "1" if on else "0", max_age=400 * 24 * 3600, samesite="Lax",
                            secure=settings.SESSION_COOKIE_SECURE, httponly=True)
    return response


@login_required
def keepalive(request):
    """The "继续使用" button of the idle-timeout warning (WCAG 2.2.1): any signed-in request restarts the idle clock."""
    return HttpResponse(status=204)


@login_required
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_password(actor=request.user, user=request.user,
                                       password=form.cleaned_data["new_password1"], temporary=False)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("密码已修改。"))
            return redirect("core:home")
    expired = request.user.password_changed_at is None
    return render(request, "core/password_change.html", {"form": form, "expired": expired})


@login_required
def otp_verify(request):
    """TOTP second factor: enrol a device on first use, then verify a code each login."""
    from django_otp import login as otp_login
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(user=request.user, name="default", confirmed=False)
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            target = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
                target = "core:home"  # never bounce a freshly verified administrator to another site
            return redirect(target)
        form.add_error("token", _("验证码错误或已使用，请输入动态口令应用上的最新验证码。"))
    context = {"form": form, "enrolling": enrolling}
    if enrolling:
        import qrcode
        import qrcode.image.svg

        image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
        buffer = io.BytesIO()
        image.save(buffer)
        context["qr_svg"] = buffer.getvalue().decode()
        context["secret"] = _b32(device.bin_key)
    return render(request, "core/otp_verify.html", context)


def _b32(key: bytes) -> str:
    import base64

    return base64.b32encode(key).decode().rstrip("=")


@login_required
def home(request):
    from .hooks import charts_for, landing_for

    if request.user.can("portal.use"):  # residents have their own pages (居民端)
        return redirect("portal:home")
    if landing_for(request.user) and "workbench" not in request.GET:
        return redirect(landing_for(request.user))
    counters = pending_for(request.user)
    recent = request.user.notifications.all()[:5]
    charts = [{"chart": chart, "data": data, "json": data.as_json(), "id": f"sq-home-chart-{i}"}
              for i, (chart, data) in enumerate(charts_for(request.user))]
    return render(request, "core/home.html", {"counters": counters, "recent": recent, "charts": charts})


@require("core.inbox")
def inbox(request):
    page = paginate(request, request.user.notifications.all(), 20)
    return render_page(request, "core/inbox.html", {"page": page, "query": query_without_page(request)},
                       "core/partials/_inbox_list.html")


@require("core.inbox")
@require_POST
def inbox_mark_read(request):
    ids = [n for n in map(query_int, request.POST.getlist("id")) if n] or None
    services.notification_mark_read(user=request.user, ids=ids)
    if request.htmx:
        page = paginate(request, request.user.notifications.all(), 20)
        return render(request, "core/partials/_inbox_list.html", {"page": page})
    return redirect("core:inbox")


@require("core.view_tree")
def tree(request):
    nodes = selectors.node_tree(user=request.user)
    departments = selectors.department_list(user=request.user)
    return render(request, "core/tree.html", {
        "nodes": nodes, "departments": departments,
        "tile_url": settings.MAP_TILE_URL, "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    })


@require("core.view_tree")
def grids_geojson(request):
    return JsonResponse(selectors.grid_features(user=request.user))


@require("core.view_calendar")
def calendar_view(request):
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    year = max(2000, min(2100, year))
    query_form = CalendarQueryForm(request.GET if "start" in request.GET else None)
    result = None
    if query_form.is_bound and query_form.is_valid():
        try:
            result = workcal.add_working_days(query_form.cleaned_data["start"], query_form.cleaned_data["days"])
        except DomainError as exc:
            form_add_domain_error(query_form, exc)
    try:
        data = workcal.year_data(year)
        months = _month_grid(year, data)
        unavailable = None
    except workcal.CalendarUnavailable as exc:
        months, unavailable, data = [], exc.message, None
    year_form = CalendarYearForm(initial={"year": year}) if request.user.can("core.manage_config") else None
    return render(request, "core/calendar.html", {
        "year": year, "months": months, "unavailable": unavailable, "data": data,
        "query_form": query_form, "result": result, "year_form": year_form,
        "years": CalendarYear.objects.all(), "library_years": workcal.library_years(),
        "special_days": sorted((data.exceptions.items() if data else []), key=lambda kv: kv[0]),
        "names": data.names if data else {},
    })


def _month_grid(year: int, data) -> list[dict]:
    import calendar

    months = []
    for month in range(1, 13):
        weeks = []
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
            row = []
            for day in week:
                if day.month != month:
                    row.append(None)
                    continue
                workday = data.exceptions.get(day, day.weekday() < 5)
                special = day in data.exceptions
                row.append({"day": day, "workday": workday, "special": special, "name": data.names.get(day, "")})
            weeks.append(row)
        months.append({"month": month, "weeks": weeks})
    return months


@require("core.manage_config")
@require_POST
def calendar_import(request):
    try:
        year = int(request.POST.get("year", ""))
        services.calendar_import_year(actor=request.user, year=year)
    except ValueError:
        messages.error(request, _("年份无效。"))
        return redirect("core:calendar")
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已从内置日历数据导入%(y)s年的节假日安排。") % {"y": year})
    return redirect(f"{reverse('core:calendar')}?year={year}")


@require("core.manage_config")
def calendar_year_edit(request):
    form = CalendarYearForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.calendar_set_year(actor=request.user, year=form.cleaned_data["year"],
                                       source=form.cleaned_data["source"], confirmed=True,
                                       days=form.cleaned_data["days"])
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("%(y)s年工作日历已保存。") % {"y": form.cleaned_data["year"]})
            return redirect(f"{reverse('core:calendar')}?year={form.cleaned_data['year']}")
    elif request.method == "GET" and 2000 <= (query_int(request.GET.get("year")) or 0) <= 2100:
        year = query_int(request.GET["year"])
        days = CalendarDay.objects.filter(date__year=year)
        src = CalendarYear.objects.filter(year=year).values_list("source", flat=True).first() or ""
        form = CalendarYearForm(initial={
            "year": year, "source": src,
            "holidays": "\n".join(f"{d.date.isoformat()} {d.name}" for d in days if not d.is_workday),
            "workdays": "\n".join(f"{d.date.isoformat()} {d.name}" for d in days if d.is_workday),
        })
    return render(request, "core/calendar_year_form.html", {"form": form})


# --- users (security administrator) -------------------------------------------------------------------------

@require("core.manage_users")
def user_list(request):
    from axes.models import AccessAttempt

    from .filtersets import UserFilterSet

    filters = UserFilterSet(request.GET or None, queryset=selectors.user_list())
    page = paginate(request, filters.qs, 30)
    locked = set(AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
                 .values_list("username", flat=True))
    from .choices import Role

    return render_page(request, "core/user_list.html", {
        "page": page, "locked": locked, "roles": Role.choices, "query": query_without_page(request), "filters": filters,
    }, "core/partials/_user_rows.html")


@require("core.manage_users")
def user_create(request):
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            user = services.user_create(actor=request.user, username=d["username"], full_name=d["full_name"],
                                        role=d["role"], password=d["password"], nodes=d["nodes"],
                                        department=d["department"], valid_until=d["valid_until"])
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("账号 %(u)s 已创建。") % {"u": user.username})
            return redirect("core:user-detail", pk=user.pk)
    return render(request, "core/user_form.html", {"form": form, "creating": True})


@require("core.manage_users")
def user_detail(request, pk):
    from axes.models import AccessAttempt
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = get_object_or_404(User, pk=pk)
    form = UserAccessForm(request.POST or None, initial={
        "role": user.role, "nodes": user.nodes.all(), "department": user.department,
        "valid_until": user.valid_until, "is_active": user.is_active})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.user_update_access(actor=request.user, user=user, role=d["role"], nodes=d["nodes"],
                                        department=d["department"], valid_until=d["valid_until"],
                                        is_active=d["is_active"])
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("权限已更新。"))
            return redirect("core:user-detail", pk=user.pk)
    attempts = AccessAttempt.objects.filter(username=user.username).first()
    return render(request, "core/user_form.html", {
        "form": form, "subject": user, "attempts": attempts,
        "locked": bool(attempts and attempts.failures_since_start >= settings.AXES_FAILURE_LIMIT),
        "tokens": user.api_tokens.filter(expires_at__gt=timezone.now()).count(),
        "has_totp": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
        "password_form": PasswordResetByAdminForm(),
    })


@require("core.manage_users")
@require_POST
def user_unlock(request, pk):
    user = get_object_or_404(User, pk=pk)
    services.user_unlock(actor=request.user, user=user)
    messages.success(request, _("账号 %(u)s 已解锁。") % {"u": user.username})
    return redirect("core:user-detail", pk=pk)


@require("core.manage_users")
@require_POST
def user_reset_2fa(request, pk):
    user = get_object_or_404(User, pk=pk)
    if user.is_admin_role:
        try:
            services.admin_reset_request(actor=request.user, user=user, kind="second_factor")
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已提交重置申请，须由另一名管理员批准后生效。"))
        return redirect("core:user-detail", pk=pk)
    services.user_reset_second_factor(actor=request.user, user=user)
    messages.success(request, _("已重置 %(u)s 的动态口令，下次登录时重新绑定。") % {"u": user.username})
    return redirect("core:user-detail", pk=pk)


@require("core.manage_users")
@require_POST
def user_reset_password(request, pk):
    user = get_object_or_404(User, pk=pk)
    form = PasswordResetByAdminForm(request.POST)
    if form.is_valid() and user.is_admin_role:
        try:
            services.admin_reset_request(actor=request.user, user=user, kind="password",
                                         password=form.cleaned_data["password"])
        except DomainError as exc:
            for msgs in exc.errors.values():
                for m in msgs:
                    messages.error(request, m)
        else:
            messages.success(request, _("已提交重置申请，须由另一名管理员批准后生效。"))
    elif form.is_valid():
        try:
            services.user_set_password(actor=request.user, user=user, password=form.cleaned_data["password"],
                                       temporary=True)
        except DomainError as exc:
            for msgs in exc.errors.values():
                for m in msgs:
                    messages.error(request, m)
        else:
            services.user_end_sessions(user=user)
            messages.success(request, _("已设置临时密码，用户下次登录时须修改。"))
    else:
        messages.error(request, _("请输入临时密码。"))
    return redirect("core:user-detail", pk=pk)


# --- background tasks (system administrator) ---------------------------------------------------------------------

@require("core.operations")
def operations(request):
    from .choices import TaskRunStatus

    status = request.GET.get("status", "")
    data = selectors.operations_overview(status=status)
    page = paginate(request, data.pop("runs"), 50)
    return render_page(request, "core/operations.html", {
        **data, "page": page, "query": query_without_page(request), "status": status,
        "statuses": TaskRunStatus.choices,
    }, "core/partials/_task_runs.html")


@require("core.manage_users")
@require_POST
def user_revoke_tokens(request, pk):
    user = get_object_or_404(User, pk=pk)
    revoked = services.api_token_revoke(actor=request.user, user=user)
    messages.success(request, _("已吊销 %(u)s 的 %(n)d 个接口令牌。") % {"u": user.username, "n": revoked})
    return redirect("core:user-detail", pk=pk)


@require("core.approve_admin_reset")
def admin_resets(request):
    """Resets of administrator accounts waiting for a second administrator (two-person rule)."""
    if request.method == "POST":
        reset = get_object_or_404(AdminReset, pk=request.POST.get("reset") if str(
            request.POST.get("reset", "")).isdigit() else 0, approved_at__isnull=True)
        try:
            services.admin_reset_approve(actor=request.user, reset=reset)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已批准，%(u)s 已收到通知。") % {"u": reset.user.username})
        return redirect("core:admin-resets")
    pending = AdminReset.objects.filter(approved_at__isnull=True).select_related("user", "requested_by")
    return render(request, "core/admin_resets.html", {"pending": pending})


# --- audit log (auditor) ----------------------------------------------------------------------------------------

@require("core.read_audit")
def audit_list(request):
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    qs = selectors.audit_list(**{k: v for k, v in filters.items() if v})
    if form.is_bound and form.errors:  # an invalid filter shows its error and never widens the list
        qs = qs.none()
    page = paginate(request, qs, 50)
    return render_page(request, "core/audit_list.html", {
        "form": form, "page": page, "query": query_without_page(request),
    }, "core/partials/_audit_rows.html")


@require("core.read_audit")
def audit_detail(request, pk):
    from .models import AuditLog

    row = get_object_or_404(AuditLog, pk=pk)
    return render(request, "core/audit_detail.html", {"row": row, "intact": row.verify()})


# --- system pages ------------------------------------------------------------------------------------------------

def healthz(request):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "time": timezone.now().isoformat()})


def ping(request):
    """A bare endpoint: a small JSON through the full middleware stack, without the database or a login. The load
    benchmark (bench/loadtest.py) compares the API's throughput with this view's, the framework's own ceiling."""
    return JsonResponse({"status": "ok"})


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)


def error_404(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("未找到。"), "errors": {}}, status=404)
    return render(request, "404.html", status=404)


def error_500(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("服务器内部错误，已记录，请稍后重试。"), "errors": {}}, status=500)
    return render(request, "500.html", status=500)


def error_403(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("您没有执行该操作的权限。"), "errors": {}}, status=403)
    return render(request, "403.html", status=403)


def error_400(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("请求无效。"), "errors": {}}, status=400)
    return render(request, "400.html", status=400)
