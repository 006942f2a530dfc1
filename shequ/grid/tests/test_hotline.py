import datetime as dt
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from shequ.core.errors import ConflictError, DomainError
from shequ.grid import excel, services
from shequ.grid.choices import HotlineStatus as H
from shequ.grid.choices import Source
from shequ.grid.models import HotlineOrder
from shequ.grid.tests.conftest import DUNHUA, OUTSIDE

pytestmark = pytest.mark.django_db


def _order(env, no="SH12345-1", **data):
    payload = {"order_no": no, "hotline_type": "投诉", "title": "占道经营", "content": "小区门口有摊贩占道经营",
               "address": "敦化路1号", "lat": DUNHUA[0], "lng": DUNHUA[1], "category": "E0502", **data}
    return services.hotline_receive(actor=env["operator"], data=payload, subdistrict=env["node_sub"])


def test_it_receives_an_order_with_its_hotline_number_and_a_sign_limit(env):
    order = _order(env)
    assert order.status == H.RECEIVED and order.node == env["grid_dunhua"]
    assert order.sign_due > order.received_at
    assert order.caller_phone_masked == ""
    with pytest.raises(ConflictError):
        _order(env)


def test_it_signs_an_order_and_turns_it_into_a_grid_case(env):
    order = services.hotline_sign(actor=env["operator"], order=_order(env))
    assert order.status == H.SIGNED and order.case is not None
    assert order.case.source == Source.HOTLINE and order.case.external_no == order.order_no
    assert order.reply_due > order.signed_at


def test_it_returns_an_order_only_with_a_reason(env):
    order = _order(env)
    with pytest.raises(DomainError):
        services.hotline_return(actor=env["operator"], order=order, reason="")
    order = services.hotline_return(actor=env["operator"], order=order, reason="属地不符")
    assert order.status == H.RETURN_PENDING
    order = services.hotline_approve_return(actor=env["hotline_office"], order=order)
    assert order.status == H.RETURNED
    with pytest.raises(ConflictError):
        services.hotline_sign(actor=env["operator"], order=order)


def test_it_extends_replies_and_closes_on_a_satisfied_visit(env):
    order = services.hotline_sign(actor=env["operator"], order=_order(env))
    due = order.reply_due
    order = services.hotline_extend(actor=env["operator"], order=order, days=3, reason="coordination")
    assert order.reply_due == due  # a request: the limit moves once the hotline office approves it
    order = services.hotline_approve_extend(actor=env["hotline_office"], order=order)
    assert order.reply_due > due and order.extension_days == 3
    with pytest.raises(DomainError):
        services.hotline_extend(actor=env["operator"], order=order, days=13, reason="coordination")
    with pytest.raises(ConflictError):
        services.hotline_visit(actor=env["operator"], order=order, satisfaction="satisfied")
    order = services.hotline_contact(actor=env["operator"], order=order, method="phone")
    order = services.hotline_reply(actor=env["operator"], order=order, text="已协调城管清理摊贩", resolution="solved")
    order = services.hotline_visit(actor=env["operator"], order=order, satisfaction="satisfied")
    assert order.status == H.CLOSED and order.closed_at
    assert [e.action for e in order.events.all()] == ["receive", "sign", "extend", "approve_extend", "contact",
                                                        "reply", "visit"]


def test_it_reopens_an_order_when_the_citizen_is_unsatisfied(env):
    order = services.hotline_sign(actor=env["operator"], order=_order(env))
    order = services.hotline_contact(actor=env["operator"], order=order, method="visit")
    order = services.hotline_reply(actor=env["operator"], order=order, text="已处理完毕", resolution="partly")
    order = services.hotline_visit(actor=env["operator"], order=order, satisfaction="unsatisfied", note="仍有摊贩")
    assert order.status == H.SIGNED and order.reopen_count == 1
    order = services.hotline_reply(actor=env["operator"], order=order, text="再次清理并加强巡查", resolution="solved")
    order = services.hotline_visit(actor=env["operator"], order=order, satisfaction="basic")
    assert order.status == H.CLOSED
    order = services.hotline_reopen(actor=env["operator"], order=order, reason="市民再次来电")
    assert order.status == H.SIGNED and order.reopen_count == 2


def test_it_merges_repeated_orders(env):
    main = _order(env, "A1")
    repeat = services.hotline_merge(actor=env["operator"], order=_order(env, "A2"), target=main)
    assert repeat.status == H.MERGED and repeat.merged_into == main
    with pytest.raises(ConflictError):
        services.hotline_merge(actor=env["operator"], order=_order(env, "A3"), target=repeat)


def _xlsx(rows):
    wb = Workbook()
    ws = wb.active
    ws.append([t for t, _f in excel.HOTLINE_COLUMNS])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("orders.xlsx", out.getvalue())


def test_it_imports_excel_row_by_row_with_errors_and_no_duplicates(env):
    good = ["B1", "投诉", "占道", "有摊贩", "敦化路", "王", "13800138000", "一般", "2026-03-09 10:00", DUNHUA[0], DUNHUA[1],
            "E0502"]
    outside = ["B2", "投诉", "占道", "有摊贩", "远方", "", "", "一般", "", OUTSIDE[0], OUTSIDE[1], "E0502"]
    bad_type = ["B3", "抱怨", "x", "内容", "", "", "", "一般", "", None, None, ""]
    no_content = ["B4", "咨询", "x", "", "", "", "", "一般", "", None, None, ""]
    rows = excel.parse_hotline_upload(_xlsx([good, outside, bad_type, no_content]))
    result = services.hotline_import(actor=env["operator"], rows=rows, subdistrict=env["node_sub"])
    assert result["created"] == 1 and [e["row"] for e in result["errors"]] == [3, 4, 5]
    assert "不在任何网格内" in result["errors"][0]["message"]
    again = services.hotline_import(actor=env["operator"], rows=rows, subdistrict=env["node_sub"])
    assert again["created"] == 0 and again["skipped"] == 1
    order = HotlineOrder.objects.get()
    assert order.caller_phone == "13800138000" and order.caller_phone_masked.startswith("138")


def test_it_imports_json_and_refuses_other_files(env):
    data = json.dumps([{"order_no": "J1", "hotline_type": "consult", "content": "咨询垃圾分类时间"}]).encode()
    rows = excel.parse_hotline_upload(SimpleUploadedFile("orders.json", data))
    assert services.hotline_import(actor=env["operator"], rows=rows, subdistrict=env["node_sub"])["created"] == 1
    with pytest.raises(DomainError):
        excel.parse_hotline_upload(SimpleUploadedFile("orders.csv", b"a,b"))
    with pytest.raises(DomainError):
        excel.parse_hotline_upload(SimpleUploadedFile("orders.xlsx", b"PK\x03\x04garbage"))


def test_it_runs_the_hotline_workflow_over_the_api(env, api_as):
    client = api_as(env["operator"])
    created = client.post("/api/v1/grid/hotline/", {"order_no": "API-1", "content": "楼道堆物", "hotline_type": "投诉",
                                                   "lat": DUNHUA[0], "lng": DUNHUA[1], "category": "E0602"},
                          format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert client.post(f"/api/v1/grid/hotline/{pk}/reply/", {"note": "x"}, format="json").status_code == 409
    assert client.post(f"/api/v1/grid/hotline/{pk}/sign/", {}, format="json").json()["case"]
    assert client.post(f"/api/v1/grid/hotline/{pk}/reply/", {"note": "已清理楼道", "resolution": "solved"},
                       format="json").status_code == 409  # 先行联系 first
    assert client.post(f"/api/v1/grid/hotline/{pk}/contact/", {"contact_method": "phone"},
                       format="json").json()["contact_method"] == "phone"
    assert client.post(f"/api/v1/grid/hotline/{pk}/reply/", {"note": "已清理楼道", "resolution": "solved"},
                       format="json").status_code == 200
    visit = client.post(f"/api/v1/grid/hotline/{pk}/visit/", {"satisfaction": "unsatisfied"}, format="json")
    assert visit.json()["status"] == "signed" and visit.json()["reopen_count"] == 1
    batch = client.post("/api/v1/grid/hotline/", [{"order_no": "API-2", "content": "咨询"},
                                                  {"order_no": "", "content": "x"}], format="json")
    assert batch.status_code == 400  # the serializer refuses the blank order number
    assert api_as(env["cgzf"]).get("/api/v1/grid/hotline/").status_code == 403


def test_it_imports_through_the_page(env, client_as):
    client = client_as(env["operator"])
    upload = _xlsx([["P1", "求助", "路灯不亮", "路灯不亮", "敦化路", "", "", "一般", "", DUNHUA[0], DUNHUA[1], "C0109"]])
    response = client.post(reverse("grid:hotline-import"), {"file": upload}, follow=True)
    assert response.status_code == 200 and "新增 1 张" in response.content.decode()
    order = HotlineOrder.objects.get()
    response = client.post(reverse("grid:hotline-act", args=[order.pk, "sign"]), {"category": "C0109"}, follow=True)
    order.refresh_from_db()
    assert order.status == H.SIGNED and order.case
    assert client.get(reverse("grid:hotline-detail", args=[order.pk])).status_code == 200
    assert client.get(reverse("grid:hotline-template")).status_code == 200


def test_it_flags_orders_not_signed_in_time(env, clock):
    _order(env)
    clock.shift(dt.timedelta(hours=5))
    from shequ.grid import selectors

    assert selectors.hotline_list(user=env["operator"], overdue="sign").count() == 1
