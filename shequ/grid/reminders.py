"""Deadline reminders of 大联动, run by the schedule (`grid.deadline_reminders`, every ten minutes).

Each run covers the window (since, due] between two occurrences of the schedule, so a case is reminded once per
moment it reaches — its 80 % warning, its deadline — and a 12345 order once an hour before its sign-for or reply
deadline and once when it passes. Recipients: the responsible unit's staff for a case; the city-operations
centre's staff whose scope holds the order or case.
"""

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.core.choices import Role
from shequ.core.models import User
from shequ.core.scoping import in_scope
from shequ.core.services import notify
from shequ.core.tasks import shequ_task

from .choices import CaseStatus, HotlineStatus
from .models import Case, HotlineOrder

LEAD = dt.timedelta(hours=1)
CENTRE_ROLES = [Role.OPS_OPERATOR, Role.SHIFT_LEADER, Role.DISPATCHER]


def _centre_staff(node) -> list[User]:
    return [u for u in User.objects.filter(role__in=CENTRE_ROLES, is_active=True) if in_scope(u, node)]


def _unit_staff(case) -> list[User]:
    if case.unit_id is None:
        return []
    return list(User.objects.filter(department_id=case.unit_id, is_active=True))


@shequ_task(label=gettext_lazy("网格案件与12345工单时限提醒"))
def deadline_reminders(*, since: str, due: str) -> dict:
    start, end = dt.datetime.fromisoformat(since), dt.datetime.fromisoformat(due)
    running = [CaseStatus.DISPATCHED, CaseStatus.HANDLING]
    counts = {"case_warn": 0, "case_overdue": 0, "hotline_soon": 0, "hotline_overdue": 0}
    for case in Case.objects.filter(status__in=running, warn_at__gt=start, warn_at__lte=end).select_related("node"):
        notify(recipients=_unit_staff(case), title=_("案件 %(n)s 即将超过处置时限") % {"n": case.number},
               link=reverse("grid:case-detail", args=[case.pk]))
        counts["case_warn"] += 1
    for case in Case.objects.filter(status__in=running, deadline__gt=start, deadline__lte=end).select_related("node"):
        notify(recipients=_unit_staff(case) + _centre_staff(case.node),
               title=_("案件 %(n)s 已超过处置时限") % {"n": case.number},
               link=reverse("grid:case-detail", args=[case.pk]))
        counts["case_overdue"] += 1
    for field, status, what in (("sign_due", HotlineStatus.RECEIVED, _("签收")),
                                ("reply_due", HotlineStatus.SIGNED, _("答复"))):
        soon = HotlineOrder.objects.filter(status=status, **{f"{field}__gt": start + LEAD, f"{field}__lte": end + LEAD})
        for order in soon.select_related("node"):
            notify(recipients=_centre_staff(order.node),
                   title=_("12345工单 %(n)s 将于1小时内到%(w)s时限") % {"n": order.order_no, "w": what},
                   link=reverse("grid:hotline-detail", args=[order.pk]))
            counts["hotline_soon"] += 1
        late = HotlineOrder.objects.filter(status=status, **{f"{field}__gt": start, f"{field}__lte": end})
        for order in late.select_related("node"):
            notify(recipients=_centre_staff(order.node),
                   title=_("12345工单 %(n)s 已超过%(w)s时限") % {"n": order.order_no, "w": what},
                   link=reverse("grid:hotline-detail", args=[order.pk]))
            counts["hotline_overdue"] += 1
    return counts
