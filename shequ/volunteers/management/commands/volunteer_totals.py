"""Check the running totals the services keep against the service records: every volunteer's credited minutes
(the sum of his approved records) and every team's monthly total (`TeamMonth`: the approved records' minutes and
count by the local month of the check-in). With --fix set them to the records' figures, audited. Exits 1 when a
difference is found without --fix."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Sum

from shequ.core.audit import audit_record
from shequ.core.choices import AuditAction
from shequ.volunteers import selectors
from shequ.volunteers.choices import RecordStatus
from shequ.volunteers.models import Record, TeamMonth, Volunteer


class Command(BaseCommand):
    help = "核对志愿者认定服务时长累计值、队伍月度时长与服务记录（--fix 按记录更正）"

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true")

    def handle(self, *args, fix=False, **options):
        sums = dict(Record.objects.filter(status=RecordStatus.APPROVED).values("volunteer_id").order_by()
                    .annotate(s=Sum("credited_minutes")).values_list("volunteer_id", "s"))
        wrong = []
        for pk, kept in Volunteer.objects.values_list("id", "credited_minutes").iterator(chunk_size=5000):
            if sums.get(pk, 0) != kept:
                wrong.append((pk, kept, sums.get(pk, 0)))
        for pk, kept, real in wrong[:50]:
            self.stdout.write(f"志愿者 {pk}: 累计 {kept} 分钟，记录合计 {real} 分钟")
        self.stdout.write(f"不一致 {len(wrong)} 人")

        real_months = selectors.team_months_from_records()
        kept_months = {(team_id, month): (minutes, count) for team_id, month, minutes, count in
                       TeamMonth.objects.values_list("team_id", "month", "credited_minutes", "records")}
        months_wrong = sorted((key, kept_months.get(key, (0, 0)), real_months.get(key, (0, 0)))
                              for key in set(real_months) | set(kept_months)
                              if kept_months.get(key, (0, 0)) != real_months.get(key, (0, 0)))
        for (team_id, month), kept, real in months_wrong[:50]:
            self.stdout.write(f"队伍 {team_id} {month:%Y-%m}: 累计 {kept[0]} 分钟 {kept[1]} 条，"
                              f"记录合计 {real[0]} 分钟 {real[1]} 条")
        self.stdout.write(f"队伍月度不一致 {len(months_wrong)} 项")

        if (wrong or months_wrong) and fix:
            with transaction.atomic():
                for pk, kept, real in wrong:
                    Volunteer.objects.filter(pk=pk).update(credited_minutes=real)
                    audit_record(actor=None, action=AuditAction.UPDATE, object_type="volunteers.volunteer",
                                 object_id=pk, detail={"credited_minutes": [kept, real], "by": "volunteer_totals"})
                for (team_id, month), kept, real in months_wrong:
                    row, _created = TeamMonth.objects.get_or_create(team_id=team_id, month=month)
                    TeamMonth.objects.filter(pk=row.pk).update(credited_minutes=real[0], records=real[1])
                    audit_record(actor=None, action=AuditAction.UPDATE, object_type="volunteers.teammonth",
                                 object_id=row.pk, detail={"team": team_id, "month": month.isoformat(),
                                                           "credited_minutes": [kept[0], real[0]],
                                                           "records": [kept[1], real[1]], "by": "volunteer_totals"})
            self.stdout.write("已按服务记录更正")
        elif wrong or months_wrong:
            raise SystemExit(1)
