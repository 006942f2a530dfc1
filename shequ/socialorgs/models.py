"""社会组织 and 三社联动: the registry of social organisations, incubation at the 社会组织服务中心, government purchase
of services (need → call → proposals → expert scoring → award → contract and instalments → reviews → appraisal)
and the claiming (认领) of community service projects by partner units and companies."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.crypto import EncryptedCharField
from shequ.core.models import Node
from shequ.core.scoring import Combination
from shequ.core.text import pinyin_key

from .choices import (AppraisalGrade, ClaimRequestStatus, ClaimStatus, ContributionKind, IncubationStatus, InstalmentStatus, Milestone,
                      OrgKind, ProjectStatus, Rating)

USER = settings.AUTH_USER_MODEL


class Organisation(models.Model):
    # The 街道 whose registry holds it: its staff see it, a committee worker sees those serving his committee.
    node = models.ForeignKey(Node, verbose_name=_("所属街道"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("名称"), max_length=80, unique=True)
    name_pinyin = models.CharField(max_length=160, blank=True, editable=False, db_index=True)
    kind = models.CharField(_("类型"), max_length=16, choices=OrgKind.choices)
    registration_number = models.CharField(_("登记证号/统一社会信用代码"), max_length=32, blank=True)
    rating = models.CharField(_("评估等级"), max_length=2, choices=Rating.choices, blank=True)
    rating_valid_until = models.DateField(_("等级有效期至"), null=True, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=32, blank=True)
    contact_phone = EncryptedCharField(_("联系电话"), blank=True)
    contact_phone_masked = models.CharField(_("联系电话"), max_length=20, blank=True, editable=False)
    committees = models.ManyToManyField(Node, verbose_name=_("服务的居委会"), blank=True, related_name="+")
    description = models.TextField(_("简介"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("社会组织")
        verbose_name_plural = _("社会组织")
        ordering = ["name_pinyin", "id"]
        constraints = [models.UniqueConstraint(fields=["registration_number"], condition=~Q(registration_number=""),
                                               name="so_org_regno_unique")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_pinyin = pinyin_key(self.name)
        super().save(*args, **kwargs)

    def rating_current(self, today=None) -> str:
        """The grade while it is valid, else "" (an expired grade gives no priority)."""
        today = today or timezone.localdate()
        if self.rating and self.rating_valid_until and self.rating_valid_until >= today:
            return self.rating
        return ""


class Document(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("文件名称"), max_length=80)
    file = models.FileField(upload_to="socialorgs/%Y/%m/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("社会组织文件")
        verbose_name_plural = _("社会组织文件")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return self.title


class Incubation(models.Model):
    """A stay at the 社会组织服务中心: application → entry review (入壳) → incubating → graduated (出壳) or
    withdrawn (退驻)."""

    organisation = models.ForeignKey(Organisation, verbose_name=_("社会组织"), on_delete=models.PROTECT,
                                     related_name="incubations")
    status = models.CharField(_("状态"), max_length=12, choices=IncubationStatus.choices,
                              default=IncubationStatus.APPLIED, db_index=True)
    applied_on = models.DateField(_("申请日期"))
    plan = models.TextField(_("入驻申请说明"), blank=True)
    reviewed_on = models.DateField(_("入驻评审日期"), null=True, blank=True)
    review_note = models.CharField(_("评审意见"), max_length=300, blank=True)
    mentor = models.CharField(_("导师"), max_length=32, blank=True)
    ended_on = models.DateField(_("出壳/退驻日期"), null=True, blank=True)
    end_reason = models.CharField(_("出壳/退驻原因"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("孵化")
        verbose_name_plural = _("孵化")
        ordering = ["-applied_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["organisation"],
                                               condition=Q(status__in=["applied", "incubating"]),
                                               name="so_incubation_one_open")]

    def __str__(self):
        return f"{self.organisation.name} · {self.get_status_display()}"

    @property
    def number(self) -> str:
        return f"FH{self.pk:05d}"


class IncubationMilestone(models.Model):
    incubation = models.ForeignKey(Incubation, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("节点"), max_length=80)
    due_on = models.DateField(_("计划完成"))
    done_on = models.DateField(_("实际完成"), null=True, blank=True)

    class Meta:
        verbose_name = _("孵化节点")
        verbose_name_plural = _("孵化节点")
        ordering = ["due_on", "id"]


class Project(models.Model):
    """A government purchase of services (政府购买服务项目)."""

    node = models.ForeignKey(Node, verbose_name=_("购买主体"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("项目名称"), max_length=80)
    category = models.CharField(_("服务类别"), max_length=32)
    need = models.TextField(_("需求说明"))
    budget = models.DecimalField(_("预算（元）"), max_digits=12, decimal_places=2)
    status = models.CharField(_("状态"), max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.NEED,
                              db_index=True)
    combination = models.CharField(_("评分规则"), max_length=10, choices=Combination.choices,
                                   default=Combination.TRIMMED_MEAN)
    call_deadline = models.DateField(_("征集截止"), null=True, blank=True)
    experts = models.ManyToManyField(USER, verbose_name=_("评审专家"), blank=True, related_name="+")
    awarded = models.ForeignKey("Proposal", verbose_name=_("承接方案"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    appraisal_grade = models.CharField(_("绩效评价等级"), max_length=10, choices=AppraisalGrade.choices, blank=True)
    appraisal_score = models.DecimalField(_("绩效评价得分"), max_digits=5, decimal_places=2, null=True, blank=True)
    appraisal_note = models.TextField(_("绩效评价意见"), blank=True)
    appraised_on = models.DateField(_("评价日期"), null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("政府购买服务项目")
        verbose_name_plural = _("政府购买服务项目")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["node", "status"], name="so_project_node_status")]

    def __str__(self):
        return self.title

    @property
    def number(self) -> str:
        return f"GM{self.pk:05d}"


class Proposal(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="proposals")
    organisation = models.ForeignKey(Organisation, verbose_name=_("申报组织"), on_delete=models.PROTECT,
                                     related_name="proposals")
    summary = models.TextField(_("方案概要"))
    budget = models.DecimalField(_("申报金额（元）"), max_digits=12, decimal_places=2)
    result = models.DecimalField(_("评审得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("申报方案")
        verbose_name_plural = _("申报方案")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["project", "organisation"], name="so_proposal_unique")]

    def __str__(self):
        return f"{self.organisation.name} · {self.project.title}"


class Score(models.Model):
    """One expert's score of one proposal, given alone: no expert sees another's before the panel closes."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="scores")
    expert = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("评分"), max_digits=5, decimal_places=2)
    comment = models.CharField(_("评审意见"), max_length=300, blank=True)
    scored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("专家评分")
        verbose_name_plural = _("专家评分")
        constraints = [models.UniqueConstraint(fields=["proposal", "expert"], name="so_score_unique"),
                       models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=100), name="so_score_range")]


class Contract(models.Model):
    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="contract")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="contracts")
    amount = models.DecimalField(_("合同金额（元）"), max_digits=12, decimal_places=2)
    signed_on = models.DateField(_("签订日期"))
    starts_on = models.DateField(_("服务开始"))
    ends_on = models.DateField(_("服务结束"))

    class Meta:
        verbose_name = _("服务合同")
        verbose_name_plural = _("服务合同")


class Instalment(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="instalments")
    seq = models.PositiveSmallIntegerField(_("期次"))
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    milestone = models.CharField(_("拨付条件"), max_length=10, choices=Milestone.choices)
    status = models.CharField(_("状态"), max_length=10, choices=InstalmentStatus.choices,
                              default=InstalmentStatus.PENDING)
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    reason = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("拨付批次")
        verbose_name_plural = _("拨付批次")
        ordering = ["contract", "seq"]
        constraints = [models.UniqueConstraint(fields=["contract", "seq"], name="so_instalment_seq")]


class Review(models.Model):
    """A mid-term or final (结项) evaluation: a pass releases the instalments waiting for it, a fail holds them."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reviews")
    milestone = models.CharField(_("评估"), max_length=10, choices=Milestone.choices)
    passed = models.BooleanField(_("通过"))
    reviewed_on = models.DateField(_("评估日期"))
    note = models.CharField(_("评估意见"), max_length=500)
    reviewer = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("项目评估")
        verbose_name_plural = _("项目评估")
        ordering = ["reviewed_on", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "milestone"], name="so_review_unique")]


class ClaimProject(models.Model):
    """A community service project (需求清单) published for partner units and companies to claim."""

    node = models.ForeignKey(Node, verbose_name=_("发布单位"), on_delete=models.PROTECT, related_name="+")
    event = models.CharField(_("所属活动"), max_length=64, blank=True)
    title = models.CharField(_("项目名称"), max_length=64)
    description = models.TextField(_("项目内容"))
    needs = models.CharField(_("需要的支持"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=ClaimStatus.choices, default=ClaimStatus.OPEN)
    published_on = models.DateField(_("发布日期"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("认领项目")
        verbose_name_plural = _("认领项目")
        ordering = ["-published_on", "id"]

    def __str__(self):
        return self.title


class Claim(models.Model):
    project = models.ForeignKey(ClaimProject, on_delete=models.CASCADE, related_name="claims")
    claimant = models.CharField(_("认领单位"), max_length=64)
    contact_name = models.CharField(_("联系人"), max_length=32, blank=True)
    contact_phone = EncryptedCharField(_("联系电话"), blank=True)
    contact_phone_masked = models.CharField(_("联系电话"), max_length=20, blank=True, editable=False)
    # Named on the public thank-you list only with the unit's consent.
    thank_publicly = models.BooleanField(_("同意公开致谢"), default=True)
    claimed_on = models.DateField(_("认领日期"))
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("认领")
        verbose_name_plural = _("认领")
        ordering = ["claimed_on", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "claimant"], name="so_claim_unique")]

    def __str__(self):
        return f"{self.claimant} · {self.project.title}"


class Contribution(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="contributions")
    kind = models.CharField(_("类型"), max_length=12, choices=ContributionKind.choices)
    description = models.CharField(_("内容"), max_length=200)
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("认领贡献")
        verbose_name_plural = _("认领贡献")
        ordering = ["id"]


class ClaimActivity(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="activities")
    title = models.CharField(_("活动名称"), max_length=64)
    held_on = models.DateField(_("活动日期"))
    participants = models.PositiveIntegerField(_("参与人数"))

    class Meta:
        verbose_name = _("认领活动")
        verbose_name_plural = _("认领活动")
        ordering = ["held_on", "id"]


class ClaimRequest(models.Model):
    """A claim submitted by a unit or company through the public claim form (认领申请): recorded as pending, it
    becomes a `Claim` only when the publishing unit's staff confirm it (or is declined with a reason)."""

    project = models.ForeignKey(ClaimProject, on_delete=models.CASCADE, related_name="requests")
    claimant = models.CharField(_("认领单位"), max_length=64)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=32)
    contact_phone = EncryptedCharField(_("联系电话"))
    contact_phone_masked = models.CharField(_("联系电话"), max_length=20, editable=False)
    contributions = models.JSONField(_("认领内容"), default=list)
    thank_publicly = models.BooleanField(_("同意公开致谢"), default=True)
    note = models.CharField(_("留言"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=ClaimRequestStatus.choices,
                              default=ClaimRequestStatus.PENDING)
    submitted_at = models.DateTimeField(default=timezone.now, editable=False)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("理由"), max_length=200, blank=True)
    claim = models.OneToOneField(Claim, null=True, blank=True, on_delete=models.PROTECT, related_name="request")

    class Meta:
        verbose_name = _("认领申请")
        verbose_name_plural = _("认领申请")
        ordering = ["submitted_at", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "claimant"], name="so_claim_request_pending",
                                               condition=Q(status="pending"))]
        indexes = [models.Index(fields=["project", "status"], name="so_claim_request_project")]

    def __str__(self):
        return f"{self.claimant} · {self.project.title}"

    @property
    def number(self) -> str:
        return f"RL{self.pk:06d}"
