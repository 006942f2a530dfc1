"""Configuration data of the 大联动 module for the system administrator: taxonomy (立结案标准), step limits, shift
pattern and teams, scoring sheets, work stations and Open311 clients. Every change is audited (ConfigAdmin)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from shequ.core.admin import ConfigAdmin, site

from . import services
from .models import (Building, Category, CategoryMain, DutyTeam, GridResponsible, Open311Client, ProcessLimit,
                     ServiceAttribute, ShiftPattern, ShiftType, TeamMember, WorkStation)


@admin.register(CategoryMain, site=site)
class CategoryMainAdmin(ConfigAdmin):
    list_display = ("kind", "code", "name")
    list_filter = ("kind",)


class ServiceAttributeInline(admin.TabularInline):
    model = ServiceAttribute
    extra = 0

    def has_add_permission(self, request, obj=None):
        return request.user.can("core.manage_config")

    has_change_permission = has_delete_permission = has_view_permission = \
        lambda self, request, obj=None: request.user.can("core.manage_config")


@admin.register(Category, site=site)
class CategoryAdmin(ConfigAdmin):
    list_display = ("code", "name", "main", "limit_value", "limit_unit", "urgent_limit_hours", "urgency",
                    "department", "is_public", "is_active")
    list_filter = ("main__kind", "main", "limit_unit", "urgency", "department", "is_active")
    search_fields = ("code", "name", "keywords")
    list_editable = ("limit_value", "limit_unit", "department", "is_active")
    inlines = [ServiceAttributeInline]


@admin.register(ProcessLimit, site=site)
class ProcessLimitAdmin(ConfigAdmin):
    list_display = ("step", "hours", "note")
    list_editable = ("hours",)


@admin.register(WorkStation, site=site)
class WorkStationAdmin(ConfigAdmin):
    list_display = ("department", "committee", "leader", "address")


@admin.register(GridResponsible, site=site)
class GridResponsibleAdmin(ConfigAdmin):
    list_display = ("grid", "duty", "name", "phone", "user")
    list_filter = ("duty",)
    search_fields = ("name", "grid__name", "grid__code")
    raw_id_fields = ("grid", "user")


@admin.register(Building, site=site)
class BuildingAdmin(ConfigAdmin):
    list_display = ("name", "grid", "kind", "floors", "households")
    search_fields = ("name", "address", "grid__code")
    raw_id_fields = ("grid",)


@admin.register(ShiftType, site=site)
class ShiftTypeAdmin(ConfigAdmin):
    list_display = ("code", "name", "start", "end")


@admin.register(ShiftPattern, site=site)
class ShiftPatternAdmin(ConfigAdmin):
    list_display = ("name", "slots", "anchor", "is_active")


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    extra = 0
    raw_id_fields = ("user",)

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission = \
        lambda self, request, obj=None: request.user.can("core.manage_config")


@admin.register(DutyTeam, site=site)
class DutyTeamAdmin(ConfigAdmin):
    list_display = ("code", "name", "offset", "leader")
    inlines = [TeamMemberInline]


@admin.register(Open311Client, site=site)
class Open311ClientAdmin(ConfigAdmin):
    list_display = ("name", "key_prefix", "jurisdiction", "token_only", "is_active", "created_at", "last_used_at")
    readonly_fields = ("key_prefix", "created_at", "last_used_at")
    fields = ("name", "jurisdiction", "contact", "token_only", "is_active", "key_prefix", "created_at",
              "last_used_at")
    actions = ["issue_key"]

    def save_model(self, request, obj, form, change):
        if not change:
            client, key = services.open311_client_issue(actor=request.user, name=obj.name,
                                                        jurisdiction=obj.jurisdiction, contact=obj.contact)
            client.token_only = obj.token_only
            client.save(update_fields=["token_only"])
            obj.pk = client.pk
            messages.warning(request, _("新的 API 密钥（只显示这一次，请立即转交客户端）：%(k)s") % {"k": key})
            return
        super().save_model(request, obj, form, change)

    @admin.action(description=_("签发新的 API 密钥（旧密钥立即失效）"))
    def issue_key(self, request, queryset):
        for client in queryset:
            _client, key = services.open311_client_issue(actor=request.user, name=client.name,
                                                         jurisdiction=client.jurisdiction)
            messages.warning(request, _("%(n)s 的新密钥（只显示这一次）：%(k)s") % {"n": client.name, "k": key})
