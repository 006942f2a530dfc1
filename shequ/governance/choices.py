from django.db import models
from django.utils.translation import gettext_lazy as _


class CommitteeKind(models.TextChoices):
    URBAN = "urban", _("城区综合管理委员会")
    SECURITY = "security", _("综治委")
    OTHER = "other", _("其他议事机构")


class TaskStatus(models.TextChoices):
    ASSIGNED = "assigned", _("已交办")
    IN_PROGRESS = "in_progress", _("办理中")
    CLOSED = "closed", _("已办结")


class TaskAction(models.TextChoices):
    START = "start", _("开始办理")
    NOTE = "note", _("记录进展")
    CLOSE = "close", _("办结（上传佐证）")
    REOPEN = "reopen", _("退回重办")


OPEN_TASK = (TaskStatus.ASSIGNED, TaskStatus.IN_PROGRESS)


class ProblemStatus(models.TextChoices):
    OPEN = "open", _("待整治")
    CAMPAIGN = "campaign", _("专项整治中")
    CONSOLIDATING = "consolidating", _("巩固提升")
    CLOSED = "closed", _("已销项")


class ProblemAction(models.TextChoices):
    LAUNCH = "launch", _("启动专项整治")
    CONSOLIDATE = "consolidate", _("转入巩固")
    RELAPSE = "relapse", _("反弹，重新整治")
    CLOSE = "close", _("销项")


class LinkKind(models.TextChoices):
    CASE = "case", _("网格案件")
    HOTLINE = "hotline", _("12345工单")
