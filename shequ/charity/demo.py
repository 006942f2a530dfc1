"""Demo data of the charity supermarket: the 慈善超市 of 延吉七村睦邻中心 (opened there in 2011, as the seed page
tells), run by the `facility` login; its goods, donations from the companies the seed names and from residents,
and this month's hand-outs to 低保 and 残疾 households of 延吉七村. Idempotent: a second run creates nothing."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from shequ.core.choices import NodeKind, Role
from shequ.core.errors import DomainError
from shequ.core.models import Node, User
from shequ.facilities import selectors as facilities_selectors
from shequ.facilities import services as facilities
from shequ.people import selectors as people

from . import services
from .models import Supermarket

CENTRE = "延吉七村睦邻中心"
SHOP = "延吉七村睦邻中心慈善超市"
GOODS = [("大米", "袋", 20, 60), ("食用油", "桶", 30, 30), ("挂面", "包", 5, 80), ("洗衣粉", "袋", 8, 40),
         ("牙膏", "支", 4, 50), ("毛巾", "条", 5, 40), ("牛奶", "箱", 25, 20), ("棉被", "床", 50, 8)]
DONORS = [("company", "上海宝地置业有限公司", "money", "5000.00", None),
          ("company", "上海上实物业管理有限公司", "goods", None, {"大米": 30, "食用油": 12}),
          ("company", "上海丁俊晖台球俱乐部有限公司", "goods", None, {"牛奶": 10, "毛巾": 20}),
          ("person", "周美兰", "goods", None, {"棉被": 2, "毛巾": 6}),
          ("person", "孙建华", "money", "300.00", None),
          ("person", "吴丽娟", "goods", None, {"挂面": 20, "牙膏": 12})]


def seed(*, stdout, password: str, rng: random.Random) -> None:
    operator = User.objects.filter(username="facility", role=Role.FACILITY_OPERATOR).first()
    leader = User.objects.filter(role=Role.LEADER).order_by("id").first()
    committee = Node.objects.filter(kind=NodeKind.COMMITTEE, name__startswith="延吉七村").first()
    if operator is None or leader is None or committee is None:
        stdout.write("  慈善超市：没有演示账号或延吉七村居委会，跳过")
        return
    known = {f.name: f for f in facilities_selectors.facility_list(user=leader).filter(name__in=[CENTRE, SHOP])}
    centre = known.get(CENTRE) or facilities.facility_create(
        actor=leader, level="neighbourhood_centre", name=CENTRE, node=committee,
        address="延吉东路149号", operator_name="上海知行社会工作服务社",
        services=["96980社区服务热线", "慈善超市", "外来务工之家", "青少年之家", "志愿中心"])
    shop = known.get(SHOP) or facilities.facility_create(
        actor=leader, level="other", name=SHOP, node=committee, address="延吉东路149号一楼",
        parent=centre, description="2011年在延吉七村睦邻中心开设，接收社会捐赠，为困难家庭提供物资。")
    facilities.facility_staff_assign(actor=leader, facility=centre, user=operator)
    existed = Supermarket.objects.filter(facility=shop).exists()
    supermarket = services.supermarket_open(actor=leader, facility=shop)
    if existed:
        stdout.write("  慈善超市：已有演示数据")
        return
    goods = {}
    for name, unit, points, stock in GOODS:
        goods[name] = services.goods_create(actor=operator, supermarket=supermarket, name=name, unit=unit,
                                            points=points)
        services.stock_adjust(actor=operator, goods=goods[name], kind="purchase", quantity=stock,
                              note="街道慈善专项采购")
    today = timezone.localdate()
    for index, (donor_kind, name, kind, amount, lines) in enumerate(DONORS):
        services.donation_create(
            actor=operator, supermarket=supermarket, kind=kind, donor_kind=donor_kind, donor_name=name,
            donor_phone=f"1391602{rng.randint(1000, 9999)}" if donor_kind == "person" else "",
            amount=amount, lines=[(goods[g].pk, q) for g, q in (lines or {}).items()],
            received_on=max(today.replace(day=1), today - dt.timedelta(days=2 * index)))
    handed = 0
    for tag in ("dibao", "disabled"):
        for resident in people.resident_list(user=operator, tag=tag, committee_id=committee.pk)[:6]:
            if resident.household_id is None:
                continue
            picks = rng.sample(["大米", "食用油", "挂面", "洗衣粉", "牙膏", "毛巾"], 2)
            try:
                services.distribution_create(actor=operator, supermarket=supermarket,
                                             household_id=resident.household_id, recipient_id=resident.pk,
                                             items={goods[p].pk: 1 for p in picks})
                handed += 1
            except DomainError:
                continue  # already served up to its allowance this month
    stdout.write(f"  慈善超市：{SHOP}，物品 {len(goods)} 种，捐赠 {len(DONORS)} 笔，发放 {handed} 次")
