"""Resident accounts (居民端), their real-name binding, appointments at the acceptance centre and the link between
a resident and the grid reports he made."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.crypto import EncryptedCharField
from shequ.core.models import Node

from .choices import AppointmentStatus, CodePurpose, ReportRating

USER = settings.AUTH_USER_MODEL


class ResidentAccount(models.Model):
    """The resident side of a `resident` login: its verified mobile number and, once bound, the registry record."""

    user = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="resident_account")
    phone = EncryptedCharField(_("手机号"))
    phone_hash = models.CharField(max_length=64, unique=True, editable=False)
    phone_masked = models.CharField(_("手机号"), max_length=20)
    resident = models.OneToOneField("people.Resident", verbose_name=_("实名居民"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="portal_account")
    bound_at = models.DateTimeField(_("实名绑定时间"), null=True, blank=True)
    consent_version = models.CharField(_("同意的告知书版本"), max_length=16, blank=True)
    consent_at = models.DateTimeField(_("同意时间"), null=True, blank=True)
    barred_until = models.DateField(_("暂停预约至"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("居民账号")
        verbose_name_plural = _("居民账号")

    def __str__(self):
        return self.phone_masked

    @property
    def is_bound(self) -> bool:
        return self.resident_id is not None


class SmsCode(models.Model):
    """A one-time code sent to a mobile number. Only its keyed hash is kept."""

    phone_hash = models.CharField(max_length=64)
    purpose = models.CharField(max_length=8, choices=CodePurpose.choices)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["phone_hash", "purpose", "-created_at"], name="portal_sms_phone")]


class AppointmentSlot(models.Model):
    """A published time window of one queue category at an acceptance centre, with its capacity.
    `booked` is kept on the row so a booking is one conditional UPDATE (never over capacity)."""

    node = models.ForeignKey(Node, verbose_name=_("受理中心"), on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("日期"))
    start = models.TimeField(_("开始"))
    end = models.TimeField(_("结束"))
    category = models.ForeignKey("acceptance.QueueCategory", verbose_name=_("取号类别"), on_delete=models.PROTECT,
                                 related_name="+")
    capacity = models.PositiveSmallIntegerField(_("可预约人数"))
    booked = models.PositiveSmallIntegerField(_("已预约"), default=0)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("预约时段")
        verbose_name_plural = _("预约时段")
        ordering = ["date", "start", "category__letter"]
        constraints = [
            models.UniqueConstraint(fields=["node", "date", "start", "category"], name="portal_slot_unique"),
            models.CheckConstraint(condition=Q(booked__lte=models.F("capacity")), name="portal_slot_not_over"),
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="portal_slot_end_after_start"),
        ]

    def __str__(self):
        return f"{self.date} {self.start:%H:%M}-{self.end:%H:%M} {self.category_id}"


class Appointment(models.Model):
    slot = models.ForeignKey(AppointmentSlot, verbose_name=_("时段"), on_delete=models.PROTECT,
                             related_name="appointments")
    item = models.ForeignKey("acceptance.ServiceItem", verbose_name=_("事项"), on_delete=models.PROTECT,
                             related_name="+")
    code = models.CharField(_("预约码"), max_length=8, unique=True)
    account = models.ForeignKey(ResidentAccount, verbose_name=_("预约账号"), on_delete=models.PROTECT,
                                related_name="appointments")
    # 代办: the registry member the appointment is for, when someone else in the household booked it.
    for_resident = models.ForeignKey("people.Resident", verbose_name=_("办事人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("状态"), max_length=12, choices=AppointmentStatus.choices,
                              default=AppointmentStatus.BOOKED)
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    ticket = models.ForeignKey("acceptance.Ticket", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        ordering = ["-id"]
        indexes = [models.Index(fields=["account", "status"], name="portal_appt_account_status")]

    def __str__(self):
        return self.code


class Report(models.Model):
    """随手拍: one grid case a resident reported, and his rating of the result."""

    account = models.ForeignKey(ResidentAccount, on_delete=models.PROTECT, related_name="reports")
    case = models.OneToOneField("grid.Case", on_delete=models.PROTECT, related_name="portal_report",
                                db_constraint=False)  # grid_case is partitioned on PostgreSQL
    created_at = models.DateTimeField(default=timezone.now)
    rating = models.CharField(_("评价"), max_length=12, choices=ReportRating.choices, blank=True)
    rating_note = models.CharField(_("评价意见"), max_length=200, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["account", "-id"], name="portal_report_account")]


class RenewalRequest(models.Model):
    """续约申请: a resident asked, from 到期提醒, to renew something of his own or of a member he acts for. The
    owning module is told (its `on_renew`); the request keeps who asked for whom."""

    account = models.ForeignKey(ResidentAccount, on_delete=models.PROTECT, related_name="renewals")
    key = models.CharField(max_length=64)
    title = models.CharField(_("事项"), max_length=60)
    for_resident = models.ForeignKey("people.Resident", verbose_name=_("办事人"), on_delete=models.PROTECT,
                                     related_name="+")
    end_date = models.DateField(_("到期日期"))
    created_at = models.DateTimeField(_("申请时间"), default=timezone.now)

    class Meta:
        verbose_name = _("续约申请")
        verbose_name_plural = _("续约申请")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["key", "end_date"], name="portal_renewal_once")]
