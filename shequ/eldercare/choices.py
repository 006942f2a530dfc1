from django.db import models
from django.utils.translation import gettext_lazy as _


class Meal(models.TextChoices):
    BREAKFAST = "breakfast", _("早餐")
    LUNCH = "lunch", _("午餐")
    DINNER = "dinner", _("晚餐")


MEAL_ORDER = {Meal.BREAKFAST: 0, Meal.LUNCH: 1, Meal.DINNER: 2}


class MealMode(models.TextChoices):
    DINE_IN = "dine_in", _("堂食")
    DELIVERY = "delivery", _("送餐")


class OrderStatus(models.TextChoices):
    ACTIVE = "active", _("有效")
    CANCELLED = "cancelled", _("已取消")


class OrderChannel(models.TextChoices):
    SELF = "self", _("本人下单")
    RELATIVE = "relative", _("家属代订")
    COMMITTEE = "committee", _("居委代订")
    STAFF = "staff", _("街道代订")
    HOTLINE = "hotline", _("热线代订")


class CanteenKind(models.TextChoices):
    CANTEEN = "canteen", _("长者食堂")
    MEAL_POINT = "meal_point", _("助餐点")


class TierTag(models.TextChoices):
    NONE = "", _("不限")
    DIBAO = "dibao", _("低保")
    DISABLED = "disabled", _("残疾")


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", _("在册")
    ENDED = "ended", _("已退出")


class SettlementStatus(models.TextChoices):
    DRAFT = "draft", _("待审核")
    APPROVED = "approved", _("已审核")
    PAID = "paid", _("已拨付")


class CareGrade(models.IntegerChoices):
    """老年照护等级 (Shanghai's unified elder-care needs assessment), 1 (lightest) to 6."""

    G1 = 1, _("照护一级")
    G2 = 2, _("照护二级")
    G3 = 3, _("照护三级")
    G4 = 4, _("照护四级")
    G5 = 5, _("照护五级")
    G6 = 6, _("照护六级")


class IncidentKind(models.TextChoices):
    FALL = "fall", _("跌倒")
    ILLNESS = "illness", _("突发不适")
    WANDERING = "wandering", _("走失")
    CONFLICT = "conflict", _("纠纷")
    OTHER = "other", _("其他")


class ApplicationStatus(models.TextChoices):
    APPLIED = "applied", _("已申请")
    ASSESSED = "assessed", _("已评估")
    WAITING = "waiting", _("轮候中")
    ADMITTED = "admitted", _("已入住")
    WITHDRAWN = "withdrawn", _("已撤回")


class BedStatus(models.TextChoices):
    FREE = "free", _("空闲")
    OCCUPIED = "occupied", _("已入住")
    CLOSED = "closed", _("停用")
