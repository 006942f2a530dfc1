"""The declared workflow of an event registration (活动报名): registered → attended (签到); registered or
waitlisted → cancelled (the one who registered, or the event's organisers). A cancelled place goes to the first
on the wait-list (`services.registration_cancel`)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.errors import ConflictError
from shequ.core.workflow import Action, ActionForbidden, ActionNotFound, Workflow

from . import selectors
from .choices import EventStatus, RegistrationAction, RegistrationStatus

S, A = RegistrationStatus, RegistrationAction
SVC = "shequ.events.services."


def visible(actor, registration):
    if not selectors.registration_visible(user=actor, registration=registration):
        return ActionNotFound(_("未找到该报名。"), {})
    return None


def runs_event(actor, registration):
    if not selectors.event_manageable(user=actor, event=registration.event):
        return ActionForbidden(_("只有活动所属辖区的工作人员可以办理。"), {"actor": [_("不是本活动的组织者。")]})
    return None


def own_or_runs_event(actor, registration):
    if registration.user_id == actor.pk:
        return None
    return runs_event(actor, registration)


def event_open(actor, registration):
    if registration.event.status != EventStatus.OPEN:
        return ConflictError(_("活动已取消。"), {"status": [_("活动已取消。")]})
    return None


CHECK_IN_EARLY = dt.timedelta(hours=2)


def check_in_window(actor, registration):
    now = timezone.now()
    event = registration.event
    if now < event.start - CHECK_IN_EARLY or now >= event.end:
        return ConflictError(_("活动开始前两小时起、结束前才能签到。"), {"status": [_("不在签到时间内。")]})
    return None


def _action(name, sources, target, capability, guards, danger=False):
    return Action(name=name, label=RegistrationAction(name).label, sources=frozenset(sources), target=target,
                  capability=capability, service=f"{SVC}registration_{name}", guards=(visible, *guards), form=(),
                  danger=danger)


REGISTRATION = Workflow(
    entity="events.registration", param="registration", status_labels=lambda s: RegistrationStatus(s).label,
    number=lambda r: r.name,
    actions=(
        _action(A.CHECK_IN, {S.REGISTERED}, S.ATTENDED, "events.manage", (runs_event, event_open, check_in_window)),
        _action(A.CANCEL, {S.REGISTERED, S.WAITLISTED}, S.CANCELLED, "events.register", (own_or_runs_event,),
                danger=True),
    ),
)
