"""12345 as practised: reply limits in working days, the platform's own 办结时限, 先行联系 before the reply, the
resolution, the reply proposed from the closed grid case, and the rates computed from them."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from shequ.core.errors import ConflictError, DomainError
from shequ.grid import selectors, services
from shequ.grid.choices import CaseAction as A
from shequ.grid.models import HotlineOrder, ProcessLimit
from shequ.grid.tests.conftest import DUNHUA, act
from shequ.grid.tests.test_hotline import _xlsx

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def _order(env, no="SH-1", **data):
    payload = {"order_no": no, "hotline_type": "投诉", "title": "占道经营", "content": "小区门口有摊贩占道经营",
               "address": "敦化路1号", "lat": DUNHUA[0], "lng": DUNHUA[1], "category": "E0502", **data}
    return services.hotline_receive(actor=env["operator"], data=payload, subdistrict=env["node_sub"])


def _at(day, hour=17, minute=0):
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=SH)


def test_it_counts_reply_limits_in_working_days(env):
    # Signed on Tuesday 10 March 09:00: a complaint is due at the end of the 5th working day, Tuesday 17 March.
    order = services.hotline_sign(actor=env["operator"], order=_order(env))
    assert order.reply_due == _at(17)
    consult = services.hotline_sign(actor=env["operator"], order=_order(env, "SH-2", hotline_type="咨询"))
    assert consult.reply_due == _at(11)
    order = services.hotline_extend(actor=env["operator"], order=order, days=3, reason="需多部门协调")
    order = services.hotline_approve_extend(actor=env["hotline_office"], order=order)
    assert order.reply_due == _at(20)  # three more working days from the old limit
    ProcessLimit.objects.update_or_create(step="hotline_reply", defaults={"hours": 0, "days": 3})
    assert services.hotline_sign(actor=env["operator"], order=_order(env, "SH-3")).reply_due == _at(13)


def test_it_imports_and_shows_the_platforms_own_due_date(env, client_as):
    order = _order(env, platform_due="2026-03-16 12:00")
    assert order.platform_due == _at(16, 12)
    order = services.hotline_sign(actor=env["operator"], order=order)
    assert order.reply_due == _at(16, 12)  # never later than the platform's limit
    with pytest.raises(DomainError):
        _order(env, "SH-9", platform_due="2026-03-01 12:00")
    page = client_as(env["operator"]).get(reverse("grid:hotline-detail", args=[order.pk])).content.decode()
    assert "办结时限（平台）" in page and "2026年3月16日" in page
    client = client_as(env["operator"])
    upload = _xlsx([["X1", "求助", "路灯", "路灯不亮", "敦化路", "", "", "一般", "2026-03-10 08:00", DUNHUA[0],
                     DUNHUA[1], "C0109", "2026-03-13 17:00"]])
    client.post(reverse("grid:hotline-import"), {"file": upload})
    assert HotlineOrder.objects.get(order_no="X1").platform_due == _at(13)


def test_it_requires_first_contact_and_a_resolution_before_the_reply(env, clock, client_as):
    order = services.hotline_sign(actor=env["operator"], order=_order(env))
    with pytest.raises(ConflictError):
        services.hotline_reply(actor=env["operator"], order=order, text="已协调城管清理", resolution="solved")
    client = client_as(env["operator"])
    page = client.get(reverse("grid:hotline-detail", args=[order.pk])).content.decode()
    assert 'id="h-contact-info"' in page and 'id="h-reply"' not in page  # the reply is not offered yet
    with pytest.raises(DomainError):
        services.hotline_contact(actor=env["operator"], order=order, method="carrier-pigeon")
    answer = client.post(reverse("grid:hotline-act", args=[order.pk, "contact"]), {
        "contact_method": "visit", "contact_by": "李网格员", "contact_at": "2026-03-10T09:00", "note": "上门了解"})
    assert answer.status_code == 302
    order.refresh_from_db()
    assert (order.contact_at, order.contact_by, order.contact_method) == (_at(10, 9, 0), "李网格员", "visit")
    assert order.contact_on_time is True
    with pytest.raises(DomainError):
        services.hotline_reply(actor=env["operator"], order=order, text="已协调城管清理")
    order = services.hotline_reply(actor=env["operator"], order=order, text="已协调城管清理", resolution="partly")
    assert order.resolution == "partly" and order.events.last().note.startswith("【部分解决】")
    page = client.get(reverse("grid:hotline-detail", args=[order.pk])).content.decode()
    assert "部分解决" in page and "李网格员" in page
    # A contact two working days after 签收 is recorded as late.
    late = services.hotline_sign(actor=env["operator"], order=_order(env, "SH-2"))
    clock.shift(dt.timedelta(days=2))
    late = services.hotline_contact(actor=env["operator"], order=late, method="phone")
    assert late.contact_on_time is False and "超过先行联系时限" in late.events.last().note


def test_closing_the_linked_case_proposes_the_reply(env, client_as):
    order = services.hotline_sign(actor=env["operator"], order=_order(env))
    case = order.case
    url = reverse("grid:hotline-detail", args=[order.pk])
    services.hotline_contact(actor=env["operator"], order=order, method="phone")
    assert "摊贩已劝离" not in client_as(env["operator"]).get(url).content.decode()
    for action, user, kw in ((A.SEND_VERIFY, "operator", {}), (A.VERIFY_OK, "inspector", {}),
                             (A.FILE, "shiftlead", {}), (A.DISPATCH, "dispatcher", {"unit": env["chengguan"]}),
                             (A.SIGN, "cgzf", {}), (A.FEEDBACK, "cgzf", {"note": "摊贩已劝离，现场已清理"}),
                             (A.CHECK_PASS, "inspector", {}), (A.CLOSE, "shiftlead", {})):
        case = act(env, case, action, user, **kw)
    page = client_as(env["operator"]).get(url).content.decode()
    assert f"经网格案件 {case.number} 处置" in page and "摊贩已劝离，现场已清理</textarea>" in page


def test_the_rates_use_the_recorded_contact_and_resolution(env, clock):
    first = services.hotline_sign(actor=env["operator"], order=_order(env, "R1"))
    second = services.hotline_sign(actor=env["operator"], order=_order(env, "R2"))
    _order(env, "R3")
    services.hotline_contact(actor=env["operator"], order=first, method="phone")
    services.hotline_reply(actor=env["operator"], order=first, text="已经处理完毕", resolution="solved")
    clock.shift(dt.timedelta(days=3))
    services.hotline_contact(actor=env["operator"], order=second, method="phone")
    services.hotline_reply(actor=env["operator"], order=second, text="无法处理完毕", resolution="not_feasible")
    rates = selectors.hotline_rates(user=env["operator"], start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31))
    assert rates["received"] == 3 and rates["contacted"] == 1
    assert rates["contact_rate"] == pytest.approx(33.3) and rates["solve_rate"] == 50.0
