"""Statuses and kinds of the targets module (指标与考核)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodKind(models.TextChoices):
    YEAR = "year", _("年度")
    PLAN = "plan", _("三年计划")


class Direction(models.TextChoices):
    HIGHER = "higher", _("越高越好")
    LOWER = "lower", _("越低越好")


class Source(models.TextChoices):
    COMPUTED = "computed", _("系统计算")
    ENTERED = "entered", _("填报")


class Combine(models.TextChoices):
    """How the committees' entered values make the 街道's figure."""

    SUM = "sum", _("各居委会合计")
    MEAN = "mean", _("各居委会平均")


class EntryStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("已退回")


class EntryAction(models.TextChoices):
    APPROVE = "approve", _("审核通过")
    REJECT = "reject", _("退回")


class EcoKind(models.TextChoices):
    ECO = "eco", _("生态文明户")
    LOW_CARBON = "low_carbon", _("低碳之家")


class EcoStatus(models.TextChoices):
    APPLIED = "applied", _("待认定")
    CERTIFIED = "certified", _("已认定")
    REJECTED = "rejected", _("未通过")
    REVOKED = "revoked", _("已撤销")


class EcoAction(models.TextChoices):
    CERTIFY = "certify", _("认定")
    REJECT = "reject", _("不予认定")
    REVOKE = "revoke", _("撤销认定")


class Part(models.TextChoices):
    BASE = "base", _("基本分")
    FEATURE = "feature", _("特色分")


class Rule(models.TextChoices):
    POINTS = "points", _("按分值打分")
    DEDUCTION = "deduction", _("每发现一次扣分")
    YES_NO = "yesno", _("符合得满分，不符合不得分")


class SheetUse(models.TextChoices):
    """What a sheet is for: a panel's assessment, a 大联动 supervision round, the acceptance clerks' month."""
    ASSESSMENT = "", _("考核评审")
    INSPECT_DEPARTMENT = "inspect_dept", _("大联动督查·职能部门")
    INSPECT_AREA = "inspect_area", _("大联动督查·居民区")
    CLERK_MONTH = "clerk_month", _("受理员月度考核")


class Measure(models.TextChoices):
    """Where an item's occurrences come from when the sheet is scored from data instead of by an expert."""
    NONE = "", _("评分人打分")
    OVERDUE = "acceptance.overdue", _("超期未办结办件数（截至统计日仍在办且已过承诺期限）")
    POOR = "acceptance.poor", _("差评数（申诉成立的不计）")
    ABSENT = "acceptance.absent", _("排班未到岗半天数（排班的半天内无叫号记录）")
    NOTICE_ERROR = "acceptance.notice_error", _("一次告知差错数（受理后被部门退回补正的办件）")


class SubjectKind(models.TextChoices):
    PILOT = "pilot", _("试点项目")
    DEPARTMENT = "department", _("部门")
    COMMITTEE = "committee", _("居委会")
    STAFF = "staff", _("工作人员")
    PROJECT = "project", _("购买服务项目")


class AssessmentStatus(models.TextChoices):
    SCORING = "scoring", _("评分中")
    SIGNED = "signed", _("已签发")


class AssessmentAction(models.TextChoices):
    SIGN = "sign", _("签发结果")


LIGHTS = ("green", "yellow", "red", "none")
