"""An outside evaluator's inspection of a department (社会监督评议), scored on a 大联动督查 sheet of the targets
module, and the weight each kind of evaluator carries in the department's composite assessment."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.models import Department, Node, User

from .choices import DisputeOutcome, EvaluationStatus, EvaluatorKind


class EvaluatorWeight(models.Model):
    """How much a kind of evaluator counts in a department's composite (部门综合考评), in points of 100. The rest
    is the grid's 综合指标值; a kind without a row, or without a published score in the period, counts nothing."""

    kind = models.CharField(_("评议人类别"), max_length=16, choices=EvaluatorKind.choices, unique=True)
    weight = models.DecimalField(_("权重（分）"), max_digits=5, decimal_places=2,
                                 validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
                                 help_text=_("占部门综合考评100分中的分值；各类合计不超过100分。"))
    note = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("社会监督评议权重")
        verbose_name_plural = _("社会监督评议权重")
        ordering = ["kind"]

    def __str__(self):
        return self.get_kind_display()

    def clean(self):
        if self.weight is None:
            return
        others = EvaluatorWeight.objects.exclude(pk=self.pk).exclude(kind=self.kind).aggregate(
            s=models.Sum("weight"))["s"] or Decimal(0)
        if others + self.weight > 100:
            raise ValidationError({"weight": _("各类评议权重合计不能超过100分（其他类别已占%(n)s分）。") % {
                "n": f"{others.normalize():f}"}})


class Evaluation(models.Model):
    """One inspection by an outside evaluator: scheduled, carried out on the sheet (marks, notes, photos) and
    published to the department, which may dispute it once; the 综管委办 answers the dispute."""

    kind = models.CharField(_("评议人类别"), max_length=16, choices=EvaluatorKind.choices)
    evaluator = models.ForeignKey(User, verbose_name=_("评议人"), on_delete=models.PROTECT, related_name="+")
    sheet = models.ForeignKey("targets.ScoreSheet", verbose_name=_("评分表"), on_delete=models.PROTECT,
                              related_name="+")
    department = models.ForeignKey(Department, verbose_name=_("被测评部门"), on_delete=models.PROTECT,
                                   related_name="+")
    node = models.ForeignKey(Node, verbose_name=_("街道"), on_delete=models.PROTECT, related_name="+")
    topic = models.CharField(_("测评事项"), max_length=100)
    place = models.CharField(_("测评地点"), max_length=100)
    scheduled_for = models.DateField(_("计划日期"))
    scheduled_by = models.ForeignKey(User, verbose_name=_("安排人"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=16, choices=EvaluationStatus.choices,
                              default=EvaluationStatus.SCHEDULED)
    total = models.DecimalField(_("得分"), max_digits=6, decimal_places=1, null=True, blank=True)
    full = models.DecimalField(_("满分"), max_digits=6, decimal_places=1, null=True, blank=True)
    note = models.CharField(_("评议意见"), max_length=500, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    original_total = models.DecimalField(_("原得分"), max_digits=6, decimal_places=1, null=True, blank=True)
    dispute_reason = models.CharField(_("申诉理由"), max_length=500, blank=True)
    disputed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    disputed_at = models.DateTimeField(_("申诉时间"), null=True, blank=True)
    dispute_outcome = models.CharField(_("申诉结果"), max_length=16, choices=DisputeOutcome.choices, blank=True,
                                       default=DisputeOutcome.NONE)
    dispute_answer = models.CharField(_("答复意见"), max_length=500, blank=True)
    answered_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("社会监督评议")
        verbose_name_plural = _("社会监督评议")
        ordering = ["-scheduled_for", "-id"]
        indexes = [models.Index(fields=["department", "status", "scheduled_for"], name="evaluators_dept_status"),
                   models.Index(fields=["evaluator", "status"], name="evaluators_evaluator_status")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.department.name}"

    @property
    def rate(self) -> Decimal | None:
        """The score as a percentage of the sheet's full points (0–100)."""
        if self.total is None or not self.full:
            return None
        return (self.total * 100 / self.full).quantize(Decimal("0.1"))


class EvaluationScore(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="scores")
    sheet_item = models.ForeignKey("targets.SheetItem", on_delete=models.PROTECT, related_name="+")
    mark = models.DecimalField(_("评分"), max_digits=7, decimal_places=2)
    points = models.DecimalField(_("得分"), max_digits=5, decimal_places=1)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["sheet_item__section__order", "sheet_item__order", "sheet_item_id"]
        constraints = [models.UniqueConstraint(fields=["evaluation", "sheet_item"],
                                               name="evaluators_score_sheet_item")]


class EvaluationPhoto(models.Model):
    """A photo taken during the inspection, re-encoded without its EXIF (the grid's photo rules)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to="evaluators/%Y/%m/")
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField(default=0)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
