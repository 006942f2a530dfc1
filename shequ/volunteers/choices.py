from django.db import models
from django.utils.translation import gettext_lazy as _


class TeamKind(models.TextChoices):
    """"3+1+X": three standing teams of the 街道, one brand team per committee, any number of skill teams."""

    STANDING = "standing", _("常设队伍")
    BRAND = "brand", _("品牌队伍")
    SKILL = "skill", _("技能队伍")


class ActivityStatus(models.TextChoices):
    PUBLISHED = "published", _("报名中")
    CANCELLED = "cancelled", _("已取消")


class SignupStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("已报名")
    WAITLISTED = "waitlisted", _("候补")
    CANCELLED = "cancelled", _("已取消")


ACTIVE_SIGNUP = (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)


class RecordStatus(models.TextChoices):
    """A service record (服务记录): open between check-in and check-out, then waiting for the organiser."""

    OPEN = "open", _("已签到")
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已认定")
    REJECTED = "rejected", _("未认定")
    SUPERSEDED = "superseded", _("已更正")


class NoticeStatus(models.TextChoices):
    NOTICE = "notice", _("公示中")
    GRANTED = "granted", _("已授予")
    WITHDRAWN = "withdrawn", _("已撤回")


STAR_LABELS = {0: _("未评星"), 1: _("一星志愿者"), 2: _("二星志愿者"), 3: _("三星志愿者"), 4: _("四星志愿者"),
               5: _("五星志愿者")}
