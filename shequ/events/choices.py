from django.db import models
from django.utils.translation import gettext_lazy as _


class EventStatus(models.TextChoices):
    OPEN = "open", _("报名中")
    CANCELLED = "cancelled", _("已取消")


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("已报名")
    WAITLISTED = "waitlisted", _("候补")
    ATTENDED = "attended", _("已签到")
    CANCELLED = "cancelled", _("已取消")


class RegistrationAction(models.TextChoices):
    CHECK_IN = "check_in", _("签到")
    CANCEL = "cancel", _("取消报名")


# Places taken: a cancelled registration frees its place, a waitlisted one holds none.
HOLDS_PLACE = (RegistrationStatus.REGISTERED, RegistrationStatus.ATTENDED)
