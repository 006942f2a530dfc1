"""Demo data of 指标与考核: the seed's 低碳延吉 targets and the four 两下降两提高 grid targets of 延吉新村街道, a year of
the committees' entered values (approved, one waiting), eco households and 低碳之家 across the committees, and the
杨浦区政府办公大楼 energy-saving standardisation pilot scored by three experts to 88 + 8 (trimmed mean).
Idempotent: a second run creates nothing."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shequ.core import services as core_services
from shequ.core.choices import NodeKind, Role
from shequ.core.models import Department, Node, User

from . import selectors, services
from .choices import EcoKind, Source, SubjectKind
from .config import indicators_ensure, marks_losing, pilot_sheet_ensure
from .models import Assessment, EcoHousehold, IndicatorEntry

EXPERTS = [("expert1", "沈国平", "LHSR"), ("expert2", "蒋文华", "SW")]
PILOT = "杨浦区政府办公大楼节能标准化试点验收"
# (base, feature) of each expert: the trimmed mean drops 91 + 9 and 86 + 7, leaving 88 + 8.
PILOT_SCORES = [("leader", 86, 7), ("expert1", 88, 8), ("expert2", 91, 9)]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
ROADS = ["延吉东路", "延吉中路", "延吉西路", "控江路", "靖宇东路", "松花江路", "包头路", "敦化路"]
ENTERED = {"lc-awareness": (62, 72), "lc-practice": (55, 66), "lc-sorting": (20, 27), "lc-five-savings": (58, 70),
           "lc-green-travel": (60, 68)}


def evidence_pdf(name: str = "佐证材料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n% Shequ demo evidence\n%%EOF\n", content_type="application/pdf")


def _experts(password: str) -> list[User]:
    sub = Node.objects.filter(kind=NodeKind.SUBDISTRICT).order_by("code").first()
    users = []
    for username, name, dept in EXPERTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = core_services.user_create(actor=None, username=username, full_name=name, role=Role.DEPT_OFFICER,
                                             password=password, nodes=[sub],
                                             department=Department.objects.filter(code=dept).first(),
                                             password_is_temporary=False)
        users.append(user)
    return users


def seed(*, stdout, password: str, rng: random.Random) -> None:
    leader = User.objects.filter(username="leader", role=Role.LEADER).first()
    sub = Node.objects.filter(kind=NodeKind.SUBDISTRICT, name__startswith="延吉").order_by("code").first()
    if leader is None or sub is None:
        stdout.write("  指标与考核：没有演示账号或延吉新村街道，跳过")
        return
    today = timezone.localdate()
    indicators = indicators_ensure(node=sub, start_year=today.year - 1, grid_year=today.year)
    sheet = pilot_sheet_ensure()
    if Assessment.objects.filter(title=PILOT).exists():
        stdout.write("  指标与考核：已有演示数据")
        return
    committees = list(Node.objects.filter(kind=NodeKind.COMMITTEE, path__startswith=sub.path, is_active=True)
                      .order_by("code"))
    workers = {}
    for worker in User.objects.filter(role=Role.COMMITTEE_WORKER, is_active=True):
        for node in worker.nodes.filter(kind=NodeKind.COMMITTEE):
            workers.setdefault(node.pk, worker)
    entries = _entries(indicators, committees, workers, leader, rng, today)
    certified = _households(committees, workers, leader, rng, today)
    _pilot(sheet, leader, password)
    month_end = today.replace(day=1) - dt.timedelta(days=1)
    for _month in range(11):  # the trend lines: the last eleven month ends, then today
        services.snapshot_take(user=leader, day=month_end)
        month_end = month_end.replace(day=1) - dt.timedelta(days=1)
    services.snapshot_take(user=leader)
    stdout.write(f"  指标与考核：指标 {len(indicators)} 项，填报 {entries} 条，生态文明户/低碳之家 {certified} 户，"
                 f"试点验收 88 + 8")


def _entries(indicators, committees, workers, leader, rng, today) -> int:
    """Quarterly values of last year and this year from the committees that have a demo worker; the latest quarter
    of 敦化路 left waiting for approval."""
    count = 0
    months = [dt.date(y, m, 1) for y in (today.year - 1, today.year) for m in (3, 6, 9, 12)
              if dt.date(y, m, 1) <= today]
    for indicator in indicators:
        if indicator.source != Source.ENTERED or indicator.code not in ENTERED:
            continue
        low, high = ENTERED[indicator.code]
        for committee in committees:
            worker = workers.get(committee.pk)
            if worker is None:
                continue
            for index, month in enumerate(months):
                if IndicatorEntry.objects.filter(indicator=indicator, committee=committee, period=month).exists():
                    continue
                share = (index + 1) / len(months)
                value = Decimal(low + (high - low) * share + rng.uniform(-2, 2)).quantize(Decimal(1))
                entry = services.entry_submit(actor=worker, indicator=indicator, committee=committee,
                                              period=month.strftime("%Y-%m"), value=value,
                                              note="季度统计", evidence=[evidence_pdf()])
                count += 1
                if index < len(months) - 1 or worker.username != "dunhua":
                    services.entry_approve(actor=leader, entry=entry)
    return count


def _households(committees, workers, leader, rng, today) -> int:
    certified = 0
    for committee in committees:
        worker = workers.get(committee.pk)
        if worker is None:
            continue
        for n in range(36):
            kind = EcoKind.LOW_CARBON if n % 6 == 0 else EcoKind.ECO
            name = f"{rng.choice(SURNAMES)}{rng.choice('秀建国美丽志海明华')}{rng.choice('英军芳强平伟')}家庭"
            address = f"{rng.choice(ROADS)}{rng.randint(1, 999)}弄{rng.randint(1, 60)}号{rng.randint(101, 602)}室"
            household = services.eco_propose(actor=worker, committee=committee, kind=kind, name=name,
                                              address=address, practices="垃圾分类、节水节电、绿色出行",
                                              year=today.year if n % 2 else today.year - 1)
            if n < 32:
                services.eco_certify(actor=leader, household=household)
                certified += 1
    return certified


def _pilot(sheet, leader, password) -> Assessment:
    experts = {u.username: u for u in [leader, *_experts(password)]}
    assessment = services.assessment_create(
        actor=leader, sheet=sheet, subject_kind=SubjectKind.PILOT, subject="杨浦区政府办公大楼", title=PILOT,
        held_on=timezone.localdate() - dt.timedelta(days=20), experts=list(experts.values()))
    services.assessment_add_evidence(actor=leader, assessment=assessment,
                                     files=[evidence_pdf("试点工作总结报告.pdf"), evidence_pdf("能耗计量台账.pdf")])
    layout = selectors.sheet_layout(sheet=sheet)
    for username, base, feature in PILOT_SCORES:
        services.assessment_score(actor=experts[username], assessment=assessment,
                                  marks=marks_losing(layout, base_loss=100 - base, feature_loss=10 - feature))
    return services.assessment_sign(actor=leader, assessment=assessment,
                                    conclusion="试点工作扎实，标准体系完整，节能成效明显，同意通过验收。")


