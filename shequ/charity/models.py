"""慈善超市: the charity supermarket of a 睦邻中心. Donations come in (goods or money, with a numbered 捐赠收据),
goods are counted in stock through in/out moves that never take it below zero, and eligible households
(低保, 特困, 残疾 … as the registry tags them) take goods up to a monthly allowance in points."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.crypto import EncryptedCharField
from shequ.core.text import pinyin_key

from .choices import DonationKind, DonorKind, MoveKind

USER = settings.AUTH_USER_MODEL


class Supermarket(models.Model):
    """A supermarket hangs on a facility: the facility's operators run it, and its jurisdiction scopes it."""

    facility = models.OneToOneField("facilities.Facility", verbose_name=_("所属设施"), on_delete=models.PROTECT,
                                    related_name="+")
    receipt_prefix = models.CharField(_("收据字号"), max_length=8, default="慈捐",
                                      help_text=_("捐赠收据编号的字头，如“慈捐〔2026〕第0001号”。"))
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("慈善超市")
        verbose_name_plural = _("慈善超市")
        ordering = ["id"]

    def __str__(self):
        return self.facility.name


class EligibilityRule(models.Model):
    """Who may take goods and how much: a registry tag (低保, 特困 …) and the monthly allowance in points of a
    household in which someone carries it. A household with several tags gets the largest allowance."""

    name = models.CharField(_("救助类别"), max_length=16, unique=True)
    tag_code = models.SlugField(_("人员标签代码"), max_length=32, unique=True,
                                help_text=_("居民信息中的人员标签代码，如 dibao（低保）、disabled（残疾）。"))
    monthly_points = models.PositiveIntegerField(_("每户每月额度（积分）"))
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("慈善超市救助对象规则")
        verbose_name_plural = _("慈善超市救助对象规则")
        ordering = ["sort_order", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(monthly_points__gt=0), name="charity_rule_points_pos")]

    def __str__(self):
        return self.name


class Goods(models.Model):
    supermarket = models.ForeignKey(Supermarket, on_delete=models.PROTECT, related_name="goods")
    name = models.CharField(_("物品名称"), max_length=32)
    name_pinyin = models.CharField(max_length=96, blank=True, editable=False)
    unit = models.CharField(_("单位"), max_length=8)
    points = models.PositiveIntegerField(_("兑换积分"), help_text=_("每单位物品占用的积分"))
    quantity = models.PositiveIntegerField(_("库存"), default=0, editable=False)
    is_active = models.BooleanField(_("上架"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("物品")
        verbose_name_plural = _("物品")
        ordering = ["name_pinyin", "id"]
        constraints = [
            models.UniqueConstraint(fields=["supermarket", "name"], name="charity_goods_unique_name"),
            models.CheckConstraint(condition=models.Q(quantity__gte=0), name="charity_goods_stock_not_negative"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_pinyin = pinyin_key(self.name)
        super().save(*args, **kwargs)


class ReceiptCounter(models.Model):
    """The last receipt number of a supermarket's year, taken under a row lock."""

    supermarket = models.ForeignKey(Supermarket, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["supermarket", "year"], name="charity_receipt_counter_uniq")]


class Donation(models.Model):
    supermarket = models.ForeignKey(Supermarket, on_delete=models.PROTECT, related_name="donations")
    number = models.CharField(_("收据编号"), max_length=32, unique=True)
    kind = models.CharField(_("捐赠类型"), max_length=8, choices=DonationKind.choices)
    donor_kind = models.CharField(_("捐赠方"), max_length=8, choices=DonorKind.choices)
    donor_name = models.CharField(_("捐赠人/单位"), max_length=64)
    donor_phone = EncryptedCharField(_("联系电话"), blank=True)
    donor_phone_masked = models.CharField(_("联系电话"), max_length=20, blank=True, editable=False)
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    received_on = models.DateField(_("捐赠日期"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    received_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("捐赠")
        verbose_name_plural = _("捐赠")
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["supermarket", "received_on"], name="charity_donation_day")]

    def __str__(self):
        return self.number


class DonationLine(models.Model):
    donation = models.ForeignKey(Donation, on_delete=models.CASCADE, related_name="lines")
    goods = models.ForeignKey(Goods, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()


class HouseholdQuota(models.Model):
    """The counter of one household's month: the points it has taken. A distribution locks this row, so two
    clerks serving the same household at once are served one after the other and cannot both pass the limit."""

    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="+")
    period = models.DateField()  # the first day of the month
    used_points = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["household", "period"], name="charity_quota_unique")]


class Distribution(models.Model):
    supermarket = models.ForeignKey(Supermarket, on_delete=models.PROTECT, related_name="distributions")
    household = models.ForeignKey("people.Household", verbose_name=_("户"), on_delete=models.PROTECT,
                                  related_name="+")
    recipient = models.ForeignKey("people.Resident", verbose_name=_("领取人"), on_delete=models.PROTECT,
                                  related_name="+")
    period = models.DateField()
    points = models.PositiveIntegerField(_("积分"))
    groups = models.CharField(_("救助类别"), max_length=64)
    handed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("发放记录")
        verbose_name_plural = _("发放记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["supermarket", "period"], name="charity_dist_period")]

    def __str__(self):
        return f"{self.household.number} {self.at:%Y-%m-%d}"


class DistributionLine(models.Model):
    distribution = models.ForeignKey(Distribution, on_delete=models.CASCADE, related_name="lines")
    goods = models.ForeignKey(Goods, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    points = models.PositiveIntegerField()


class StockMove(models.Model):
    goods = models.ForeignKey(Goods, on_delete=models.PROTECT, related_name="moves")
    kind = models.CharField(_("类型"), max_length=16, choices=MoveKind.choices)
    quantity = models.PositiveIntegerField(_("数量"))
    balance = models.PositiveIntegerField(_("结存"))
    donation = models.ForeignKey(Donation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    distribution = models.ForeignKey(Distribution, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    note = models.CharField(_("说明"), max_length=200, blank=True)
    actor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("出入库记录")
        verbose_name_plural = _("出入库记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["goods", "-at"], name="charity_move_goods_at")]
