"""Configuration tables for the system administrator (系统管理员) only: tree, departments, calendar.

Users, roles and the audit log are deliberately absent: they belong to the security administrator and the
auditor, who have their own pages (三权分立)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .audit import audit_record
from .choices import AuditAction
from .models import CalendarDay, CalendarYear, Department, Node


class ShequAdminSite(admin.AdminSite):
    site_header = _("Shequ 社区 · 系统配置")
    site_title = _("系统配置")
    index_title = _("配置数据")

    def has_permission(self, request):
        from django.conf import settings

        user = request.user
        if not (user.is_active and user.is_authenticated and user.can("core.manage_config")):
            return False
        return not settings.SHEQU_REQUIRE_2FA or user.is_verified()

    def login(self, request, extra_context=None):
        """No second login form: anonymous visitors go to the platform's login (lockout, expiry, 2FA apply);
        a signed-in user without the capability gets the audited Chinese 403 page."""
        from django.contrib.auth.views import redirect_to_login
        from django.core.exceptions import PermissionDenied
        from django.urls import reverse

        if not request.user.is_authenticated:
            return redirect_to_login(request.GET.get("next") or reverse("admin:index"), reverse("core:login"))
        from .audit import audit_denied

        audit_denied(actor=request.user, what=f"{request.method} {request.path} needs core.manage_config")
        raise PermissionDenied("core.manage_config")


def _can_configure(request) -> bool:
    user = request.user
    return bool(getattr(user, "is_authenticated", False) and user.can("core.manage_config"))


class ConfigAdmin(admin.ModelAdmin):
    """Every change made here is audited as a configuration change."""

    def has_module_permission(self, request):
        return _can_configure(request)

    def has_view_permission(self, request, obj=None):
        return _can_configure(request)

    has_add_permission = has_change_permission = has_delete_permission = \
        lambda self, request, obj=None: _can_configure(request)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(actor=request.user, action=AuditAction.CONFIG, obj=obj,
                     detail={"op": "change" if change else "add", "fields": form.changed_data})

    def delete_model(self, request, obj):
        audit_record(actor=request.user, action=AuditAction.CONFIG, obj=obj, detail={"op": "delete"})
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


site = ShequAdminSite(name="admin")


@admin.register(Department, site=site)
class DepartmentAdmin(ConfigAdmin):
    list_display = ("code", "name", "short_name", "kind", "node", "phone", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name", "short_name")


class NodeAdminForm(forms.ModelForm):
    """The same rules as `services.node_create` (parent kind, codes, polygon), so the admin cannot bypass them."""

    class Meta:
        model = Node
        fields = "__all__"

    def clean(self):
        from . import services
        from .errors import DomainError
        from .geo import validate_polygon

        data = super().clean()
        if self.errors:
            return data
        try:
            if self.instance.pk is None:
                data["geometry"] = services.node_check(kind=data.get("kind"), code=data.get("code"),
                                                       parent=data.get("parent"), geometry=data.get("geometry"))
            elif data.get("geometry") is not None:
                data["geometry"] = validate_polygon(data["geometry"])
        except DomainError as exc:
            for field, messages in exc.errors.items():
                self.add_error(field if field in self.fields else None, messages)
        return data


@admin.register(Node, site=site)
class NodeAdmin(ConfigAdmin):
    form = NodeAdminForm
    list_display = ("code", "name", "kind", "parent", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name")
    readonly_fields = ("path",)

    def get_readonly_fields(self, request, obj=None):
        # Moving a node or changing its code would orphan the paths below it.
        return ("path", "code", "parent", "kind") if obj else ("path",)

    def save_model(self, request, obj, form, change):
        obj.path = f"{obj.parent.path if obj.parent else '/'}{obj.code}/"
        super().save_model(request, obj, form, change)


@admin.register(CalendarYear, site=site)
class CalendarYearAdmin(ConfigAdmin):
    list_display = ("year", "confirmed", "source", "updated_at")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _touch_year(obj.year)  # this process at once; the others at their next check of the stamp

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        _touch_year(obj.year)


@admin.register(CalendarDay, site=site)
class CalendarDayAdmin(ConfigAdmin):
    list_display = ("date", "is_workday", "name")
    list_filter = ("is_workday",)
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _touch_year(obj.date.year)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        _touch_year(obj.date.year)


def _touch_year(year: int) -> None:
    """A changed day invalidates the cached schedule of its year in every process."""
    from django.utils import timezone

    from . import workcal

    CalendarYear.objects.filter(year=year).update(updated_at=timezone.now())
    workcal.clear_cache()
