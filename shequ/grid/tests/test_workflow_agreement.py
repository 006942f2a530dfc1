"""The declared workflows agree with their services: for every persona × status × action, the action is offered
(on the page and by the API's `actions/`) exactly when its service accepts it."""

import datetime as dt

import pytest
from django.db import transaction

from shequ.core.errors import DomainError
from shequ.grid import services
from shequ.grid.choices import CaseAction as A
from shequ.grid.choices import CaseStatus as S
from shequ.grid.choices import HotlineStatus as H
from shequ.grid.models import Case, ExtensionRequest, HotlineOrder, ParkRequest
from shequ.grid.tests.conftest import DUNHUA, report
from shequ.grid.workflows import CASE, HOTLINE

pytestmark = pytest.mark.django_db
PERSONAS = ["operator", "shiftlead", "dispatcher", "inspector", "other_inspector", "cgzf", "dunhua", "kongjiang",
            "leader", "patrol", "hotline_office"]


class _Undo(Exception):
    pass


def _accepted(workflow, user, obj, name, inputs) -> bool:
    """Whether the service takes the action (everything it wrote is rolled back)."""
    try:
        with transaction.atomic():
            workflow.perform(user, obj, name, **inputs)
            raise _Undo
    except _Undo:
        return True
    except DomainError:
        return False


def _case(env, status, variant):
    """A case in `status`: a supervisor's patrol report (with 城管), a work station's own report (with the
    station) or a resident's report (with 城管, and a pending extension request)."""
    user, source = {"patrol": ("inspector", "patrol"), "station": ("dunhua", "station"),
                    "resident": ("operator", "resident")}[variant]
    case = report(env, user=user, source=source)
    now = case.reported_at
    unit = env["station"] if variant == "station" else env["chengguan"]
    before_dispatch = status in (S.REPORTED, S.VERIFYING, S.VERIFIED, S.FILED)
    Case.objects.filter(pk=case.pk).update(
        status=status, unit=None if before_dispatch else unit, dispatched_at=now, deadline=now + dt.timedelta(hours=4),
        warn_at=now + dt.timedelta(hours=3), limit_hours=4, limit_unit="work_hours",
        parked_at=now if status == S.PARKED else None,
        fed_back_at=now if status in (S.FED_BACK, S.CHECKED, S.CLOSED, S.EVALUATED) else None)
    case.refresh_from_db()
    if variant == "resident" and not before_dispatch:
        ExtensionRequest.objects.create(case=case, unit=unit, hours=8, reason="需协调", requested_by=env["cgzf"])
        ParkRequest.objects.create(case=case, unit=unit, reason="季节性工程", requested_by=env["cgzf"])
    if variant == "patrol" and not before_dispatch:  # a second extension: the 城运中心 leader's, not the 值班长's
        Case.objects.filter(pk=case.pk).update(extension_count=1)
        case.refresh_from_db()
        ExtensionRequest.objects.create(case=case, unit=unit, hours=4, reason="再次申请", requested_by=env["cgzf"],
                                        level=2, level_reasons="第二次及以上延期")
    return case


def _inputs(env, name, target):
    inputs = {"note": "说明情况和理由"}
    if name == A.MERGE:
        inputs["target"] = target.number
    if name == A.DISPATCH:
        inputs["unit"] = env["chengguan"]
    if name == A.REDISPATCH:
        inputs["unit"] = env["mz"]
    if name == A.EVALUATE:
        inputs["satisfaction"] = "satisfied"
    if name == A.REQUEST_EXTENSION:
        inputs["hours"] = 8
    if name == A.APPROVE_PARK:
        inputs["review_on"] = dt.date(2026, 4, 1)
    return inputs


@pytest.mark.parametrize("status", S.values)
def test_it_offers_a_case_action_exactly_when_its_service_accepts_it(env, status):
    target = report(env, description="同一地点的另一条上报")
    mismatches, accepted = [], 0
    for variant in ("patrol", "station", "resident"):
        case = _case(env, status, variant)
        for persona in PERSONAS:
            user = env[persona]
            offered = {a.name for a in CASE.available(user, case)}
            for name in CASE.names:
                ok = _accepted(CASE, user, case, name, _inputs(env, name, target))
                accepted += ok
                if ok != (name in offered):
                    mismatches.append((variant, persona, name, "offered" if name in offered else "hidden", ok))
    assert mismatches == []
    # It would prove nothing if nothing were ever accepted: in every status someone may act (a note, at least).
    assert accepted > 0


HOTLINE_INPUTS = {"sign": {}, "return": {"reason": "属地不符", "note": "位于殷行街道"},
                  "extend": {"days": 3, "reason": "coordination", "note": "需要协调"},
                  "approve_return": {}, "reject_return": {"note": "属于本街道"}, "approve_extend": {},
                  "reject_extend": {"note": "时限内可办结"}, "record_decision": {"decision": "approved", "note": "平台已批准"},
                  "assign": {"assignee": "committee:310110015001", "due": "2026-03-11", "note": "请上门核实"}, "reply": {"note": "已处理完毕，答复市民", "resolution": "solved"},
                  "contact": {"contact_method": "phone"},
                  "visit": {"satisfaction": "satisfied"}, "reopen": {"note": "市民反映未解决"}, "merge": {}}


@pytest.mark.parametrize("status", H.values)
def test_it_offers_an_order_action_exactly_when_its_service_accepts_it(env, status):
    def receive(no):
        return services.hotline_receive(actor=env["operator"], subdistrict=env["node_sub"], data={
            "order_no": no, "hotline_type": "投诉", "content": "小区门口有摊贩占道经营", "address": "敦化路1号",
            "lat": DUNHUA[0], "lng": DUNHUA[1]})

    main = receive("SH-MAIN")
    order = receive("SH-1")
    HotlineOrder.objects.filter(pk=order.pk).update(status=status)
    order.refresh_from_db()
    mismatches = []
    for persona in PERSONAS:
        user = env[persona]
        offered = {a.name for a in HOTLINE.available(user, order)}
        for name in HOTLINE.names:
            inputs = {**HOTLINE_INPUTS[name], **({"target": main.order_no} if name == "merge" else {})}
            ok = _accepted(HOTLINE, user, order, name, inputs)
            if ok != (name in offered):
                mismatches.append((persona, name, "offered" if name in offered else "hidden", ok))
    assert mismatches == []


def test_it_offers_the_api_the_same_actions_as_the_page(env, api_as, client_as):
    from django.urls import reverse

    case = report(env, user="dunhua", source="station")
    api = api_as(env["dunhua"]).get(f"/api/v1/grid/cases/{case.pk}/actions/")
    assert api.status_code == 200
    names = [a["name"] for a in api.json()]
    assert names == ["self_handle", "note"]
    page = client_as(env["dunhua"]).get(reverse("grid:case-detail", args=[case.pk])).content.decode()
    assert 'data-action="self_handle"' in page and 'data-action="file"' not in page
    assert api_as(env["other_inspector"]).get(f"/api/v1/grid/cases/{case.pk}/actions/").status_code == 404
