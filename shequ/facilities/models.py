"""The neighbourhood's public service facilities ("1+4+13": 文化活动中心, 睦邻中心, 睦邻点, 敬老院, 长者食堂 …), the
operators who run them, their rooms, opening hours, closures and room bookings. Other modules (meals, day care,
the care home, the 96980 hotline) hang their service points on a `Facility`, scope a facility operator through
`selectors.operated_facility_ids(user)` and book rooms with `services.booking_create`."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.crypto import EncryptedCharField
from shequ.core.idcard import mask_phone
from shequ.core.models import Node
from shequ.core.text import pinyin_key

from .choices import AgeGroup, BookingStatus, FacilityLevel, Weekday

USER = settings.AUTH_USER_MODEL


class Facility(models.Model):
    level = models.CharField(_("层级"), max_length=24, choices=FacilityLevel.choices)
    name = models.CharField(_("名称"), max_length=64, unique=True)
    name_pinyin = models.CharField(max_length=128, blank=True, editable=False, db_index=True)
    # The committee (居委会) the facility sits in, or the 街道 for a sub-district-wide one (文化活动中心, 敬老院).
    node = models.ForeignKey(Node, verbose_name=_("所属辖区"), on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey("self", verbose_name=_("所属设施"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    address = models.CharField(_("地址"), max_length=128)
    lng = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    lat = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    # Often a worker's own mobile: kept encrypted, shown masked.
    phone = EncryptedCharField(_("联系电话"), blank=True)
    phone_masked = models.CharField(_("联系电话"), max_length=20, blank=True, editable=False)
    operator_name = models.CharField(_("运营方"), max_length=64, blank=True,
                                     help_text=_("承接运营的社会组织或单位"))
    services = models.JSONField(_("提供的服务"), default=list, blank=True)
    description = models.TextField(_("简介"), blank=True)
    closed_on_holidays = models.BooleanField(_("法定节假日闭馆"), default=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("服务设施")
        verbose_name_plural = _("服务设施")
        ordering = ["name_pinyin", "id"]
        indexes = [models.Index(fields=["node", "level"], name="fac_node_level")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_pinyin = pinyin_key(self.name)
        self.phone_masked = mask_phone(self.phone) if self.phone else ""
        if kwargs.get("update_fields") is not None and "phone" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "phone_masked"}
        super().save(*args, **kwargs)


class FacilityStaff(models.Model):
    """A facility operator's assignment: the facilities a `facility_operator` login manages (and nothing else)."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="facility_assignments")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("设施运营人员")
        verbose_name_plural = _("设施运营人员")
        constraints = [models.UniqueConstraint(fields=["facility", "user"], name="fac_staff_unique")]


class OpeningHours(models.Model):
    """One opening period of a weekday (a facility may close at noon: two rows for one day)."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("星期"), choices=Weekday.choices)
    opens = models.TimeField(_("开门"))
    closes = models.TimeField(_("关门"))

    class Meta:
        verbose_name = _("开放时间")
        verbose_name_plural = _("开放时间")
        ordering = ["facility", "weekday", "opens"]
        constraints = [models.CheckConstraint(condition=Q(closes__gt=F("opens")), name="fac_hours_order")]


class Closure(models.Model):
    """Days the facility is closed besides its weekly hours and public holidays (repairs, an election …)."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="closures")
    date_from = models.DateField(_("起始日期"))
    date_to = models.DateField(_("结束日期"))
    reason = models.CharField(_("原因"), max_length=100)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("闭馆安排")
        verbose_name_plural = _("闭馆安排")
        ordering = ["facility", "date_from"]
        constraints = [models.CheckConstraint(condition=Q(date_to__gte=F("date_from")), name="fac_closure_order")]


class Room(models.Model):
    facility = models.ForeignKey(Facility, verbose_name=_("设施"), on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("名称"), max_length=64)
    capacity = models.PositiveIntegerField(_("容纳人数"))
    equipment = models.CharField(_("设备"), max_length=200, blank=True)
    needs_approval = models.BooleanField(_("预约须审批"), default=False)
    bookable = models.BooleanField(_("开放预约"), default=True)
    residents_may_book = models.BooleanField(_("居民可预约"), default=True)
    # Bumped by every booking write of the room: on SQLite it takes the write lock before the overlap check, so
    # two requests for one slot are serialised (PostgreSQL also locks the row and has the exclusion constraint).
    version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("活动室")
        verbose_name_plural = _("活动室")
        ordering = ["facility", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["facility", "name"], name="fac_room_unique")]

    def __str__(self):
        return f"{self.facility.name} · {self.name}"


class BookingSeries(models.Model):
    """A weekly booking (a choir every Tuesday afternoon): its occurrences are ordinary bookings."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="series")
    purpose = models.CharField(_("用途"), max_length=200)
    first_start = models.DateTimeField(_("首次开始"))
    first_end = models.DateTimeField(_("首次结束"))
    weeks = models.PositiveSmallIntegerField(_("周数"))
    skipped = models.JSONField(_("因冲突未预约的日期"), default=list, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("每周预约")
        verbose_name_plural = _("每周预约")


class Booking(models.Model):
    room = models.ForeignKey(Room, verbose_name=_("活动室"), on_delete=models.PROTECT, related_name="bookings")
    # Half-open [start, end): a booking ending at 10:00 and one starting at 10:00 do not overlap.
    start = models.DateTimeField(_("开始"))
    end = models.DateTimeField(_("结束"))
    purpose = models.CharField(_("用途"), max_length=200)
    team = models.CharField(_("团队"), max_length=64, blank=True)
    attendees = models.PositiveIntegerField(_("预计人数"), null=True, blank=True)
    age_group = models.CharField(_("主要人群"), max_length=12, choices=AgeGroup.choices, default=AgeGroup.MIXED)
    status = models.CharField(_("状态"), max_length=12, choices=BookingStatus.choices, db_index=True)
    booked_by = models.ForeignKey(USER, verbose_name=_("预约人"), on_delete=models.PROTECT, related_name="+")
    series = models.ForeignKey(BookingSeries, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="bookings")
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("场地预约")
        verbose_name_plural = _("场地预约")
        ordering = ["start", "id"]
        indexes = [models.Index(fields=["status", "end"], name="fac_booking_status_end"),
                   # The overlap check: room = ?, status IN (active), end > ? — a short range even with years of
                   # history in the room. No (room, start) index: without statistics SQLite preferred it and
                   # walked the room's whole history (16 ms instead of 0.1 ms at 100,000 bookings).
                   models.Index(fields=["room", "status", "end"], name="fac_booking_room_active"),
                   models.Index(fields=["booked_by", "start"], name="fac_booking_user_start")]
        constraints = [models.CheckConstraint(condition=Q(end__gt=F("start")), name="fac_booking_order")]

    def __str__(self):
        return f"{self.room} {timezone.localtime(self.start):%Y-%m-%d %H:%M}"

    @property
    def number(self) -> str:
        return f"YY{self.pk:06d}"
