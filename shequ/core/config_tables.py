"""Core's configuration tables (系统配置): departments and units."""

from django.utils.translation import gettext_lazy as _

from .config import ConfigTable, config_table
from .models import Department

config_table(ConfigTable(
    "departments", Department, _("辖区与部门"),
    fields=["code", "name", "short_name", "kind", "node", "phone", "is_active", "sort_order"],
    columns=["name", "short_name", "code", "kind", "node", "phone", "is_active"],
    search=["code", "name", "short_name"], filters=["kind", "is_active"], order=10,
    readonly_on_edit=["code"], help=_("职能部门和责任单位：案件派遣、后台审批都按部门分派。")))
