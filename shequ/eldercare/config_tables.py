"""为老服务's configuration tables (系统配置): the meal subsidy tiers, the canteens and their delivery routes."""

from django.utils.translation import gettext_lazy as _

from shequ.core.config import ConfigTable, config_table

from .models import Canteen, DeliveryRoute, MealTier

S = _("为老服务")

config_table(
    ConfigTable(
        "meal-tiers", MealTier, S,
        fields=["name", "min_age", "max_age", "tag", "shanghai_hukou_only", "discount_percent", "subsidy",
                "subsidy_threshold", "dine_in_only", "sort_order", "is_active"],
        columns=["name", "min_age", "max_age", "tag", "discount_percent", "subsidy", "subsidy_threshold",
                 "is_active"],
        search=["name"], filters=["tag", "is_active"], order=60,
        help=_("助餐折扣与补贴档次。订单按下单时的档次计算并保存，修改档次不影响已下的订单。默认值取自普陀区"
               "2025年12月公布的标准：60–79岁九折、80岁以上八五折；本市户籍堂食另补：低保5元（满8元）、"
               "60–79岁2元（满15元）、80岁以上3元（满15元），每人每天一次。")),
    ConfigTable(
        "canteens", Canteen, S,
        fields=["facility", "kind", "kitchen", "breakfast_price", "lunch_price", "dinner_price", "cutoff_time",
                "cutoff_days_before", "is_active"],
        columns=["facility", "kind", "lunch_price", "cutoff_time", "cutoff_days_before", "is_active"],
        filters=["kind", "is_active"], order=61,
        help=_("长者食堂和助餐点：各餐价格（空表示不供应）与订餐截止时间（用餐日前若干天的某时刻之前）。")),
    ConfigTable(
        "delivery-routes", DeliveryRoute, S, fields=["canteen", "name", "sort_order"],
        columns=["name", "canteen", "sort_order"], search=["name"], order=62,
        help=_("送餐线路：送餐名单按线路分组。")),
)
