from django.db import models
from django.utils.translation import gettext_lazy as _


class InstitutionLevel(models.TextChoices):
    """The three levels of "1+1+1": the family doctor's 社区卫生服务中心, one district and one city hospital."""

    COMMUNITY = "community", _("社区卫生服务中心")
    DISTRICT = "district", _("区级医疗机构")
    CITY = "city", _("市级医疗机构")


class ContractStatus(models.TextChoices):
    ACTIVE = "active", _("在约")
    RENEWED = "renewed", _("已续约")
    SWITCHED = "switched", _("已改签")
    TERMINATED = "terminated", _("已解约")


class TerminateReason(models.TextChoices):
    RESIDENT_REQUEST = "request", _("居民申请解约")
    MOVED_AWAY = "moved", _("迁出本社区")
    DECEASED = "deceased", _("居民去世")
    EXPIRED = "expired", _("到期不再续约")
    OTHER = "other", _("其他原因")


class KeyGroup(models.TextChoices):
    """The groups whose coverage is followed (重点人群). 60+/80+ come from the birth date; the others are residents'
    tags in the registry (独居, 残疾, 慢病)."""

    ALL = "all", _("全体居民")
    AGE60 = "60+", _("60岁以上")
    AGE80 = "80+", _("80岁以上")
    LIVING_ALONE = "living_alone", _("独居")
    DISABLED = "disabled", _("残疾")
    CHRONIC = "chronic", _("慢病")


# The registry tag behind each tag-based group.
GROUP_TAGS = {KeyGroup.LIVING_ALONE: "living_alone", KeyGroup.DISABLED: "disabled", KeyGroup.CHRONIC: "chronic"}
GROUP_AGES = {KeyGroup.AGE60: 60, KeyGroup.AGE80: 80}

MIN_TERM_YEARS = 1
DUE_DAYS = 60  # the committee worker's renewal list looks this far ahead
