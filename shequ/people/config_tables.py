"""The residents registry's configuration tables (系统配置): tags."""

from django.utils.translation import gettext_lazy as _

from shequ.core.config import ConfigTable, config_table

from .models import Tag

config_table(ConfigTable(
    "tags", Tag, _("居民信息"), fields=["code", "name", "sensitive"], columns=["name", "code", "sensitive"],
    search=["code", "name"], filters=["sensitive"], order=30, readonly_on_edit=["code"],
    help=_("人员标签（独居老人、残疾人 …）；敏感标签只有有权限的人员可见。")))
