"""96980社区服务热线: the community service line of 延吉七村睦邻中心. Each call is logged with the caller's number
encrypted (a keyed hash finds a repeat caller, the masked form is shown), its need and category, and what became
of it: answered on the spot, or routed to a grid case, to the acceptance centre's one-time notice of an item's
materials, to a day-care centre, to a room booking or to an elderly meal order; then a call-back with the
caller's satisfaction."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.crypto import EncryptedCharField
from shequ.core.models import Node

from .choices import CallCategory, CallStatus, Outcome, Satisfaction

USER = settings.AUTH_USER_MODEL


class CallCounter(models.Model):
    day = models.DateField(unique=True)
    value = models.PositiveIntegerField(default=0)


class Call(models.Model):
    number = models.CharField(_("来电编号"), max_length=24, unique=True)
    node = models.ForeignKey(Node, verbose_name=_("所属居委会"), on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField(_("来电时间"), default=timezone.now)
    caller_name = models.CharField(_("来电人"), max_length=32)
    caller_phone = EncryptedCharField(_("来电号码"))
    caller_phone_hash = models.CharField(max_length=64, editable=False)
    caller_phone_masked = models.CharField(_("来电号码"), max_length=20, editable=False)
    address = models.CharField(_("地址"), max_length=128, blank=True)
    need = models.TextField(_("诉求"))
    category = models.CharField(_("类别"), max_length=16, choices=CallCategory.choices)
    status = models.CharField(_("状态"), max_length=12, choices=CallStatus.choices, default=CallStatus.OPEN)
    outcome = models.CharField(_("办理方式"), max_length=16, choices=Outcome.choices, blank=True)
    reply = models.TextField(_("答复内容"), blank=True)
    grid_case = models.ForeignKey("grid.Case", verbose_name=_("网格案件"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+",
                                  db_constraint=False)  # grid_case is partitioned on PostgreSQL
    service_item = models.ForeignKey("acceptance.ServiceItem", verbose_name=_("受理事项"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    facility = models.ForeignKey("facilities.Facility", verbose_name=_("转介设施"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    # The facilities' room booking and the elderly meal order placed for the caller (ids across modules).
    booking_id = models.PositiveBigIntegerField(null=True, blank=True)
    meal_order_id = models.PositiveBigIntegerField(null=True, blank=True)
    taken_by = models.ForeignKey(USER, verbose_name=_("接线员"), on_delete=models.PROTECT, related_name="+")
    handled_at = models.DateTimeField(_("办理时间"), null=True, blank=True)
    callback_due = models.DateTimeField(_("预约回访时间"), null=True, blank=True)
    callback_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    callback_result = models.CharField(_("回访结果"), max_length=200, blank=True)
    satisfaction = models.CharField(_("满意度"), max_length=12, choices=Satisfaction.choices, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("热线来电")
        verbose_name_plural = _("热线来电")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["node", "-received_at"], name="helpline_call_node_at"),
                   models.Index(fields=["caller_phone_hash"], name="helpline_call_phone"),
                   models.Index(fields=["status", "callback_due"], name="helpline_call_callback")]

    def __str__(self):
        return self.number


class CallEvent(models.Model):
    """The call's trail: logged, routed, call-back scheduled, reached or not."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=24)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    note = models.CharField(max_length=200, blank=True)
    actor = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
