"""活动与节庆: events with an organiser, partner units (共建单位), a venue (a room booking when a facility room is
chosen), a capacity and registration with a wait-list, attendance check-in and photos; series (延吉风韵月月展) and
festivals (the learning festival) that group events; visiting delegations. Attendance feeds the participation
count the targets read (`selectors.participation_count`)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.crypto import EncryptedCharField
from shequ.core.models import Node
from shequ.core.text import pinyin_key

from .choices import EventStatus, RegistrationStatus

USER = settings.AUTH_USER_MODEL


class PartnerUnit(models.Model):
    """A 共建单位: a unit that co-organises events with the 街道 (a military band, a dance troupe, a film channel)."""

    name = models.CharField(_("单位名称"), max_length=64, unique=True)
    name_pinyin = models.CharField(max_length=128, blank=True, editable=False)
    kind = models.CharField(_("单位类型"), max_length=32, blank=True)
    contact = models.CharField(_("联系人"), max_length=32, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("共建单位")
        verbose_name_plural = _("共建单位")
        ordering = ["name_pinyin", "id"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_pinyin = pinyin_key(self.name)
        super().save(*args, **kwargs)


class Festival(models.Model):
    """A festival grouping events over some days (the learning festival 学习节)."""

    name = models.CharField(_("节庆名称"), max_length=64)
    node = models.ForeignKey(Node, verbose_name=_("主办辖区"), on_delete=models.PROTECT, related_name="+")
    date_from = models.DateField(_("开始日期"))
    date_to = models.DateField(_("结束日期"))
    description = models.TextField(_("简介"), blank=True)

    class Meta:
        verbose_name = _("节庆")
        verbose_name_plural = _("节庆")
        ordering = ["-date_from", "id"]
        constraints = [models.CheckConstraint(condition=Q(date_to__gte=F("date_from")), name="events_festival_order")]

    def __str__(self):
        return self.name


class Series(models.Model):
    """A recurring series (延吉风韵月月展: one exhibition a month)."""

    name = models.CharField(_("系列名称"), max_length=64)
    node = models.ForeignKey(Node, verbose_name=_("主办辖区"), on_delete=models.PROTECT, related_name="+")
    description = models.TextField(_("简介"), blank=True)

    class Meta:
        verbose_name = _("活动系列")
        verbose_name_plural = _("活动系列")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class Event(models.Model):
    title = models.CharField(_("活动名称"), max_length=100)
    node = models.ForeignKey(Node, verbose_name=_("所属辖区"), on_delete=models.PROTECT, related_name="+")
    organiser = models.CharField(_("主办方"), max_length=64)
    partners = models.ManyToManyField(PartnerUnit, verbose_name=_("共建单位"), blank=True, related_name="events")
    series = models.ForeignKey(Series, verbose_name=_("所属系列"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="events")
    festival = models.ForeignKey(Festival, verbose_name=_("所属节庆"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="events")
    venue = models.CharField(_("地点"), max_length=128)
    booking = models.ForeignKey("facilities.Booking", verbose_name=_("场地预约"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    start = models.DateTimeField(_("开始时间"))
    end = models.DateTimeField(_("结束时间"))
    capacity = models.PositiveIntegerField(_("名额"))
    waitlist_limit = models.PositiveIntegerField(_("候补名额"), default=20)
    description = models.TextField(_("活动介绍"), blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=EventStatus.choices, default=EventStatus.OPEN)
    # Bumped by every registration write: the UPDATE takes the event row's lock (PostgreSQL) or the database's
    # write lock (SQLite) before the places are counted, so two residents cannot take the last place at once.
    version = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["-start", "-id"]
        indexes = [models.Index(fields=["node", "start"], name="events_event_node_start")]
        constraints = [models.CheckConstraint(condition=Q(end__gt=F("start")), name="events_event_order")]

    def __str__(self):
        return self.title


class Registration(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(USER, verbose_name=_("报名账号"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    name = models.CharField(_("姓名"), max_length=32)
    phone = EncryptedCharField(_("联系电话"), blank=True)
    phone_masked = models.CharField(_("联系电话"), max_length=20, blank=True, editable=False)
    status = models.CharField(_("状态"), max_length=12, choices=RegistrationStatus.choices, db_index=True)
    registered_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["event", "status"], name="events_reg_event_status")]
        constraints = [models.UniqueConstraint(fields=["event", "user"], condition=Q(user__isnull=False)
                                               & ~Q(status="cancelled"), name="events_reg_one_per_user")]

    def __str__(self):
        return f"{self.event} · {self.name}"


class EventPhoto(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to="events/%Y/%m/")
    content_type = models.CharField(max_length=32)
    caption = models.CharField(_("说明"), max_length=100, blank=True)
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("活动照片")
        verbose_name_plural = _("活动照片")
        ordering = ["created_at", "id"]


class Delegation(models.Model):
    """A visiting delegation (来访考察): who came, from where, what they saw."""

    date = models.DateField(_("来访日期"))
    origin = models.CharField(_("来访单位"), max_length=100)
    node = models.ForeignKey(Node, verbose_name=_("接待辖区"), on_delete=models.PROTECT, related_name="+")
    members = models.JSONField(_("成员"), default=list, blank=True)
    member_count = models.PositiveIntegerField(_("人数"))
    programme = models.TextField(_("考察安排"), blank=True)
    facilities = models.ManyToManyField("facilities.Facility", verbose_name=_("参观设施"), blank=True,
                                        related_name="+")
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("来访考察")
        verbose_name_plural = _("来访考察")
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.origin} {self.date:%Y-%m-%d}"
