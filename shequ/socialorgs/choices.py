from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    """The four kinds a 社会组织 is registered (or filed) as."""

    ASSOCIATION = "association", _("社会团体")
    PRIVATE_NONPROFIT = "nonprofit", _("民办非企业单位")
    FOUNDATION = "foundation", _("基金会")
    COMMUNITY = "community", _("备案的社区社会组织")


class Rating(models.TextChoices):
    """社会组织评估等级 (民政部令第39号): 5A to 1A, valid five years."""

    A5 = "5A", _("5A级")
    A4 = "4A", _("4A级")
    A3 = "3A", _("3A级")
    A2 = "2A", _("2A级")
    A1 = "1A", _("1A级")


class IncubationStatus(models.TextChoices):
    APPLIED = "applied", _("已申请")
    INCUBATING = "incubating", _("孵化中")
    REJECTED = "rejected", _("未入驻")
    GRADUATED = "graduated", _("已出壳")
    WITHDRAWN = "withdrawn", _("已退驻")


class IncubationAction(models.TextChoices):
    ADMIT = "admit", _("入驻评审通过")
    REJECT = "reject", _("入驻评审不通过")
    GRADUATE = "graduate", _("出壳")
    WITHDRAW = "withdraw", _("退驻")


class ProjectStatus(models.TextChoices):
    """A purchased-service project from the collected need to its appraisal (services.md §5.2)."""

    NEED = "need", _("需求立项")
    CALL = "call", _("公开征集")
    SCORING = "scoring", _("专家评审")
    AWARDED = "awarded", _("已确定承接方")
    CONTRACTED = "contracted", _("合同执行中")
    MIDTERM = "midterm", _("中期评估已完成")
    FINAL = "final", _("已结项")
    APPRAISED = "appraised", _("已完成绩效评价")
    TERMINATED = "terminated", _("已终止")


class ProjectAction(models.TextChoices):
    PUBLISH = "publish", _("发布征集公告")
    CLOSE_CALL = "close_call", _("截止征集，进入评审")
    AWARD = "award", _("确定承接方")
    SIGN = "sign", _("签订合同")
    MIDTERM = "midterm", _("中期评估")
    FINAL = "final", _("结项评估")
    APPRAISE = "appraise", _("绩效评价")
    TERMINATE = "terminate", _("终止项目")


class Milestone(models.TextChoices):
    """What an instalment of a contract waits for."""

    SIGNING = "signing", _("合同签订后")
    MIDTERM = "midterm", _("中期评估通过后")
    FINAL = "final", _("结项评估通过后")


class InstalmentStatus(models.TextChoices):
    PENDING = "pending", _("待拨付")
    RELEASED = "released", _("已拨付")
    HELD = "held", _("暂停拨付")


class AppraisalGrade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")


class ContributionKind(models.TextChoices):
    MONEY = "money", _("资金")
    VENUE = "venue", _("场地")
    GOODS = "goods", _("物资")
    SKILLS = "skills", _("技术与专业服务")
    VOLUNTEERS = "volunteers", _("志愿者")


class ClaimStatus(models.TextChoices):
    OPEN = "open", _("认领中")
    CLOSED = "closed", _("已结束")


class ClaimRequestStatus(models.TextChoices):
    """A claim submitted through the public form waits for the publishing unit's staff."""

    PENDING = "pending", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    DECLINED = "declined", _("未采纳")
