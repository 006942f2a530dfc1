"""大联动's configuration tables (系统配置): the taxonomy with its time limits, step limits, shifts and teams,
the composite score's weights, work stations, grid responsibles, buildings and Open311 clients. The supervision
sheets (督查评分表) are the targets module's scoring sheets (use 大联动督查), edited in its table."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shequ.core.config import ChildTable, ConfigTable, config_table

from .models import (Building, Category, CategoryMain, CompositeRule, DutyTeam, GridResponsible, Open311Client,
                     PoliceItem, ProcessLimit, ServiceAttribute, ShiftPattern, ShiftType, TeamMember, WorkStation)

SECTION = _("大联动")


def _slots(pattern) -> str:
    """"EEMMNNOO" as the shift names the roster uses: 早班、早班、中班 …"""
    names = dict(ShiftType.objects.values_list("code", "name"))
    return "、".join(names.get(code, gettext("休息") if code == "O" else gettext("未定义班次")) for code in pattern.slots)


def _open311_create(*, actor, form):
    from . import services

    data = form.cleaned_data
    client, key = services.open311_client_issue(actor=actor, name=data["name"], jurisdiction=data["jurisdiction"],
                                                contact=data.get("contact", ""))
    if data.get("token_only") != client.token_only:
        client.token_only = data["token_only"]
        client.save(update_fields=["token_only"])
    return client, gettext("新的 API 密钥（只显示这一次，请立即转交客户端）：%(k)s") % {"k": key}


config_table(
    ConfigTable("grid-category-main", CategoryMain, SECTION, fields=["kind", "code", "name"],
                columns=["name", "code", "kind"], search=["code", "name"], filters=["kind"], order=40,
                readonly_on_edit=["code"], help=_("部件、事件大类（立结案标准的第一级）。")),
    ConfigTable("grid-category", Category, SECTION,
                fields=["main", "code", "name", "filing_condition", "closing_condition", "limit_value", "limit_unit",
                        "urgent_limit_hours", "rework_limit_value", "rework_limit_unit", "is_engineering",
                        "extension_allowance_hours", "max_extensions", "urgency", "department", "keywords",
                        "description", "duplicate_radius_m", "is_public", "is_active", "sort_order"],
                columns=["name", "code", "main", "limit_value", "limit_unit", "urgent_limit_hours", "department",
                         "is_active"],
                search=["code", "name", "keywords"], filters=["main", "urgency", "department", "is_active"],
                order=41, readonly_on_edit=["code"],
                children=[ChildTable(ServiceAttribute, ["code", "description", "datatype", "required", "variable",
                                                        "datatype_description"], label=_("上报附加问题（Open311）"))],
                help=_("小类、立案条件、结案条件和处置时限。")),
    ConfigTable("grid-police-item", PoliceItem, SECTION, fields=["code", "group", "name", "category", "is_active",
                                                                 "sort_order"],
                columns=["name", "code", "group", "category", "is_active"], search=["code", "name"],
                filters=["group", "is_active"], order=41, readonly_on_edit=["code"],
                help=_("非警务类110分流清单：110移交的事项及其对应的小类，移交案件按清单归类。")),
    ConfigTable("grid-process-limit", ProcessLimit, SECTION, fields=["step", "hours", "days", "note"],
                columns=["step", "hours", "days", "note"], order=42, readonly_on_edit=["step"],
                help=_("受理、立案、派遣、核查等环节的工作时限。")),
    ConfigTable("grid-shift-type", ShiftType, SECTION, fields=["code", "name", "start", "end"],
                columns=["name", "code", "start", "end"], order=43, readonly_on_edit=["code"]),
    ConfigTable("grid-shift-pattern", ShiftPattern, SECTION, fields=["name", "slots", "anchor", "is_active"],
                columns=["name", "slots", "anchor", "is_active"], order=44, display={"slots": _slots},
                help=_("四班三运转的轮转序列：每个字母是一天的班次代码，O 为休息。")),
    ConfigTable("grid-duty-team", DutyTeam, SECTION, fields=["node", "code", "name", "offset", "leader"],
                columns=["name", "code", "node", "offset", "leader"], order=45, readonly_on_edit=["code"],
                children=[ChildTable(TeamMember, ["name", "node", "user", "phone", "post", "is_active"],
                                     label=_("队员"))]),
    ConfigTable("grid-composite-rule", CompositeRule, SECTION,
                fields=["name", "on_time_weight", "on_time_full", "close_weight", "close_full", "urgent_weight",
                        "rework_weight", "rework_deduction", "overdue_deduction", "note"],
                columns=["name", "on_time_weight", "close_weight", "urgent_weight", "rework_weight",
                         "rework_deduction", "overdue_deduction"], order=46,
                help=_("综合评价排名用的综合指标值：四项权重合计100分，满分线、每次返工和每件超时未处置的扣分。"
                       "标准只规定指标名称，权重由街道自定。")),
    ConfigTable("grid-work-station", WorkStation, SECTION, fields=["department", "committee", "address", "leader"],
                columns=["committee", "department", "leader", "address"], order=47),
    ConfigTable("grid-responsible", GridResponsible, SECTION,
                fields=["grid", "name", "duty", "phone", "user", "sort_order"],
                columns=["name", "grid", "duty", "phone"], search=["name", "grid__name", "grid__code"],
                filters=["duty"], order=48),
    ConfigTable("grid-building", Building, SECTION,
                fields=["grid", "name", "address", "kind", "floors", "households", "lat", "lng"],
                columns=["name", "grid", "kind", "floors", "households"], search=["name", "address", "grid__code"],
                filters=["kind"], order=49),
    ConfigTable("grid-open311-client", Open311Client, SECTION,
                fields=["name", "jurisdiction", "contact", "token_only", "is_active"],
                columns=["name", "key_prefix", "jurisdiction", "token_only", "is_active", "last_used_at"],
                order=50, create=_open311_create,
                help=_("外部上报客户端；新增时签发 API 密钥，密钥只显示一次。")),
)
