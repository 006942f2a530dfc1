"""Demo data of events and festivals: the partner units the seed names (a military band, a dance troupe, a film
channel), the 延吉风韵月月展 series with one exhibition a month this year (walk-in registrations checked in), the
learning festival (学习节) with its lectures, this month's open events with free places and a full one with a
wait-list, and two visiting delegations. Idempotent: a second run creates nothing."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from shequ.core.choices import NodeKind, Role
from shequ.core.models import Node, User
from shequ.facilities import selectors as facilities_selectors

from . import services
from .models import Series

SERIES = "延吉风韵月月展"
PARTNERS = [("东海舰队某部军乐队", "部队"), ("延吉社区舞蹈团", "文艺团体"), ("上海电视台纪实频道", "媒体")]
EXHIBITIONS = ["书法作品展", "摄影作品展", "剪纸艺术展", "绘画作品展", "老物件展", "家风家训展",
               "非遗手工展", "少儿画展", "旗袍文化展", "垃圾分类主题展", "红色记忆展", "年画展"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["秀英", "建国", "美华", "志强", "丽萍", "海涛", "玉兰", "伟", "敏", "静", "红梅", "小燕"]


def _name(rng) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _held(event, organiser, rng, count: int) -> None:
    """Walk-in registrations before the event and check-ins at its start (a past event)."""
    before = event.start - dt.timedelta(days=1)
    for _ in range(count):
        reg = services.registration_create(actor=organiser, event=event, name=_name(rng), now=before)
        if reg.status == "registered" and rng.random() < 0.9:
            services.registration_check_in(actor=organiser, registration=reg, now=event.start)


def seed(*, stdout, password: str, rng: random.Random) -> None:
    leader = User.objects.filter(username="leader", role=Role.LEADER).first()
    worker = User.objects.filter(username="dunhua", role=Role.COMMITTEE_WORKER).first()
    sub = Node.objects.filter(kind=NodeKind.SUBDISTRICT, name="延吉新村街道").first() or \
        Node.objects.filter(kind=NodeKind.SUBDISTRICT).order_by("path").first()
    if leader is None or sub is None:
        stdout.write("  活动与节庆：没有演示账号或街道，跳过")
        return
    if Series.objects.filter(name=SERIES).exists():
        return
    committees = list(Node.objects.filter(kind=NodeKind.COMMITTEE, path__startswith=sub.path).order_by("code"))
    dunhua = next((c for c in committees if c.name.startswith("敦化路")), committees[0] if committees else sub)
    partners = [services.partner_unit_create(actor=leader, name=n, kind=k) for n, k in PARTNERS]
    series = services.series_create(actor=leader, name=SERIES, node=sub,
                                    description="每月一期，在文化活动中心展出居民的作品。")
    tz = timezone.get_current_timezone()
    now = timezone.now()
    today = timezone.localdate()
    count = 0
    for month in range(1, today.month + 1):
        start = dt.datetime(today.year, month, 8, 9, 30, tzinfo=tz)
        if start <= now - dt.timedelta(hours=3):
            event = services.event_create(actor=leader, title=f"{SERIES}·{EXHIBITIONS[month - 1]}", node=sub,
                                          organiser="延吉新村街道文化活动中心", start=start,
                                          end=start + dt.timedelta(hours=7), capacity=120, venue="延吉新村街道文化活动中心",
                                          partners=partners[1:2], series=series, now=start - dt.timedelta(days=7))
            _held(event, leader, rng, rng.randint(40, 90))
            count += 1
    festival = services.festival_create(actor=leader, name=f"{today.year}年延吉新村街道学习节", node=sub,
                                        date_from=dt.date(today.year, 10, 10), date_to=dt.date(today.year, 10, 31),
                                        description="全民终身学习活动周：讲座、读书会、展演。")
    for day, title, partner in ((12, "开幕式暨军乐专场", partners[0]), (18, "社区读书会", None),
                                (25, "纪录片展映与交流", partners[2])):
        start = dt.datetime(today.year, 10, day, 14, 0, tzinfo=tz)
        if start <= now - dt.timedelta(hours=3):
            event = services.event_create(actor=leader, title=title, node=sub, organiser="延吉新村街道",
                                          start=start, end=start + dt.timedelta(hours=2), capacity=80,
                                          venue="延吉新村街道文化活动中心", partners=[partner] if partner else [],
                                          festival=festival)
            _held(event, leader, rng, rng.randint(30, 70))
            count += 1
    # Open events ahead: one with free places, one of 敦化路 already full with a wait-list.
    ahead = dt.datetime.combine(today + dt.timedelta(days=5), dt.time(14, 0), tzinfo=tz)
    services.event_create(actor=leader, title="低碳生活讲座", node=sub, organiser="延吉新村街道",
                          start=ahead, end=ahead + dt.timedelta(hours=2), capacity=60, venue="延吉新村街道文化活动中心",
                          description="节能、垃圾分类与绿色出行。")
    organiser = worker or leader
    full = services.event_create(actor=organiser, title="敦化路亲子手工课", node=dunhua, organiser="敦化路居委会",
                                 start=ahead + dt.timedelta(days=1), end=ahead + dt.timedelta(days=1, hours=2),
                                 capacity=8, waitlist_limit=5, venue="敦化路居委会活动室")
    for _ in range(10):
        services.registration_create(actor=organiser, event=full, name=_name(rng))
    resident = User.objects.filter(username="resident", role=Role.RESIDENT).first()
    count += 2
    visited = list(facilities_selectors.facility_list(user=leader)[:3])
    services.delegation_create(actor=leader, date=today - dt.timedelta(days=20), origin="浙江省嘉兴市某街道考察团",
                               node=sub, members=["张处长", "李科长", "王主任", "赵书记"],
                               programme="参观睦邻中心、城运分中心，座谈社区治理经验。", facilities=visited)
    services.delegation_create(actor=leader, date=today - dt.timedelta(days=50), origin="杨浦区兄弟街道学习团",
                               node=sub, member_count=12, programme="参观延吉风韵月月展、长者食堂。",
                               facilities=visited[:1])
    stdout.write(f"  活动与节庆：活动 {count} 场，系列与学习节各 1 个，来访 2 批"
                 f"{'' if resident else '（无居民演示账号）'}")
