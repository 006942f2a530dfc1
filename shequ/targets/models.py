"""指标与考核: targets whose actual value is computed live from another module or entered per committee with
evidence and approved; the eco households (生态文明户, 低碳之家) the eco-household target counts; scoring sheets
(templates of sections and items) and the assessments a panel of experts scores with them."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.models import private_storage
from shequ.core.scoring import Combination
from shequ.core.text import pinyin_key

from .choices import (AssessmentStatus, Combine, Direction, EcoKind, EcoStatus, EntryStatus, Measure, Part, PeriodKind,
                      Rule, SheetUse, Source, SubjectKind)

USER = settings.AUTH_USER_MODEL
POINTS = dict(max_digits=7, decimal_places=2)


class Indicator(models.Model):
    """A target of a 街道: baseline, target, unit, period, direction, and where its actual value comes from."""

    node = models.ForeignKey("core.Node", verbose_name=_("所属街道"), on_delete=models.PROTECT, related_name="+")
    code = models.SlugField(_("指标代码"), max_length=48)
    name = models.CharField(_("指标名称"), max_length=64)
    group = models.CharField(_("指标组"), max_length=32, blank=True, help_text=_("如“低碳延吉”“两下降两提高”。"))
    unit = models.CharField(_("单位"), max_length=8)
    baseline = models.DecimalField(_("基线值"), max_digits=12, decimal_places=2, null=True, blank=True)
    target = models.DecimalField(_("目标值"), max_digits=12, decimal_places=2)
    period_kind = models.CharField(_("周期"), max_length=8, choices=PeriodKind.choices, default=PeriodKind.YEAR)
    start_year = models.PositiveSmallIntegerField(_("起始年份"), validators=[MinValueValidator(2000),
                                                                         MaxValueValidator(2100)])
    end_year = models.PositiveSmallIntegerField(_("截止年份"), validators=[MinValueValidator(2000),
                                                                       MaxValueValidator(2100)])
    direction = models.CharField(_("方向"), max_length=8, choices=Direction.choices, default=Direction.HIGHER)
    owner_department = models.ForeignKey("core.Department", verbose_name=_("责任部门"), null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+")
    owner_name = models.CharField(_("责任科室"), max_length=32, blank=True)
    source = models.CharField(_("取数方式"), max_length=8, choices=Source.choices)
    computer = models.SlugField(_("计算口径"), max_length=48, blank=True,
                                help_text=_("系统计算的指标：登记的计算口径代码。"))
    combine = models.CharField(_("汇总方式"), max_length=8, choices=Combine.choices, default=Combine.SUM,
                               help_text=_("填报的指标：各居委会数值合计或平均。"))
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        ordering = ["node", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["node", "code"], name="targets_indicator_code_unique"),
            models.CheckConstraint(condition=models.Q(end_year__gte=models.F("start_year")),
                                   name="targets_indicator_period_order"),
        ]

    def __str__(self):
        return self.name

    @property
    def period_label(self) -> str:
        return str(self.start_year) if self.start_year == self.end_year else f"{self.start_year}-{self.end_year}"


class IndicatorEntry(models.Model):
    """填报: a committee's value of an entered indicator for one month, with its evidence, until approved."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="entries")
    committee = models.ForeignKey("core.Node", verbose_name=_("居委会"), on_delete=models.PROTECT, related_name="+")
    period = models.DateField(_("月份"), help_text=_("当月1日"))
    value = models.DecimalField(_("数值"), max_digits=12, decimal_places=2)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=EntryStatus.choices, default=EntryStatus.SUBMITTED)
    submitted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("退回理由"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("指标填报")
        verbose_name_plural = _("指标填报")
        ordering = ["-period", "id"]
        constraints = [models.UniqueConstraint(fields=["indicator", "committee", "period"],
                                               name="targets_entry_unique_period")]

    def __str__(self):
        return f"{self.indicator} · {self.period:%Y-%m}"

    @property
    def number(self) -> str:
        return f"{self.indicator.name}（{self.period.year}年{self.period.month}月）"


class Evidence(models.Model):
    """An evidence file of an entry or an assessment, kept in private storage and served through a scoped view."""

    entry = models.ForeignKey(IndicatorEntry, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="evidence")
    assessment = models.ForeignKey("Assessment", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="evidence")
    file = models.FileField(upload_to="targets/%Y/%m/", storage=private_storage)
    filename = models.CharField(_("文件名"), max_length=120)
    content_type = models.CharField(max_length=80)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["id"]
        constraints = [models.CheckConstraint(
            condition=models.Q(entry__isnull=False, assessment__isnull=True)
            | models.Q(entry__isnull=True, assessment__isnull=False), name="targets_evidence_one_owner")]

    def __str__(self):
        return self.filename


class Snapshot(models.Model):
    """A computed indicator's value on a day (the trend line): the 街道's figure (committee null) and each
    committee's, taken nightly."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="snapshots")
    committee = models.ForeignKey("core.Node", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    value = models.DecimalField(max_digits=12, decimal_places=2, null=True)

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "committee", "day"], name="targets_snapshot_unique"),
            models.UniqueConstraint(fields=["indicator", "day"], condition=models.Q(committee__isnull=True),
                                    name="targets_snapshot_unique_total"),
        ]


class EcoHousehold(models.Model):
    """生态文明户 / 低碳之家: a household a committee puts forward and the 街道 certifies."""

    committee = models.ForeignKey("core.Node", verbose_name=_("居委会"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类别"), max_length=12, choices=EcoKind.choices, default=EcoKind.ECO)
    name = models.CharField(_("家庭名称"), max_length=32, help_text=_("如“王秀英家庭”。"))
    name_pinyin = models.CharField(max_length=96, blank=True, editable=False)
    address = models.CharField(_("地址"), max_length=64)
    practices = models.CharField(_("低碳做法"), max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    status = models.CharField(_("状态"), max_length=12, choices=EcoStatus.choices, default=EcoStatus.APPLIED)
    certificate_no = models.CharField(_("证书编号"), max_length=24, blank=True)
    certified_on = models.DateField(_("认定日期"), null=True, blank=True)
    reason = models.CharField(_("理由"), max_length=200, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("生态文明户")
        verbose_name_plural = _("生态文明户")
        ordering = ["name_pinyin", "id"]
        indexes = [models.Index(fields=["status", "kind", "committee"], name="targets_eco_count")]
        constraints = [models.UniqueConstraint(fields=["certificate_no"], condition=~models.Q(certificate_no=""),
                                               name="targets_eco_certificate_unique")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_pinyin = pinyin_key(self.name)
        super().save(*args, **kwargs)

    @property
    def number(self) -> str:
        return self.certificate_no or self.name


class ScoreSheet(models.Model):
    """评分表: a template of sections and items with their points and rule, a base and a feature part, a pass line."""

    name = models.CharField(_("评分表名称"), max_length=64, unique=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    pass_line = models.DecimalField(_("合格线（基本分）"), **POINTS)
    use = models.CharField(_("用途"), max_length=16, choices=SheetUse.choices, default=SheetUse.ASSESSMENT, blank=True,
                           help_text=_("大联动督查的表在新建督查时可选；受理员月度考核只能有一张启用的表。"))
    deduct_from_total = models.BooleanField(
        _("扣分制（从总分扣）"), default=False,
        help_text=_("勾选后各项扣分合计从满分中扣除，不以单项分值为限，总分最低为0；不勾选则每项最低为0。"))
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("评分表")
        verbose_name_plural = _("评分表")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(
            fields=["use"], condition=models.Q(is_active=True, use="clerk_month"),
            name="targets_sheet_one_active_per_use",
            violation_error_message=_("该用途已有一张启用的评分表，请先停用原表。"))]

    def __str__(self):
        return self.name


class SheetSection(models.Model):
    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="sections")
    part = models.CharField(_("部分"), max_length=8, choices=Part.choices, default=Part.BASE)
    title = models.CharField(_("评分项目"), max_length=64)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("评分项目")
        verbose_name_plural = _("评分项目")
        ordering = ["sheet", "order", "id"]

    def __str__(self):
        return self.title


class SheetItem(models.Model):
    section = models.ForeignKey(SheetSection, on_delete=models.CASCADE, related_name="items")
    title = models.CharField(_("评分内容"), max_length=64)
    requirement = models.CharField(_("评分要求"), max_length=200, blank=True)
    max_points = models.DecimalField(_("分值"), **POINTS, validators=[MinValueValidator(Decimal("0.01"))])
    rule = models.CharField(_("评分方法"), max_length=12, choices=Rule.choices, default=Rule.POINTS)
    deduction = models.DecimalField(_("每次扣分"), **POINTS, null=True, blank=True,
                                    validators=[MinValueValidator(Decimal(0))])
    measure = models.CharField(_("取数口径"), max_length=32, choices=Measure.choices, default=Measure.NONE, blank=True,
                               help_text=_("按数据计分的评分表（如受理员月度考核）：发现次数由系统统计。"))
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("评分细则")
        verbose_name_plural = _("评分细则")
        ordering = ["section__order", "order", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(max_points__gt=0), name="targets_item_points_pos")]

    def __str__(self):
        return self.title

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.rule == Rule.DEDUCTION and self.deduction is None:
            raise ValidationError({"deduction": _("“每发现一次扣分”须填写每次扣分（可为0）。")})
        if self.measure and self.rule != Rule.DEDUCTION:
            raise ValidationError({"measure": _("按数据取数的细则须用“每发现一次扣分”。")})

    @property
    def points_key(self) -> str:
        return f"points_{self.pk}"

    @property
    def deduction_key(self) -> str:
        return f"deduction_{self.pk}"

    @property
    def rule_text(self) -> str:
        if self.rule == Rule.DEDUCTION:
            return _("%(m)s分，每次扣%(d)s分") % {"m": _points(self.max_points), "d": _points(self.deduction or 0)}
        if self.rule == Rule.YES_NO:
            return _("%(m)s分，符合得满分") % {"m": _points(self.max_points)}
        return _("%(m)s分，按分值打分") % {"m": _points(self.max_points)}


def _points(value) -> str:
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class Assessment(models.Model):
    """考核/验收: a subject scored with a sheet by a panel; each expert scores alone, the panel's result is the
    average or the trimmed mean of their totals, per part, then signed off into a PDF."""

    node = models.ForeignKey("core.Node", verbose_name=_("组织街道"), on_delete=models.PROTECT, related_name="+")
    sheet = models.ForeignKey(ScoreSheet, verbose_name=_("评分表"), on_delete=models.PROTECT, related_name="+")
    subject_kind = models.CharField(_("考核对象类型"), max_length=12, choices=SubjectKind.choices)
    subject = models.CharField(_("考核对象"), max_length=64)
    title = models.CharField(_("考核名称"), max_length=80)
    held_on = models.DateField(_("评审日期"))
    method = models.CharField(_("合成方法"), max_length=8, choices=Combination.choices,
                              default=Combination.TRIMMED_MEAN)
    status = models.CharField(_("状态"), max_length=8, choices=AssessmentStatus.choices,
                              default=AssessmentStatus.SCORING)
    base_score = models.DecimalField(_("基本分"), **POINTS, null=True, blank=True)
    feature_score = models.DecimalField(_("特色分"), **POINTS, null=True, blank=True)
    passed = models.BooleanField(_("是否合格"), null=True)
    conclusion = models.CharField(_("评审意见"), max_length=500, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    signed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("考核评审")
        verbose_name_plural = _("考核评审")
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return self.title

    @property
    def number(self) -> str:
        return self.title


class PanelMember(models.Model):
    """An expert of the panel; `submitted_at` once he has handed in his sheet (it is then his final word)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="panel")
    expert = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    base_total = models.DecimalField(**POINTS, null=True, blank=True)
    feature_total = models.DecimalField(**POINTS, null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["assessment", "expert"], name="targets_panel_unique")]


class ItemScore(models.Model):
    """One expert's mark on one item: the points given, the occurrences found, or yes (1) / no (0)."""

    member = models.ForeignKey(PanelMember, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(SheetItem, on_delete=models.PROTECT, related_name="+")
    mark = models.DecimalField(**POINTS)
    score = models.DecimalField(**POINTS)
    remark = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["member", "item"], name="targets_itemscore_unique")]
