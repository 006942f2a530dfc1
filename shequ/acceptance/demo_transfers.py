"""Demo 全市通办 transfers of 延吉新村街道: 收受分离 cases taken in for applicants whose 户籍 is in another district, in
every state (to send, sent in a batch, received, reviewed, result returned). Built through the services, so
each has its events and audit rows; the home centres are outside the demo's one 街道, so the centre's clerks
record their steps as those centres report them. Idempotent: skipped when the centre has transfers."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from shequ.core import idcard
from shequ.core.errors import DomainError

from . import services
from .choices import TransferStatus
from .models import ServiceItem, Transfer

HOMES = ["虹口区欧阳路街道社区事务受理服务中心", "浦东新区潍坊新村街道社区事务受理服务中心",
         "静安区彭浦新村街道社区事务受理服务中心"]
# applicant, item code, home, how far it has gone
PLAN = [("冯建英", "MZ-JZ-01", 0, TransferStatus.PENDING), ("蒋国栋", "MZ-JZ-02", 1, TransferStatus.PENDING),
        ("沈桂兰", "MZ-JZ-01", 0, TransferStatus.SENT), ("韩志明", "MZ-JZ-05", 0, TransferStatus.SENT),
        ("曹秀珍", "MZ-JZ-03", 1, TransferStatus.RECEIVED), ("彭海波", "MZ-JZ-01", 2, TransferStatus.REVIEWED),
        ("曾玉华", "MZ-JZ-02", 2, TransferStatus.RETURNED)]
COURIER = ("区机要交换站 顾师傅", "13761820517")


def _applicant(rng: random.Random, name: str) -> dict:
    birth = dt.date(rng.randint(1950, 1990), rng.randint(1, 12), rng.randint(1, 28))
    body = f"{rng.choice(['310109', '310115', '310106'])}{birth:%Y%m%d}{rng.randint(0, 999):03d}"
    return {"name": name, "id_number": body + idcard.check_char(body),
            "phone": f"139{rng.randint(10000000, 99999999)}"}


def seed_transfers(*, sub, clerk, stdout) -> None:
    if Transfer.objects.filter(node=sub).exists():
        return
    rng = random.Random(3101100151)
    made: dict[str, list[Transfer]] = {s: [] for s in TransferStatus.values}
    try:
        with transaction.atomic():  # all or nothing: a refusal half-way leaves no partial demo
            _build(made, rng, clerk)
    except DomainError as exc:  # e.g. no confirmed calendar for this year: no due date, no acceptance
        stdout.write(f"  通办转递：跳过（{exc.message}）")
        return
    stdout.write(f"  通办转递：{Transfer.objects.filter(node=sub).count()} 件")


def _build(made, rng, clerk) -> None:
    for name, code, home, reach in PLAN:
        item = ServiceItem.objects.filter(code=code, tongban=True, separated=True, is_active=True).first()
        if item is None:
            continue
        case = services.case_intake(actor=clerk, item=item, decision="accept", applicant=_applicant(rng, name),
                                    provided=[m.pk for m in item.materials.all() if not m.condition],
                                    home={"outside": HOMES[home]})
        made[reach].append(case.transfer)
    by_home: dict[str, list[Transfer]] = {}
    for reach in (TransferStatus.SENT, TransferStatus.RECEIVED, TransferStatus.REVIEWED, TransferStatus.RETURNED):
        for t in made[reach]:
            by_home.setdefault(t.home_name, []).append(t)
    for transfers in by_home.values():
        services.batch_create(actor=clerk, transfers=transfers, courier_name=COURIER[0],
                              courier_phone=COURIER[1], note="纸质材料密封，随附交接单")
    for reach, steps in ((TransferStatus.RECEIVED, 1), (TransferStatus.REVIEWED, 2), (TransferStatus.RETURNED, 3)):
        for t in made[reach]:
            t.refresh_from_db()
            services.transfer_receive(actor=clerk, transfer=t, note="对方中心电话告知已签收纸质材料")
            if steps >= 2:
                services.transfer_review(actor=clerk, transfer=t, outcome="approved",
                                         note="户籍地中心审核通过")
            if steps >= 3:
                services.transfer_return_result(actor=clerk, transfer=t,
                                                result_note="核准，结果已通过一网通办回传")
