from django.db import models
from django.utils.translation import gettext_lazy as _


class CallCategory(models.TextChoices):
    HOUSEHOLD = "household", _("生活服务")
    ELDERLY = "elderly", _("为老服务")
    POLICY = "policy", _("政策咨询")
    ENVIRONMENT = "environment", _("环境市容")
    HOUSING = "housing", _("房屋修缮")
    NEIGHBOUR = "neighbour", _("邻里纠纷")
    VENUE = "venue", _("场地活动")
    OTHER = "other", _("其他")


class Outcome(models.TextChoices):
    """What became of a call. A room booking and a meal order are placed through the facilities' and the elderly
    meals' own services (`booking_id` / `meal_order_id` keep the link)."""

    ANSWERED = "answered", _("当场解答")
    GRID_CASE = "grid_case", _("转网格案件")
    CONSULTATION = "consultation", _("受理中心事项告知")
    DAY_CARE = "day_care", _("日托咨询转介")
    BOOKING = "booking", _("场地预约")
    MEAL = "meal", _("助餐订餐")


OFFERED_OUTCOMES = list(Outcome)


class CallStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    HANDLED = "handled", _("已办理")
    CALLBACK = "callback", _("待回访")
    CLOSED = "closed", _("已办结")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


# action -> (source statuses, target status)
TRANSITIONS = {
    "route": ({CallStatus.OPEN}, CallStatus.HANDLED),
    "schedule_callback": ({CallStatus.HANDLED, CallStatus.CALLBACK}, CallStatus.CALLBACK),
    "callback_done": ({CallStatus.CALLBACK}, CallStatus.CLOSED),
    "callback_missed": ({CallStatus.CALLBACK}, CallStatus.CALLBACK),
    "close": ({CallStatus.HANDLED}, CallStatus.CLOSED),
}

ACTION_LABELS = {"log": _("登记来电"), "route": _("办理"), "schedule_callback": _("预约回访"),
                 "callback_missed": _("回访未接通"), "callback_done": _("回访完成"), "close": _("办结")}
