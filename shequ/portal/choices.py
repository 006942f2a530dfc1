from django.db import models
from django.utils.translation import gettext_lazy as _

from shequ.people.choices import Relation


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("已预约")
    CANCELLED = "cancelled", _("已取消")
    CHECKED_IN = "checked_in", _("已签到取号")
    NO_SHOW = "no_show", _("未到（爽约）")


# action → (allowed source statuses, target status)
APPOINTMENT_TRANSITIONS = {
    "cancel": ((AppointmentStatus.BOOKED,), AppointmentStatus.CANCELLED),
    "check_in": ((AppointmentStatus.BOOKED,), AppointmentStatus.CHECKED_IN),
    "no_show": ((AppointmentStatus.BOOKED,), AppointmentStatus.NO_SHOW),
}


class CodePurpose(models.TextChoices):
    SIGNUP = "signup", _("注册")


class ReportRating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


# 代办: relations are recorded to the head of household; for each of mine, the members' relations that make them my
# spouse, parent, child or grandparent. Siblings and "other" lodgers never act for each other.
ACTS_FOR = {
    Relation.HEAD: {Relation.SPOUSE, Relation.CHILD, Relation.PARENT, Relation.GRANDCHILD},
    Relation.SPOUSE: {Relation.HEAD, Relation.CHILD, Relation.PARENT, Relation.GRANDCHILD},
    Relation.CHILD: {Relation.HEAD, Relation.SPOUSE, Relation.GRANDCHILD},
    Relation.PARENT: {Relation.HEAD},
    Relation.GRANDCHILD: {Relation.HEAD, Relation.SPOUSE},
}

CONSENT_VERSION = "2026-12"
