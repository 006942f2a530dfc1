"""The charity supermarket's configuration table (系统配置): who is eligible and their monthly allowance."""

from django.utils.translation import gettext_lazy as _

from shequ.core.config import ConfigTable, config_table

from .models import EligibilityRule

config_table(ConfigTable(
    "charity-eligibility", EligibilityRule, _("慈善超市"),
    fields=["name", "tag_code", "monthly_points", "sort_order", "is_active"],
    columns=["name", "tag_code", "monthly_points", "is_active"],
    search=["name", "tag_code"], filters=["is_active"], order=60,
    help=_("救助对象：户内有成员带该人员标签即可在慈善超市领取物资，每户每月不超过额度积分；"
           "符合多个类别的取最高额度。")))
