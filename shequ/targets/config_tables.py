"""The targets and the scoring sheets as configuration tables (系统配置): the system administrator adjusts a
target's baseline, target value, period or computation, and a sheet's sections and pass line, as data."""

from django.utils.translation import gettext_lazy as _

from shequ.core.config import ChildTable, ConfigTable, config_table

from .models import Indicator, ScoreSheet, SheetItem, SheetSection

config_table(ConfigTable(
    "targets-indicators", Indicator, _("指标与考核"),
    fields=["node", "code", "name", "group", "unit", "baseline", "target", "period_kind", "start_year", "end_year",
            "direction", "owner_department", "owner_name", "source", "computer", "combine", "sort_order",
            "is_active"],
    columns=["name", "group", "unit", "target", "period_kind", "source", "is_active"],
    search=["name", "code", "group"], filters=["source", "period_kind", "is_active"], order=70,
    readonly_on_edit=["code"],
    help=_("系统计算的指标填写计算口径代码（如 grid.close_rate、targets.eco_households）；填报的指标由居委会按月填报，"
           "街道审核后计入。")))

config_table(ConfigTable(
    "targets-sheets", ScoreSheet, _("指标与考核"),
    fields=["name", "description", "use", "pass_line", "deduct_from_total", "is_active"],
    columns=["name", "use", "pass_line", "deduct_from_total", "is_active"],
    search=["name"], filters=["use", "is_active"], order=71,
    children=[ChildTable(SheetSection, ["part", "title", "order"], label=_("评分项目"))],
    help=_("评分表的评分项目分基本分和特色分；评分细则（分值、评分方法）在评分项目下维护。用途为“大联动督查”的表用于"
           "督查考评，“受理员月度考核”的表按数据计算受理员的月度得分。")))

config_table(ConfigTable(
    "targets-sheet-items", SheetItem, _("指标与考核"),
    fields=["section", "title", "requirement", "max_points", "rule", "deduction", "measure", "order"],
    columns=["section", "title", "max_points", "rule", "deduction", "measure"], search=["title"],
    filters=["rule", "measure"], order=72,
    help=_("评分方法：按分值打分、每发现一次扣分（填写每次扣分）、符合得满分不符合不得分。取数口径：按数据计分的细则由"
           "系统统计发现次数。")))
