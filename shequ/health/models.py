"""家庭医生签约 "1+1+1": a resident signs with a family doctor of a 社区卫生服务中心 and may add one district and one
city hospital. One active contract per person (a partial unique constraint, so two people signing at once cannot
create two); a renewal or switch closes the contract and opens its successor, so the chain is the history."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.crypto import EncryptedCharField
from shequ.core.idcard import mask_phone
from shequ.core.models import Node
from shequ.core.text import pinyin_key

from .choices import ContractStatus, InstitutionLevel, KeyGroup, TerminateReason

USER = settings.AUTH_USER_MODEL


class Institution(models.Model):
    name = models.CharField(_("机构名称"), max_length=64, unique=True)
    name_pinyin = models.CharField(max_length=128, blank=True, editable=False, db_index=True)
    level = models.CharField(_("层级"), max_length=16, choices=InstitutionLevel.choices)
    district = models.CharField(_("所在区"), max_length=16, default="杨浦区")
    address = models.CharField(_("地址"), max_length=128, blank=True)
    phone = EncryptedCharField(_("咨询电话"), blank=True)
    phone_masked = models.CharField(_("咨询电话"), max_length=20, blank=True, editable=False)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("签约医疗机构")
        verbose_name_plural = _("签约医疗机构")
        ordering = ["level", "name_pinyin", "id"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_pinyin = pinyin_key(self.name)
        self.phone_masked = mask_phone(self.phone) if self.phone else ""
        super().save(*args, **kwargs)


class Doctor(models.Model):
    name = models.CharField(_("医生姓名"), max_length=32)
    name_pinyin = models.CharField(max_length=128, blank=True, editable=False, db_index=True)
    institution = models.ForeignKey(Institution, verbose_name=_("所属社区卫生服务中心"), on_delete=models.PROTECT,
                                    related_name="doctors",
                                    limit_choices_to={"level": InstitutionLevel.COMMUNITY})
    team = models.CharField(_("签约团队"), max_length=32, help_text=_("如：延吉新村第一团队（医生、护士、公卫人员）"))
    title = models.CharField(_("职称"), max_length=16, blank=True)
    # The doctor's mobile is given to signed residents by the centre, never shown whole on staff pages.
    phone = EncryptedCharField(_("联系电话"), blank=True)
    phone_masked = models.CharField(_("联系电话"), max_length=20, blank=True, editable=False)
    capacity = models.PositiveIntegerField(_("签约上限（人）"), default=2000,
                                           validators=[MinValueValidator(1), MaxValueValidator(10000)])
    is_active = models.BooleanField(_("在岗"), default=True)

    class Meta:
        verbose_name = _("家庭医生")
        verbose_name_plural = _("家庭医生")
        ordering = ["name_pinyin", "id"]

    def __str__(self):
        return f"{self.name}（{self.team}）"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.institution_id and self.institution.level != InstitutionLevel.COMMUNITY:
            raise ValidationError({"institution": _("家庭医生须属于社区卫生服务中心。")})

    def save(self, *args, **kwargs):
        self.name_pinyin = pinyin_key(self.name)
        self.phone_masked = mask_phone(self.phone) if self.phone else ""
        super().save(*args, **kwargs)


class Contract(models.Model):
    number = models.CharField(_("协议编号"), max_length=20, unique=True)
    resident = models.ForeignKey("people.Resident", verbose_name=_("签约居民"), on_delete=models.PROTECT,
                                 related_name="health_contracts")
    # The committee and household at signing: the scope of the record (a worker sees his committee's contracts).
    committee = models.ForeignKey(Node, verbose_name=_("居委会"), on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey("people.Household", verbose_name=_("户"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    doctor = models.ForeignKey(Doctor, verbose_name=_("家庭医生"), on_delete=models.PROTECT, related_name="contracts")
    district_hospital = models.ForeignKey(Institution, verbose_name=_("区级医院"), null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="+")
    city_hospital = models.ForeignKey(Institution, verbose_name=_("市级医院"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField(_("起始日期"))
    end_date = models.DateField(_("到期日期"))
    status = models.CharField(_("状态"), max_length=16, choices=ContractStatus.choices, default=ContractStatus.ACTIVE)
    # Health data: the chronic conditions the doctor recorded, encrypted at rest; lists show only whether any.
    conditions = EncryptedCharField(_("慢病情况"), blank=True)
    has_conditions = models.BooleanField(_("有慢病记录"), default=False, editable=False)
    previous = models.OneToOneField("self", verbose_name=_("上一份协议"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="successor")
    terminate_reason = models.CharField(_("解约原因"), max_length=16, choices=TerminateReason.choices, blank=True)
    terminate_note = models.CharField(_("解约说明"), max_length=200, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=16, default="manual")  # manual | import | demo
    signed_by = models.ForeignKey(USER, verbose_name=_("登记人"), null=True, on_delete=models.SET_NULL,
                                  related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("家庭医生签约")
        verbose_name_plural = _("家庭医生签约")
        ordering = ["end_date", "id"]
        constraints = [
            # 一人一约: a second active contract for the same person is refused by the database itself, so two
            # workers (or a worker and an import) signing the same resident at once cannot both succeed.
            models.UniqueConstraint(fields=["resident"], condition=Q(status="active"),
                                    name="health_contract_one_active"),
            models.CheckConstraint(condition=Q(end_date__gt=models.F("start_date")), name="health_contract_dates"),
        ]
        indexes = [
            # The renewal-due list and the pending counter: active contracts of a committee by end date.
            models.Index(fields=["committee", "status", "end_date"], name="health_contract_due"),
            models.Index(fields=["status", "end_date"], name="health_contract_status_end"),
        ]

    def __str__(self):
        return self.number


class ContractEvent(models.Model):
    """The contract's history, one row per act (签约, 续约, 改签, 解约, 导入)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=16)
    actor = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["at", "id"]


class CoverageTarget(models.Model):
    """签约覆盖率目标 per key group (editable by the administrator in 系统配置)."""

    group = models.CharField(_("人群"), max_length=16, choices=KeyGroup.choices, unique=True)
    target = models.DecimalField(_("目标覆盖率（%）"), max_digits=5, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))])
    note = models.CharField(_("依据"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("签约覆盖率目标")
        verbose_name_plural = _("签约覆盖率目标")
        ordering = ["id"]

    def __str__(self):
        return self.get_group_display()


class CoverageSnapshot(models.Model):
    """签约覆盖率 of one committee and key group, as computed by `coverage_refresh` (nightly and on request):
    a count over up to a district's million residents is not redone on every page view."""

    committee = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+")
    group = models.CharField(max_length=16, choices=KeyGroup.choices)
    population = models.PositiveIntegerField(default=0)
    signed = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["committee", "group"], name="health_snapshot_unique")]
