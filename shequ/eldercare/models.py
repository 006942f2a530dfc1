"""为老服务: elderly meal assistance (老年助餐), day care (日托) and the care home's waiting list (敬老院轮候).

Every service point hangs on a `facilities.Facility`; residents come from the registry (`people.Resident`). Money
is kept in yuan as Decimal with two places. An order keeps the price, discount and subsidy computed when it was
placed, with the tiers that applied, so a later change of the tier table never rewrites it."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.crypto import EncryptedCharField

from .choices import (ApplicationStatus, BedStatus, CanteenKind, CareGrade, EnrolmentStatus, IncidentKind, Meal,
                      MealMode, OrderChannel, OrderStatus, SettlementStatus, TierTag)

USER = settings.AUTH_USER_MODEL
MONEY = {"max_digits": 10, "decimal_places": 2}
PAYABLE = models.F("price") - models.F("discount") - models.F("subsidy")
HALF_FEN = models.Value(Decimal("0.005"), output_field=models.DecimalField(max_digits=4, decimal_places=3))


class MealTier(models.Model):
    """One row of the meal subsidy table (助餐补贴档次), edited by the system administrator. A resident matches a
    row by age (and a tag, and Shanghai 户籍 where the row says so). The order takes the largest discount among the
    rows it matches and the largest subsidy whose threshold the meal's price reaches (a subsidy is given at most
    once per person per day)."""

    name = models.CharField(_("档次名称"), max_length=32, unique=True)
    min_age = models.PositiveSmallIntegerField(_("起始年龄"), validators=[MaxValueValidator(130)])
    max_age = models.PositiveSmallIntegerField(_("截止年龄"), null=True, blank=True,
                                               validators=[MaxValueValidator(130)],
                                               help_text=_("含该年龄；留空表示不设上限。"))
    tag = models.CharField(_("身份要求"), max_length=16, choices=TierTag.choices, blank=True, default="")
    shanghai_hukou_only = models.BooleanField(_("仅限本市户籍"), default=False)
    discount_percent = models.DecimalField(_("折扣（减免百分比）"), max_digits=5, decimal_places=2, default=0,
                                           validators=[MinValueValidator(0), MaxValueValidator(100)],
                                           help_text=_("例如 10 表示按九折收费。"))
    subsidy = models.DecimalField(_("每日补贴（元）"), default=0, validators=[MinValueValidator(0)], **MONEY)
    subsidy_threshold = models.DecimalField(_("补贴起点（元）"), default=0, validators=[MinValueValidator(0)],
                                            help_text=_("餐费达到该金额才给补贴。"), **MONEY)
    dine_in_only = models.BooleanField(_("补贴仅限堂食"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("助餐补贴档次")
        verbose_name_plural = _("助餐补贴档次")
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.max_age is not None and self.min_age is not None and self.max_age < self.min_age:
            raise ValidationError({"max_age": _("截止年龄不能小于起始年龄。")})
        if not (self.discount_percent or self.subsidy):
            raise ValidationError({"discount_percent": _("折扣和补贴至少填写一项。")})


class Canteen(models.Model):
    """A 长者食堂 (with its kitchen) or a 助餐点 served by a canteen's kitchen, on a facility."""

    facility = models.OneToOneField("facilities.Facility", verbose_name=_("设施"), on_delete=models.PROTECT,
                                    related_name="+", limit_choices_to={"level": "canteen"})
    kind = models.CharField(_("类型"), max_length=16, choices=CanteenKind.choices, default=CanteenKind.CANTEEN)
    kitchen = models.ForeignKey("self", verbose_name=_("供餐食堂"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="meal_points")
    breakfast_price = models.DecimalField(_("早餐价格（元）"), null=True, blank=True,
                                          validators=[MinValueValidator(0)], **MONEY)
    lunch_price = models.DecimalField(_("午餐价格（元）"), null=True, blank=True, validators=[MinValueValidator(0)],
                                      **MONEY)
    dinner_price = models.DecimalField(_("晚餐价格（元）"), null=True, blank=True, validators=[MinValueValidator(0)],
                                       **MONEY)
    # An order for day D must be placed before D − cutoff_days_before at cutoff_time (exactly then is too late).
    cutoff_time = models.TimeField(_("截止时间"), default="16:00")
    cutoff_days_before = models.PositiveSmallIntegerField(_("提前天数"), default=1,
                                                          validators=[MaxValueValidator(7)])
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("助餐点")
        verbose_name_plural = _("助餐点")

    def __str__(self):
        return self.facility.name

    @property
    def name(self) -> str:
        return self.facility.name

    def price_of(self, meal: str):
        return getattr(self, f"{meal}_price", None)


class DeliveryRoute(models.Model):
    canteen = models.ForeignKey(Canteen, verbose_name=_("助餐点"), on_delete=models.CASCADE, related_name="routes")
    name = models.CharField(_("线路"), max_length=32)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("送餐线路")
        verbose_name_plural = _("送餐线路")
        ordering = ["sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["canteen", "name"], name="eld_route_unique")]

    def __str__(self):
        return self.name


class MealEnrolment(models.Model):
    """A resident's enrolment in meal assistance (助餐登记), with the canteen he eats at by default."""

    resident = models.ForeignKey("people.Resident", verbose_name=_("居民"), on_delete=models.PROTECT,
                                 related_name="+")
    canteen = models.ForeignKey(Canteen, verbose_name=_("默认助餐点"), on_delete=models.PROTECT,
                                related_name="enrolments")
    route = models.ForeignKey(DeliveryRoute, verbose_name=_("送餐线路"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="enrolments")
    status = models.CharField(_("状态"), max_length=16, choices=EnrolmentStatus.choices,
                              default=EnrolmentStatus.ACTIVE)
    diet_note = models.CharField(_("饮食备注"), max_length=100, blank=True)
    enrolled_at = models.DateTimeField(default=timezone.now)
    enrolled_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("助餐登记")
        verbose_name_plural = _("助餐登记")
        constraints = [models.UniqueConstraint(fields=["resident"], condition=Q(status="active"),
                                               name="eld_enrolment_one_active")]


class MealOrder(models.Model):
    enrolment = models.ForeignKey(MealEnrolment, on_delete=models.PROTECT, related_name="orders")
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+", db_index=False)
    canteen = models.ForeignKey(Canteen, on_delete=models.PROTECT, related_name="orders", db_index=False)
    date = models.DateField(_("用餐日期"))
    meal = models.CharField(_("餐次"), max_length=16, choices=Meal.choices)
    mode = models.CharField(_("方式"), max_length=16, choices=MealMode.choices)
    status = models.CharField(_("状态"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.ACTIVE)
    channel = models.CharField(_("下单渠道"), max_length=16, choices=OrderChannel.choices)
    price = models.DecimalField(_("餐费"), **MONEY)
    discount = models.DecimalField(_("折扣减免"), **MONEY)
    subsidy = models.DecimalField(_("补贴"), **MONEY)
    payable = models.DecimalField(_("个人支付"), **MONEY)
    tiers = models.CharField(_("适用档次"), max_length=200, blank=True)  # the tier names, as they were
    placed_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("助餐订单")
        verbose_name_plural = _("助餐订单")
        constraints = [
            # One active order per resident, day and meal: also what turns a race of two requests into a 409.
            models.UniqueConstraint(fields=["resident", "date", "meal"], condition=Q(status="active"),
                                    name="eld_order_one_active"),
            # payable = price − discount − subsidy, within half a fen (SQLite compares the sums as floats).
            models.CheckConstraint(condition=Q(payable__gte=PAYABLE - HALF_FEN, payable__lte=PAYABLE + HALF_FEN),
                                   name="eld_order_payable"),
        ]
        indexes = [
            # The kitchen's count (a canteen's day, by meal and mode) and the month's settlement (a canteen's
            # dates, summing the amounts) both read from the index alone, never the table's rows.
            models.Index(fields=["canteen", "date", "status", "meal", "mode", "price", "discount", "subsidy",
                                 "payable"], name="eld_order_kitchen_money"),
            models.Index(fields=["resident", "date"], name="eld_order_resident_day"),
        ]


class MealSettlement(models.Model):
    """A canteen's month (月度结算): the meals served and the subsidy the 街道 owes, approved then paid."""

    canteen = models.ForeignKey(Canteen, on_delete=models.PROTECT, related_name="settlements")
    month = models.DateField(_("月份"))  # the first day of the month
    status = models.CharField(_("状态"), max_length=16, choices=SettlementStatus.choices,
                              default=SettlementStatus.DRAFT)
    meals = models.PositiveIntegerField(_("份数"), default=0)
    price_total = models.DecimalField(_("餐费合计"), default=0, **MONEY)
    discount_total = models.DecimalField(_("折扣合计"), default=0, **MONEY)
    subsidy_total = models.DecimalField(_("补贴合计"), default=0, **MONEY)
    payable_total = models.DecimalField(_("个人支付合计"), default=0, **MONEY)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    paid_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("助餐月度结算")
        verbose_name_plural = _("助餐月度结算")
        ordering = ["-month", "canteen_id"]
        constraints = [models.UniqueConstraint(fields=["canteen", "month"], name="eld_settlement_unique")]

    @property
    def allowance_total(self):
        """What the 街道 pays the canteen: the discount and the subsidy it bore."""
        return self.discount_total + self.subsidy_total


# --- day care ------------------------------------------------------------------------------------------------

class DayCareEnrolment(models.Model):
    facility = models.ForeignKey("facilities.Facility", verbose_name=_("日间照料中心"), on_delete=models.PROTECT,
                                 related_name="+")
    resident = models.ForeignKey("people.Resident", verbose_name=_("居民"), on_delete=models.PROTECT,
                                 related_name="+")
    care_grade = models.PositiveSmallIntegerField(_("照护等级"), choices=CareGrade.choices)
    daily_fee = models.DecimalField(_("日托费（元/天）"), validators=[MinValueValidator(0)], **MONEY)
    start_date = models.DateField(_("入托日期"))
    status = models.CharField(_("状态"), max_length=16, choices=EnrolmentStatus.choices,
                              default=EnrolmentStatus.ACTIVE)
    emergency_contact = EncryptedCharField(_("紧急联系人"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("日托登记")
        verbose_name_plural = _("日托登记")
        constraints = [models.UniqueConstraint(fields=["resident"], condition=Q(status="active"),
                                               name="eld_daycare_one_active")]


class Attendance(models.Model):
    """A day at the centre: arrival, leaving and the daily health check. The readings are health data: stored
    encrypted; the flags (out of range or not) are kept in clear so the lists need not decrypt."""

    enrolment = models.ForeignKey(DayCareEnrolment, on_delete=models.PROTECT, related_name="attendances")
    date = models.DateField(_("日期"))
    arrived_at = models.TimeField(_("到达时间"))
    left_at = models.TimeField(_("离开时间"), null=True, blank=True)
    temperature = EncryptedCharField(_("体温（°C）"), blank=True)
    systolic = EncryptedCharField(_("收缩压（mmHg）"), blank=True)
    diastolic = EncryptedCharField(_("舒张压（mmHg）"), blank=True)
    temperature_flag = models.CharField(max_length=8, blank=True)  # "" | "high" | "low"
    pressure_flag = models.CharField(max_length=8, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("日托出勤")
        verbose_name_plural = _("日托出勤")
        constraints = [models.UniqueConstraint(fields=["enrolment", "date"], name="eld_attendance_day")]
        indexes = [models.Index(fields=["date", "enrolment"], name="eld_attendance_date")]

    @property
    def flagged(self) -> bool:
        return bool(self.temperature_flag or self.pressure_flag)


class Incident(models.Model):
    enrolment = models.ForeignKey(DayCareEnrolment, on_delete=models.PROTECT, related_name="incidents")
    occurred_at = models.DateTimeField(_("发生时间"))
    kind = models.CharField(_("类型"), max_length=16, choices=IncidentKind.choices)
    description = models.CharField(_("经过"), max_length=500)
    action_taken = models.CharField(_("处置"), max_length=500, blank=True)
    family_notified = models.BooleanField(_("已通知家属"), default=False)
    reported_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("日托事件")
        verbose_name_plural = _("日托事件")
        ordering = ["-occurred_at"]


# --- care home ---------------------------------------------------------------------------------------------

class Bed(models.Model):
    facility = models.ForeignKey("facilities.Facility", on_delete=models.PROTECT, related_name="+")
    room = models.CharField(_("房间"), max_length=16)
    number = models.CharField(_("床位号"), max_length=16)
    status = models.CharField(_("状态"), max_length=16, choices=BedStatus.choices, default=BedStatus.FREE)

    class Meta:
        verbose_name = _("床位")
        verbose_name_plural = _("床位")
        ordering = ["room", "number"]
        constraints = [models.UniqueConstraint(fields=["facility", "number"], name="eld_bed_unique")]

    def __str__(self):
        return f"{self.room}-{self.number}"


class CareHomeApplication(models.Model):
    """An application for a place in the care home: 申请 → 评估 → 轮候 → 入住 (or 撤回)."""

    facility = models.ForeignKey("facilities.Facility", verbose_name=_("敬老院"), on_delete=models.PROTECT,
                                 related_name="+")
    resident = models.ForeignKey("people.Resident", verbose_name=_("居民"), on_delete=models.PROTECT,
                                 related_name="+")
    status = models.CharField(_("状态"), max_length=16, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.APPLIED)
    reason = models.CharField(_("申请理由"), max_length=300)
    care_grade = models.PositiveSmallIntegerField(_("照护等级"), choices=CareGrade.choices, null=True, blank=True)
    assessment_note = models.CharField(_("评估意见"), max_length=300, blank=True)
    applied_at = models.DateTimeField(default=timezone.now)
    assessed_at = models.DateTimeField(null=True, blank=True)
    waiting_since = models.DateField(null=True, blank=True)
    admitted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdraw_reason = models.CharField(_("撤回原因"), max_length=200, blank=True)
    bed = models.OneToOneField(Bed, null=True, blank=True, on_delete=models.PROTECT, related_name="application")
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("入住申请")
        verbose_name_plural = _("入住申请")
        constraints = [models.UniqueConstraint(
            fields=["resident", "facility"], condition=Q(status__in=["applied", "assessed", "waiting"]),
            name="eld_application_one_open")]


class ApplicationEvent(models.Model):
    application = models.ForeignKey(CareHomeApplication, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=16)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    note = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
