"""The declared workflow of a room booking (场地预约): pending → approved / rejected, approved → checked in /
no-show, pending or approved → cancelled. The services check themselves against it (`BOOKING.check`), the pages
and the API offer `BOOKING.available(...)`."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.errors import ConflictError
from shequ.core.workflow import Action, ActionForbidden, ActionNotFound, Workflow

from . import selectors
from .choices import BookingAction, BookingStatus

S, A = BookingStatus, BookingAction
SVC = "shequ.facilities.services."
# Check-in opens half an hour before the start; a no-show may be recorded a quarter of an hour after it.
CHECK_IN_EARLY = dt.timedelta(minutes=30)
NO_SHOW_GRACE = dt.timedelta(minutes=15)


def visible(actor, booking):
    if not selectors.booking_visible(user=actor, booking=booking):
        return ActionNotFound(_("未找到该预约。"), {})
    return None


def runs_facility(actor, booking):
    if not selectors.facility_managed(user=actor, facility=booking.room.facility):
        return ActionForbidden(_("只有%(f)s的运营人员或街道管理人员可以办理。") % {"f": booking.room.facility.name},
                               {"actor": [_("不是本设施的管理人员。")]})
    return None


def booker_or_runs_facility(actor, booking):
    if booking.booked_by_id == actor.pk:
        return None
    return runs_facility(actor, booking)


def not_ended(actor, booking):
    if booking.end <= timezone.now():
        return ConflictError(_("预约时段已经结束。"), {"status": [_("时段已结束。")]})
    return None


def check_in_window(actor, booking):
    now = timezone.now()
    if now < booking.start - CHECK_IN_EARLY:
        return ConflictError(_("开始前30分钟起才能签到。"), {"status": [_("尚未到签到时间。")]})
    if now >= booking.end:
        return ConflictError(_("预约时段已经结束，不能再签到。"), {"status": [_("时段已结束。")]})
    return None


def no_show_window(actor, booking):
    if timezone.now() < booking.start + NO_SHOW_GRACE:
        return ConflictError(_("开始15分钟后仍未到场，才能记为未到场。"), {"status": [_("尚未到时间。")]})
    return None


def _action(name, sources, target, capability, guards, inputs=(), form=(), danger=False):
    return Action(name=name, label=BookingAction(name).label, sources=frozenset(sources), target=target,
                  capability=capability, service=f"{SVC}booking_{name}", guards=(visible, *guards),
                  inputs=inputs, form=form, danger=danger)


BOOKING = Workflow(
    entity="facilities.booking", param="booking", status_labels=lambda s: BookingStatus(s).label,
    number=lambda b: b.number,
    actions=(
        _action(A.APPROVE, {S.PENDING}, S.APPROVED, "facilities.operate", (runs_facility, not_ended)),
        _action(A.REJECT, {S.PENDING}, S.REJECTED, "facilities.operate", (runs_facility,), inputs=("reason",),
                form=("reason",), danger=True),
        _action(A.CHECK_IN, {S.APPROVED}, S.CHECKED_IN, "facilities.operate", (runs_facility, check_in_window)),
        _action(A.NO_SHOW, {S.APPROVED}, S.NO_SHOW, "facilities.operate", (runs_facility, no_show_window),
                danger=True),
        _action(A.CANCEL, {S.PENDING, S.APPROVED}, S.CANCELLED, "facilities.book",
                (booker_or_runs_facility, not_ended), inputs=("reason",), form=("reason",), danger=True),
    ),
)
