"""The acceptance centre's configuration tables (系统配置): ticket categories."""

from django.utils.translation import gettext_lazy as _

from shequ.core.config import ConfigTable, config_table

from .models import QueueCategory

config_table(ConfigTable(
    "queue-categories", QueueCategory, _("受理中心"),
    fields=["letter", "name", "description", "default_service_minutes", "sort_order", "is_active"],
    columns=["name", "letter", "default_service_minutes", "is_active"],
    search=["letter", "name"], filters=["is_active"], order=20, readonly_on_edit=["letter"],
    help=_("取号类别：取号机上的按钮和排队号的字母（A001 …）。")))
