"""Synthetic residents and households for the demo (valid GB 11643 check digits, no real person)."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from shequ.core import crypto
from shequ.core.audit import audit_record
from shequ.core.choices import AuditAction, NodeKind
from shequ.core.idcard import check_char, mask_id_number, mask_phone
from shequ.core.models import Node

from .choices import HukouType, Relation
from .models import Household, Resident, Tag
from .services import tags_ensure_defaults
from .validation import pinyin_of

SURNAMES = "王李张刘陈杨黄赵周吴徐孙朱马胡郭林何高罗郑梁谢宋唐许邓冯韩曹曾彭萧蔡潘田董袁于余叶蒋杜苏魏程吕丁沈任姚卢傅钟姜崔谭陆范汪廖石金贾"
GIVEN_M = ["建国", "国强", "志强", "伟", "勇", "军", "磊", "洋", "杰", "涛", "明", "超", "华", "平", "刚", "浩", "宇轩",
           "子涵", "俊杰", "文斌", "德明", "根宝", "荣生", "金龙", "海峰", "立新", "永康", "振华", "家豪", "博文"]
GIVEN_F = ["秀英", "桂英", "玉兰", "美华", "丽萍", "敏", "静", "丽", "艳", "娟", "霞", "芳", "燕", "婷", "雪梅", "慧",
           "佳怡", "欣怡", "梓涵", "雨涵", "凤英", "素珍", "月娥", "阿娣", "金妹", "晓燕", "海燕", "红梅", "琳", "思琪"]
# Shanghai district area codes, 310110 (杨浦) most common.
AREAS = ["310110"] * 6 + ["310109", "310107", "310105", "310104", "320106", "330102", "340104", "420106"]
STREETS = ["延吉中路", "延吉东路", "延吉西路", "控江路", "敦化路", "松花江路", "舒兰路", "内江路", "长白路", "双阳路"]


def _id_number(rng: random.Random, birth: dt.date, male: bool) -> str:
    seq = rng.randint(0, 499) * 2 + (1 if male else 0)
    body = f"{rng.choice(AREAS)}{birth:%Y%m%d}{seq:03d}"
    return body + check_char(body)


def _birth(rng: random.Random, today: dt.date) -> dt.date:
    # An old neighbourhood: ~31 % are 60+, ~6 % 80+ (the seed: 23,000 elderly among ~75,000 residents).
    bucket = rng.random()
    if bucket < 0.06:
        age = rng.randint(80, 99)
    elif bucket < 0.31:
        age = rng.randint(60, 79)
    elif bucket < 0.45:
        age = rng.randint(0, 17)
    else:
        age = rng.randint(18, 59)
    return today - dt.timedelta(days=age * 365 + rng.randint(0, 364))


def seed(*, stdout, password: str, rng: random.Random, count: int = 3000) -> None:
    tags_ensure_defaults()
    committees = list(Node.objects.filter(kind=NodeKind.COMMITTEE, code__startswith="310110015").order_by("code"))
    if Resident.objects.filter(committee__in=committees).exists():
        stdout.write(f"  居民：已有 {Resident.objects.count()} 人，跳过")
        return
    tags = {t.code: t for t in Tag.objects.all()}
    rng = random.Random(2026)
    today = dt.date(2026, 11, 1)
    created = 0
    with transaction.atomic():
        residents, memberships, households = [], [], []
        seen = set(Resident.objects.values_list("id_hash", flat=True))
        hh_serial = 0
        while created < count:
            committee = committees[hh_serial % len(committees)]
            hh_serial += 1
            street = rng.choice(STREETS)
            address = f"{street}{rng.randint(1, 400)}弄{rng.randint(1, 60)}号{rng.randint(1, 6)}0{rng.randint(1, 4)}室"
            number = f"H{committee.code[-3:]}{hh_serial:06d}"
            household = Household.objects.filter(number=number).first() or Household(
                number=number, committee=committee, address=address)
            if household.pk is None:
                households.append(household)
            size = rng.choice([1, 1, 2, 2, 2, 3, 3, 4, 5])
            surname = rng.choice(SURNAMES)
            for position in range(size):
                if created >= count:
                    break
                male = rng.random() < 0.48
                birth = _birth(rng, today) if position else today - dt.timedelta(days=rng.randint(35, 90) * 365)
                id_number = _id_number(rng, birth, male)
                id_hash = crypto.keyed_hash(id_number)
                if id_hash in seen:
                    continue
                seen.add(id_hash)
                name = (surname if position != 1 else rng.choice(SURNAMES)) + rng.choice(GIVEN_M if male else GIVEN_F)
                phone = f"1{rng.choice('35789')}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}" \
                    if rng.random() < 0.85 else ""
                full, initials = pinyin_of(name)
                relation = Relation.HEAD if position == 0 else (Relation.SPOUSE if position == 1 else
                                                                rng.choice([Relation.CHILD, Relation.PARENT,
                                                                            Relation.GRANDCHILD]))
                r = Resident(
                    name=name, name_pinyin=full, name_initials=initials, gender="M" if male else "F",
                    birth_date=birth, id_number=id_number, id_hash=id_hash, id_masked=mask_id_number(id_number),
                    phone=phone, phone_hash=crypto.keyed_hash(phone) if phone else "", phone_masked=mask_phone(phone),
                    committee=committee, address=household.address, household=household, relation=relation,
                    hukou_type=rng.choices([HukouType.REGISTERED, HukouType.NON_LOCAL, HukouType.SEPARATED],
                                           [75, 15, 10])[0])
                residents.append(r)
                age = (today - birth).days // 365
                chosen = []
                if size == 1 and age >= 60:
                    chosen.append("living_alone")
                if age >= 60 and rng.random() < 0.2:
                    chosen.append("empty_nest")
                for code, p in (("dibao", 0.03), ("disabled", 0.04), ("party_member", 0.08), ("volunteer", 0.06),
                                ("key_group", 0.01), ("veteran", 0.02)):
                    if rng.random() < p:
                        chosen.append(code)
                memberships.append((r, chosen))
                created += 1
        Household.objects.bulk_create(households, batch_size=1000)
        for r, _c in memberships:
            r.household_id = r.household.pk
        Resident.objects.bulk_create(residents, batch_size=1000)
        through = Resident.tags.through
        through.objects.bulk_create([through(resident_id=r.pk, tag_id=tags[c].pk) for r, codes in memberships
                                     for c in codes], batch_size=2000)
        audit_record(actor=None, action=AuditAction.IMPORT, object_type="people.resident",
                     detail={"via": "seed_demo", "created": created})
    stdout.write(f"  居民：新建 {created} 人，{len(households)} 户")
