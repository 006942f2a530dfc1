"""End of day at the acceptance centres: numbers of earlier days that are still open become 已失效 (the queue
starts empty every morning), and the supervisors get a note of 容缺 cases whose supplement deadline passed.

Run it after closing time, e.g. from cron: `manage.py acceptance_close_day`. The window actions expire stale
numbers on their own too, so a missed run only leaves the figures of yesterday's open numbers unchanged."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from shequ.acceptance.choices import CaseStatus
from shequ.acceptance.models import Case
from shequ.acceptance.services import expire_stale
from shequ.core.choices import Role
from shequ.core.models import User
from shequ.core.scoping import in_scope
from shequ.core.services import notify


class Command(BaseCommand):
    help = "受理中心日终处理：使以前日期未办完的排队号失效，提醒主管处理逾期未补齐的容缺办件。"

    def handle(self, *args, **options):
        with transaction.atomic():
            expired = expire_stale()
            late = list(Case.objects.filter(rongque_pending=True, rongque_deadline__lt=timezone.localdate())
                        .exclude(status__in=[CaseStatus.TERMINATED, CaseStatus.REJECTED]).select_related("node"))
            supervisors = list(User.objects.filter(role=Role.HALL_SUPERVISOR, is_active=True))
            for node in {c.node for c in late}:
                cases = [c for c in late if c.node_id == node.pk]
                notify(recipients=[u for u in supervisors if in_scope(u, node)],
                       title=f"{len(cases)} 件容缺办件逾期未补齐材料", body="、".join(c.number for c in cases[:20]),
                       link=reverse("acceptance:overdue"))
        self.stdout.write(f"已失效排队号 {expired} 个；逾期未补齐的容缺办件 {len(late)} 件。")
