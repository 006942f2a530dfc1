"""Demo data of the volunteer service ("3+1+X"): the 延吉志愿中心 (run by `vcenter`), a station in each of the 17
committees, the three standing teams, a brand team per committee and skill teams; the `volunteer` login and
`volunteer01`…`volunteer12` registered as volunteers, past activities with approved records (one volunteer a few
hours short of his first star), and upcoming activities to sign up for. Idempotent: a second run creates nothing."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from shequ.core import services as core
from shequ.core.choices import NodeKind, Role
from shequ.core.idcard import check_char
from shequ.core.models import Node, User

from . import services
from .choices import RecordStatus, SignupStatus, TeamKind
from .models import Activity, Centre, Record, Signup

CENTRE = "延吉志愿中心"
STANDING = [("市容环境志愿服务队", "2010-03-05", "垃圾分类值守、楼道清理、绿化养护"),
            ("平安志愿服务队", "2010-03-05", "小区巡逻、防火防盗宣传、重大活动安保"),
            ("助老扶困志愿服务队", "2010-03-05", "独居老人探访、助餐送餐、陪同就医")]
SKILLS = [("银发理发志愿服务队", "理发", "每月为高龄老人上门理发"),
          ("法律咨询志愿服务队", "法律", "律师志愿者每周坐堂解答"),
          ("家电维修志愿服务队", "维修", "小家电免费维修"),
          ("健康讲座志愿服务队", "医护", "社区医生志愿者健康讲座、量血压"),
          ("文艺宣传志愿服务队", "文艺", "文艺演出、学习节宣传")]
NAMES = ["林志愿", "陈晓东", "王秀英", "张建华", "李桂兰", "刘卫国", "赵丽娟", "孙志明", "周玉珍", "吴国强",
         "郑美华", "冯建平", "何淑芬"]
HEADS = ["刘美华", "黄丽萍", "朱红英", "沈建国", "陆文娟", "顾小平", "徐桂芳", "蒋志华", "钱玉兰", "潘国庆",
         "杜秀珍", "任建明", "姚丽华", "金伟民", "汪美玲", "石建新", "邵海燕"]


def _id(seed: int, year: int) -> str:
    body = f"310110{year}{(seed % 12) + 1:02d}{(seed % 27) + 1:02d}{seed % 1000:03d}"
    return body + check_char(body)


def _user(username, full_name, nodes, password):
    user = User.objects.filter(username=username).first()
    if user is None:
        user = core.user_create(actor=None, username=username, full_name=full_name, role=Role.VOLUNTEER,
                                password=password, nodes=nodes, password_is_temporary=False)
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password_changed_at"])
    return user


def seed(*, stdout, password: str, rng: random.Random) -> None:
    sub = Node.objects.filter(kind=NodeKind.SUBDISTRICT, code="310110015000").first()
    if sub is None:
        stdout.write("  志愿服务：没有延吉新村街道，跳过")
        return
    if Centre.objects.filter(node=sub).exists():
        stdout.write("  志愿服务：已有演示数据")
        return
    committees = list(Node.objects.filter(kind=NodeKind.COMMITTEE, parent=sub).order_by("sort_order", "code"))
    vcenter = _user("vcenter", "顾志华", [sub], password)
    centre = services.centre_create(actor=None, node=sub, name=CENTRE, person_in_charge="顾志华",
                                    phone="021-65020099", address="延吉东路149号", admins=[vcenter])
    for committee, head in zip(committees, HEADS):
        services.station_create(actor=None, centre=centre, committee=committee, head_name=head,
                                head_phone=f"1391602{rng.randint(1000, 9999)}")
    teams = [services.team_create(actor=None, centre=centre, name=n, kind=TeamKind.STANDING,
                                  founded=dt.date.fromisoformat(d), description=desc) for n, d, desc in STANDING]
    brands = [services.team_create(actor=None, centre=centre, kind=TeamKind.BRAND, committee=c,
                                   name=f"{c.name.removesuffix('居委会')}睦邻志愿服务队",
                                   founded=dt.date(2010 + i % 10, 3, 5), description="居委会品牌志愿服务队")
              for i, c in enumerate(committees)]
    skill_teams = [services.team_create(actor=None, centre=centre, name=n, kind=TeamKind.SKILL,
                                        founded=dt.date(2012, 5, 1), description=desc) for n, _s, desc in SKILLS]
    # Volunteers: the existing `volunteer` login and twelve more, spread over the committees.
    people = []
    for i, name in enumerate(NAMES):
        username = "volunteer" if i == 0 else f"volunteer{i:02d}"
        committee = committees[0] if i == 0 else committees[i % len(committees)]
        user = _user(username, name, [committee], password)
        skills = [SKILLS[i % len(SKILLS)][1]] + (["急救"] if i % 3 == 0 else [])
        volunteer = services.volunteer_register(
            actor=None, user=user, committee=committee, name=name, id_number=_id(i + 11, 1950 + i * 4),
            phone=f"1390210{1000 + i * 37:04d}", skills=skills, availability="周末上午" if i % 2 else "工作日下午",
            national_number=f"31011020{100000 + i * 13}" if i % 4 == 0 else "", consent=True,
            teams=[teams[i % 3], skill_teams[i % len(skill_teams)]] + ([brands[0]] if committee == committees[0]
                                                                     else []))
        people.append((user, volunteer))
    brands[0].admins.add(people[0][0])  # the 敦化路 brand team is run by the `volunteer` login
    _history(centre, teams + skill_teams, people, vcenter, rng)
    _upcoming(teams + brands[:3] + skill_teams, people, vcenter, rng)
    stdout.write(f"  志愿服务：{CENTRE}，服务站 {len(committees)} 个，队伍 {3 + len(brands) + len(skill_teams)} 支，"
                 f"志愿者 {len(people)} 人")


def _history(centre, teams, people, vcenter, rng) -> None:
    """Past activities with their records, approved through the service (so the totals, notices and audit are
    the real ones). `volunteer01` ends 2 hours short of 100 hours: one more approved activity crosses his first
    star."""
    now = timezone.localtime()
    targets = {1: 98 * 60}  # minutes of credited service before today
    for index, (user, volunteer) in enumerate(people):
        want = targets.get(index, rng.choice([6, 12, 20, 36, 60]) * 60)
        done, day = 0, 1
        while done < want:
            minutes = min(180, want - done)
            start = (now - dt.timedelta(days=day * 3 + index)).replace(hour=9, minute=0, second=0, microsecond=0)
            team = teams[(index + day) % len(teams)]
            activity = Activity.objects.create(
                team=team, node=team.node, title=f"{team.name.removesuffix('志愿服务队')}服务", place="延吉东路149号",
                start=start, end=start + dt.timedelta(minutes=minutes), slots=20, confirmed=1,
                created_by=vcenter, code_secret=f"demo{index}-{day}")
            Signup.objects.create(activity=activity, volunteer=volunteer, status=SignupStatus.CONFIRMED)
            record = Record.objects.create(activity=activity, volunteer=volunteer, status=RecordStatus.PENDING,
                                           check_in=start, check_out=activity.end, stay_minutes=minutes,
                                           credited_minutes=minutes, created_by=user)
            services.record_approve(actor=vcenter, record=record)
            done += minutes
            day += 1
        if index == 2:
            services.honour_add(actor=vcenter, volunteer=volunteer, minutes=600, reason="2015年起服务，使用系统前的记录补录")


def _upcoming(teams, people, vcenter, rng) -> None:
    today = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    plans = [("垃圾分类定时定点值守", "延吉七村垃圾厢房", 8, 2), ("平安巡逻", "敦化路1号", 19, 6),
             ("独居老人上门探访", "敦化路居委会", 14, 4), ("银发理发进社区", "延吉七村睦邻中心", 9, 3),
             ("法律咨询坐堂", "延吉新村街道社区事务受理服务中心", 13, 2), ("学习节文艺演出志愿者", "社区文化活动中心", 18, 10)]
    for i, (title, place, hour, slots) in enumerate(plans):
        start = (today + dt.timedelta(days=1 + i)).replace(hour=hour)
        team = teams[i % len(teams)]
        activity = services.activity_create(actor=vcenter, team=team, title=title, place=place, start=start,
                                            end=start + dt.timedelta(hours=2), slots=slots,
                                            description=f"{team.name}组织，请提前10分钟到场。")
        for user, _v in people[1:1 + min(len(people) - 1, slots + 1 if i == 0 else 2)]:
            services.signup_create(actor=user, activity=activity)
