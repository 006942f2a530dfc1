from django.db import models
from django.utils.translation import gettext_lazy as _


class FacilityLevel(models.TextChoices):
    """The "1+4+13" network and the places that hang off it."""

    CULTURE_CENTRE = "culture_centre", _("社区文化活动中心")
    NEIGHBOURHOOD_CENTRE = "neighbourhood_centre", _("睦邻中心")
    NEIGHBOURHOOD_POINT = "neighbourhood_point", _("睦邻点")
    CARE_HOME = "care_home", _("敬老院")
    CANTEEN = "canteen", _("长者食堂")
    DAY_CARE = "day_care", _("日间照料中心")
    HEALTH_CENTRE = "health_centre", _("社区卫生服务中心")
    OTHER = "other", _("其他设施")


class Weekday(models.IntegerChoices):
    MON = 0, _("星期一")
    TUE = 1, _("星期二")
    WED = 2, _("星期三")
    THU = 3, _("星期四")
    FRI = 4, _("星期五")
    SAT = 5, _("星期六")
    SUN = 6, _("星期日")


class BookingStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已预约")
    REJECTED = "rejected", _("未通过")
    CANCELLED = "cancelled", _("已取消")
    CHECKED_IN = "checked_in", _("已签到")
    NO_SHOW = "no_show", _("未到场")


# The statuses that hold the room: a pending request blocks the slot as much as an approved one. The PostgreSQL
# exclusion constraint (migration 0002) lists the same values; change both together.
ACTIVE_STATUSES = (BookingStatus.PENDING, BookingStatus.APPROVED, BookingStatus.CHECKED_IN)


class BookingAction(models.TextChoices):
    APPROVE = "approve", _("批准")
    REJECT = "reject", _("不批准")
    CANCEL = "cancel", _("取消预约")
    CHECK_IN = "check_in", _("签到")
    NO_SHOW = "no_show", _("记为未到场")


class AgeGroup(models.TextChoices):
    """Who the booking is mainly for: the usage report counts hours per group."""

    CHILDREN = "children", _("少儿")
    YOUTH = "youth", _("青少年")
    ADULTS = "adults", _("中青年")
    ELDERS = "elders", _("老年人")
    MIXED = "mixed", _("不限年龄")
