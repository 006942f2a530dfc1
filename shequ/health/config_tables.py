"""The family-doctor configuration tables (系统配置): the institutions of "1+1+1", the family doctors and the
coverage targets."""

from django.utils.translation import gettext_lazy as _

from shequ.core.config import ConfigTable, config_table

from .models import CoverageTarget, Doctor, Institution

SECTION = _("家庭医生")

config_table(
    ConfigTable("health-institutions", Institution, SECTION,
                fields=["name", "level", "district", "address", "phone", "is_active"],
                columns=["name", "level", "district", "is_active"], search=["name", "address"],
                filters=["level", "is_active"], order=60,
                help=_("社区卫生服务中心、区级和市级医疗机构：签约“1+1+1”组合的可选机构。")),
    ConfigTable("health-doctors", Doctor, SECTION,
                fields=["name", "institution", "team", "title", "phone", "capacity", "is_active"],
                columns=["name", "institution", "team", "phone_masked", "is_active"], search=["name", "team"],
                filters=["institution", "is_active"], order=61,
                help=_("家庭医生及其团队；电话加密保存，列表中脱敏显示。")),
    ConfigTable("health-targets", CoverageTarget, SECTION, fields=["group", "target", "note"],
                columns=["group", "target", "note"], order=62, readonly_on_edit=["group"],
                help=_("各人群的签约覆盖率目标（%），覆盖率页面按此显示达标情况。")),
)
