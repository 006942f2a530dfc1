"""全市通办 transfers (收受分离): routing at intake from the registry or the applicant's papers, the refusal of a
non-通办 item for an applicant of another 街道, the paper batch with its courier and hand-over sheet, the home
centre's steps (sent → received → reviewed → result returned) for each persona, the catalogue's contradictory
flags, the pages and the API."""

from __future__ import annotations

import shutil
import subprocess
import tempfile

import pytest
import time_machine

from shequ.acceptance import selectors, services
from shequ.acceptance.choices import CaseStatus, TransferStatus
from shequ.acceptance.models import Case, Transfer, TransferBatch
from shequ.acceptance.workflows import TRANSFER
from shequ.core.choices import Role
from shequ.core.errors import ConflictError, DomainError
from shequ.core.testing import make_user, valid_id_number
from shequ.core.workflow import ActionForbidden, ActionNotFound

from .conftest import at, intake, visitor

pytestmark = pytest.mark.django_db

NOW = at(2026, 3, 10)
COURIER = {"courier_name": "顺丰 周师傅", "courier_phone": "13912345678"}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def tb(centre):
    """The 低保 item of the fixture centre made 全市通办 of the 收受分离 mode."""
    item = centre["dibao"]
    item.tongban, item.separated = True, True
    item.save()
    return item


@pytest.fixture
def direct(centre):
    """敬老卡: 全市通办, accepted and decided here (直接受理)."""
    item = centre["long"]
    item.tongban = True
    item.save()
    return item


@pytest.fixture
def third(tree):
    """A window clerk whose scope holds no centre of a transfer below (a committee of 延吉 only)."""
    return make_user(Role.WINDOW_CLERK, [tree["dunhua"]], username="thirdclerk")


def yinxing_applicant(residents):
    r = residents["yinxing"]
    return {"name": r.name, "id_number": r.id_number, "phone": "13800138001"}


def transferred(centre, residents, item, **kwargs):
    case = intake(centre, item=item, applicant=yinxing_applicant(residents), **kwargs)
    return case, Transfer.objects.get(case=case)


def outside_case(centre, item, seed=31):
    case = intake(centre, item=item, applicant=visitor("赵外区", seed=seed),
                  home={"node": "", "outside": "浦东新区潍坊新村街道社区事务受理服务中心"})
    return case, Transfer.objects.get(case=case)


# --- intake: routing and refusal ------------------------------------------------------------------------------

def test_it_refuses_a_non_tongban_item_for_an_applicant_registered_in_another_subdistrict(centre, residents):
    with pytest.raises(DomainError) as exc:
        intake(centre, applicant=yinxing_applicant(residents))
    assert "不是全市通办事项" in exc.value.message and "殷行街道" in exc.value.message
    assert "home_centre" in exc.value.errors
    assert not Case.objects.exists()


def test_it_refuses_a_non_tongban_item_for_an_applicant_declared_from_another_district(centre):
    with pytest.raises(DomainError) as exc:
        intake(centre, applicant=visitor("赵外区", seed=31), home={"outside": "浦东新区潍坊新村街道社区事务受理服务中心"})
    assert "浦东新区潍坊新村街道" in exc.value.message
    assert not Case.objects.exists()


def test_it_still_records_a_refusal_decision_for_an_applicant_of_another_subdistrict(centre, residents):
    case = intake(centre, decision="reject", applicant=yinxing_applicant(residents), reasons="非全市通办事项，请到户籍地办理")
    assert case.status == CaseStatus.REJECTED
    assert not Transfer.objects.exists()


def test_it_accepts_a_local_applicant_of_a_tongban_item_without_a_transfer(centre, tb, residents):
    case = intake(centre, item=tb, applicant=None, applicant_resident=residents["dunhua"].pk)
    assert case.status == CaseStatus.ACCEPTED
    assert not Transfer.objects.exists()


def test_it_decides_a_direct_tongban_item_here_without_a_transfer(centre, direct, residents):
    case = intake(centre, item=direct, applicant=yinxing_applicant(residents))
    assert case.status == CaseStatus.ACCEPTED
    assert not Transfer.objects.exists()


def test_it_opens_a_transfer_to_the_home_centre_found_in_the_registry(centre, tb, residents, tree):
    case, t = transferred(centre, residents, tb)
    assert (t.node, t.home_node, t.home_name, t.status) == (tree["sub"], tree["other_sub"], "殷行街道",
                                                            TransferStatus.PENDING)
    assert t.home_basis == "hukou"
    assert t.scans == ["居民身份证", "户口簿", "家庭成员收入证明"]
    assert case.status == CaseStatus.ACCEPTED and case.due_date is not None


def test_it_counts_the_clock_from_acceptance_here_and_never_moves_it(centre, tb, residents):
    case, t = transferred(centre, residents, tb)
    due = case.due_date
    services.batch_create(actor=centre["clerk"], transfers=[t], **COURIER)
    services.transfer_receive(actor=centre["other_clerk"], transfer=t)
    case.refresh_from_db()
    assert case.due_date == due and case.clock_start == NOW.date()


def test_it_takes_the_declared_home_of_an_applicant_not_in_the_registry(centre, tb, tree):
    case = intake(centre, item=tb, applicant=visitor("钱先生", seed=41), home={"node": tree["other_sub"].pk})
    t = case.transfer
    assert (t.home_node, t.home_basis) == (tree["other_sub"], "declared")


def test_it_treats_a_declared_home_of_this_centre_as_local(centre, tb, tree):
    intake(centre, item=tb, applicant=visitor("孙女士", seed=42), home={"node": tree["sub"].pk})
    assert not Transfer.objects.exists()


def test_it_refuses_a_declared_home_that_contradicts_the_registered_hukou(centre, tb, residents, tree):
    with pytest.raises(DomainError) as exc:
        intake(centre, item=tb, applicant=yinxing_applicant(residents), home={"node": tree["sub"].pk})
    assert "与所填户籍地/居住地不一致" in exc.value.message
    assert not Case.objects.exists()


@pytest.mark.parametrize("home, field", [
    ({"node": "abc"}, "home_centre"),
    ({"node": 999999}, "home_centre"),
    ({"node": "", "outside": "中" * 65}, "home_outside"),
])
def test_it_refuses_a_bad_home_centre(centre, tb, home, field):
    with pytest.raises(DomainError) as exc:
        intake(centre, item=tb, applicant=visitor("周女士", seed=43), home=home)
    assert field in exc.value.errors
    assert not Case.objects.exists()


def test_it_refuses_a_committee_node_as_a_home_centre(centre, tb, tree):
    with pytest.raises(DomainError):
        intake(centre, item=tb, applicant=visitor("吴女士", seed=44), home={"node": tree["yinxing"].pk})


def test_it_refuses_both_a_subdistrict_and_an_outside_centre(centre, tb, tree):
    with pytest.raises(DomainError) as exc:
        intake(centre, item=tb, applicant=visitor("郑女士", seed=45),
               home={"node": tree["other_sub"].pk, "outside": "浦东新区某中心"})
    assert "home_outside" in exc.value.errors


# --- the catalogue ---------------------------------------------------------------------------------------------

def _item_data(centre, **flags):
    return {"code": "MZ-T-99", "name": "测试事项", "department": centre["dibao"].department,
            "queue_category": centre["B"], "category": "社会救助", "mode": "promise", "limit_days": 10, **flags}


def test_it_refuses_separated_without_tongban_in_the_catalogue(centre):
    with pytest.raises(DomainError) as exc:
        services.item_save(actor=centre["supervisor"], data=_item_data(centre, separated=True, tongban=False))
    assert "收受分离是全市通办事项的办理方式" in exc.value.errors["separated"][0]


def test_it_refuses_an_instant_item_that_is_separated(centre):
    with pytest.raises(DomainError) as exc:
        services.item_save(actor=centre["supervisor"],
                           data=_item_data(centre, separated=True, tongban=True, mode="instant", limit_days=0))
    assert "即办件" in exc.value.errors["separated"][0]


def test_it_saves_a_tongban_item_of_the_separated_mode(centre):
    item, outcome = services.item_save(actor=centre["supervisor"],
                                       data=_item_data(centre, separated=True, tongban=True))
    assert outcome == "created" and item.separated and item.tongban


# --- the batch -------------------------------------------------------------------------------------------------

def test_it_sends_a_batch_with_its_courier(centre, tb, residents):
    _c1, t1 = transferred(centre, residents, tb)
    _c2, t2 = transferred(centre, residents, tb)
    batch = services.batch_create(actor=centre["clerk"], transfers=[t1.pk, t2.pk], **COURIER)
    assert batch.number.startswith("ZB260310") and batch.courier_phone_masked != COURIER["courier_phone"]
    assert batch.courier_phone == COURIER["courier_phone"]
    assert set(batch.transfers.values_list("status", flat=True)) == {TransferStatus.SENT}
    assert batch.home_node == t1.home_node


@pytest.mark.parametrize("courier, field", [
    ({"courier_name": "", "courier_phone": "13912345678"}, "courier_name"),
    ({"courier_name": "周师傅", "courier_phone": ""}, "courier_phone"),
    ({"courier_name": "周师傅", "courier_phone": "12ab"}, "courier_phone"),
    ({"courier_name": "周" * 33, "courier_phone": "13912345678"}, "courier_name"),
])
def test_it_refuses_a_batch_with_a_bad_courier(centre, tb, residents, courier, field):
    _c, t = transferred(centre, residents, tb)
    with pytest.raises(DomainError) as exc:
        services.batch_create(actor=centre["clerk"], transfers=[t], **courier)
    assert field in exc.value.errors
    t.refresh_from_db()
    assert t.status == TransferStatus.PENDING and not TransferBatch.objects.exists()


def test_it_refuses_an_empty_batch_and_unknown_cases(centre):
    with pytest.raises(DomainError):
        services.batch_create(actor=centre["clerk"], transfers=[], **COURIER)
    with pytest.raises(DomainError):
        services.batch_create(actor=centre["clerk"], transfers=[123456], **COURIER)
    with pytest.raises(DomainError):
        services.batch_create(actor=centre["clerk"], transfers=["x"], **COURIER)


def test_it_refuses_a_batch_for_two_home_centres(centre, tb, residents):
    _c1, t1 = transferred(centre, residents, tb)
    _c2, t2 = outside_case(centre, tb)
    with pytest.raises(DomainError) as exc:
        services.batch_create(actor=centre["clerk"], transfers=[t1, t2], **COURIER)
    assert "同一个户籍地/居住地中心" in exc.value.message


def test_it_refuses_to_send_a_case_not_yet_accepted(centre, tb, residents):
    case = intake(centre, item=tb, decision="notify", provided=[], applicant=yinxing_applicant(residents))
    t = case.transfer
    with pytest.raises(ConflictError):
        services.batch_create(actor=centre["clerk"], transfers=[t], **COURIER)
    services.case_supplement(actor=centre["clerk"], case=case, materials=[m.pk for m in case.materials.all()])
    services.case_accept(actor=centre["clerk"], case=case)
    assert services.batch_create(actor=centre["clerk"], transfers=[t], **COURIER).transfers.count() == 1


def test_it_refuses_sending_by_the_home_centre_and_hides_it_from_others(centre, tb, residents, third):
    _c, t = transferred(centre, residents, tb)
    with pytest.raises(ActionForbidden):
        services.batch_create(actor=centre["other_clerk"], transfers=[t], **COURIER)
    with pytest.raises(DomainError) as exc:  # answered like a transfer that does not exist
        services.batch_create(actor=third, transfers=[t], **COURIER)
    assert exc.value.message == "所选办件不存在。" and exc.value.status_code == 400


def test_it_refuses_sending_twice(centre, tb, residents):
    _c, t = transferred(centre, residents, tb)
    services.batch_create(actor=centre["clerk"], transfers=[t], **COURIER)
    with pytest.raises(ConflictError):
        services.batch_create(actor=centre["clerk"], transfers=[t], **COURIER)


def test_it_prints_the_hand_over_sheet_as_a_pdf_with_the_batch_number(centre, tb, residents):
    _c, t = transferred(centre, residents, tb)
    batch = services.batch_create(actor=centre["clerk"], transfers=[t], **COURIER)
    pdf = services.batch_print(actor=centre["clerk"], batch=batch)
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftotext) not installed")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        text = subprocess.run(["pdftotext", "-layout", f.name, "-"], capture_output=True, check=True).stdout.decode()
    assert batch.number in text and "纸质材料交接单" in text and "殷行街道" in text
    assert t.case.number in text and t.case.applicant_id_masked in text
    assert COURIER["courier_phone"] not in text and residents["yinxing"].id_number not in text


# --- the home centre's steps -------------------------------------------------------------------------------------

def sent(centre, residents, tb):
    case, t = transferred(centre, residents, tb)
    services.batch_create(actor=centre["clerk"], transfers=[t], **COURIER)
    t.refresh_from_db()
    return case, t


def test_it_walks_a_transfer_from_sent_to_result_returned(centre, tb, residents):
    case, t = sent(centre, residents, tb)
    home = centre["other_clerk"]
    t = services.transfer_receive(actor=home, transfer=t, note="材料齐全")
    assert t.status == TransferStatus.RECEIVED and t.received_by_name
    t = services.transfer_review(actor=home, transfer=t, outcome="approved", note="符合低保条件")
    assert t.status == TransferStatus.REVIEWED
    t = services.transfer_return_result(actor=home, transfer=t, result_note="核准低保，自4月起发放")
    assert t.status == TransferStatus.RETURNED
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED and "殷行街道" in case.decision_reason
    done = services.case_complete(actor=centre["clerk"], case=case, result_note="核准")
    assert done.status == CaseStatus.COMPLETED
    assert [e.action for e in t.events.all()] == ["open", "send", "receive", "review", "return"]


def test_it_returns_a_refusal_as_the_case_decision(centre, tb, residents):
    case, t = sent(centre, residents, tb)
    home = centre["other_clerk"]
    services.transfer_receive(actor=home, transfer=t)
    with pytest.raises(DomainError) as exc:
        services.transfer_review(actor=home, transfer=t, outcome="refused", note="")
    assert "note" in exc.value.errors
    services.transfer_review(actor=home, transfer=t, outcome="refused", note="家庭收入超过标准")
    services.transfer_return_result(actor=home, transfer=t, result_note="不予通过")
    case.refresh_from_db()
    assert case.status == CaseStatus.REFUSED


@pytest.mark.parametrize("outcome", ["", "maybe", None])
def test_it_refuses_a_review_without_a_valid_outcome(centre, tb, residents, outcome):
    _case, t = sent(centre, residents, tb)
    services.transfer_receive(actor=centre["other_clerk"], transfer=t)
    with pytest.raises(DomainError) as exc:
        services.transfer_review(actor=centre["other_clerk"], transfer=t, outcome=outcome)
    assert "outcome" in exc.value.errors


def test_it_refuses_a_result_without_text(centre, tb, residents):
    _case, t = sent(centre, residents, tb)
    services.transfer_receive(actor=centre["other_clerk"], transfer=t)
    services.transfer_review(actor=centre["other_clerk"], transfer=t, outcome="approved")
    with pytest.raises(DomainError) as exc:
        services.transfer_return_result(actor=centre["other_clerk"], transfer=t, result_note="  ")
    assert "result_note" in exc.value.errors


def test_it_refuses_steps_out_of_order(centre, tb, residents):
    _case, t = transferred(centre, residents, tb)
    with pytest.raises(ConflictError):
        services.transfer_receive(actor=centre["other_clerk"], transfer=t)
    services.batch_create(actor=centre["clerk"], transfers=[t], **COURIER)
    with pytest.raises(ConflictError):
        services.transfer_review(actor=centre["other_clerk"], transfer=t, outcome="approved")
    with pytest.raises(ConflictError):
        services.transfer_return_result(actor=centre["other_clerk"], transfer=t, result_note="x")


def test_it_leaves_the_home_centres_steps_to_the_home_centre(centre, tb, residents):
    _case, t = sent(centre, residents, tb)
    with pytest.raises(ActionForbidden):
        services.transfer_receive(actor=centre["clerk"], transfer=t)
    with pytest.raises(ActionForbidden):
        services.transfer_receive(actor=centre["officer"], transfer=t)  # no capability


def test_it_hides_a_transfer_from_staff_of_neither_centre(centre, tb, residents, third):
    _case, t = sent(centre, residents, tb)
    with pytest.raises(ActionNotFound):
        services.transfer_receive(actor=third, transfer=t)
    assert not selectors.transfer_list(user=third).exists()
    assert selectors.transfer_list(user=centre["other_clerk"]).get() == t
    assert selectors.transfer_list(user=centre["clerk"]).get() == t


def test_it_lets_the_sending_centre_record_an_outside_centres_steps(centre, tb):
    case, t = outside_case(centre, tb)
    assert t.home_node is None and t.is_outside
    services.batch_create(actor=centre["clerk"], transfers=[t], **COURIER)
    with pytest.raises(ActionNotFound):  # the 殷行 centre has nothing to do with it
        services.transfer_receive(actor=centre["other_clerk"], transfer=t)
    services.transfer_receive(actor=centre["clerk2"], transfer=t, note="对方中心电话告知已签收")
    services.transfer_review(actor=centre["clerk2"], transfer=t, outcome="approved")
    services.transfer_return_result(actor=centre["clerk2"], transfer=t, result_note="核准")
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED


def test_it_cancels_a_pending_transfer_with_a_reason(centre, tb, residents):
    _case, t = transferred(centre, residents, tb)
    with pytest.raises(DomainError) as exc:
        services.transfer_cancel(actor=centre["clerk"], transfer=t, reason="")
    assert "reason" in exc.value.errors
    with pytest.raises(ActionForbidden):
        services.transfer_cancel(actor=centre["other_clerk"], transfer=t, reason="误转")
    t = services.transfer_cancel(actor=centre["clerk"], transfer=t, reason="申请人撤回申请")
    assert t.status == TransferStatus.CANCELLED
    with pytest.raises(ConflictError):
        services.transfer_cancel(actor=centre["clerk"], transfer=t, reason="again")


def test_it_offers_exactly_the_steps_the_services_accept(centre, tb, residents, third):
    """Agreement: for each persona and status, `available` equals "the service accepts" (refusal is None)."""
    case, t = sent(centre, residents, tb)
    people = [centre["clerk"], centre["other_clerk"], centre["officer"], third]
    offered = {u.username: [a.name for a in TRANSFER.available(u, t)] for u in people}
    assert offered == {"clerk": [], "otherclerk": ["receive"], "officer": [], "thirdclerk": []}
    services.transfer_receive(actor=centre["other_clerk"], transfer=t)
    t.refresh_from_db()
    assert [a.name for a in TRANSFER.available(centre["other_clerk"], t)] == ["review"]
    assert TRANSFER.available(centre["clerk"], t) == []


# --- pages -----------------------------------------------------------------------------------------------------

def test_it_lists_transfers_with_filters(centre, tb, residents, client_as, tree):
    _case, t = transferred(centre, residents, tb)
    client = client_as(centre["clerk"])
    page = client.get("/acceptance/transfers/")
    assert page.status_code == 200 and t.case.number in page.content.decode()
    assert t.case.number in client.get(f"/acceptance/transfers/?status=pending&home={tree['other_sub'].pk}"
                                       "&direction=out").content.decode()
    assert t.case.number not in client.get("/acceptance/transfers/?status=returned").content.decode()
    assert t.case.number not in client.get("/acceptance/transfers/?home=outside").content.decode()
    assert t.case.number not in client.get("/acceptance/transfers/?direction=in").content.decode()
    bad = client.get("/acceptance/transfers/?date_from=2026-03-10&date_to=2026-03-01").content.decode()
    assert "止日不得早于起日" in bad and t.case.number not in bad
    assert "筛选条件有误" in client.get("/acceptance/transfers/?status=nonsense").content.decode()


def test_it_refuses_the_pages_to_roles_without_the_capability(centre, personas, client_as):
    for who in ("officer", "leader", "dunhua", "resident"):
        assert client_as(personas[who]).get("/acceptance/transfers/").status_code in (302, 403)


def test_it_sends_a_batch_and_serves_its_pdf_from_the_pages(centre, tb, residents, client_as):
    _case, t = transferred(centre, residents, tb)
    client = client_as(centre["clerk"])
    assert t.case.number in client.get("/acceptance/transfers/batches/new/").content.decode()
    bad = client.post("/acceptance/transfers/batches/new/", {"transfers": [t.pk], "courier_name": "周师傅",
                                                             "courier_phone": "abc"})
    assert bad.status_code == 400
    ok = client.post("/acceptance/transfers/batches/new/", {"transfers": [t.pk], **COURIER})
    batch = TransferBatch.objects.get()
    assert ok.status_code == 302 and ok["Location"] == f"/acceptance/transfers/batches/{batch.pk}/"
    page = client.get(ok["Location"]).content.decode()
    assert batch.number in page and "139****5678" in page
    pdf = client.get(f"/acceptance/transfers/batches/{batch.pk}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_it_takes_the_steps_from_the_transfer_page(centre, tb, residents, client_as, third):
    case, t = sent(centre, residents, tb)
    home = client_as(centre["other_clerk"])
    page = home.get(f"/acceptance/transfers/{t.pk}/").content.decode()
    assert "签收材料" in page and case.applicant_id_masked in page and residents["yinxing"].id_number not in page
    assert home.post(f"/acceptance/transfers/{t.pk}/act/receive/", {"note": "已收到"}).status_code == 302
    assert home.post(f"/acceptance/transfers/{t.pk}/act/review/", {"outcome": ""}).status_code == 400
    assert home.post(f"/acceptance/transfers/{t.pk}/act/nonsense/", {}).status_code == 400
    assert client_as(centre["clerk"]).post(f"/acceptance/transfers/{t.pk}/act/review/",
                                           {"outcome": "approved"}).status_code == 403
    assert client_as(third).get(f"/acceptance/transfers/{t.pk}/").status_code == 404
    t.refresh_from_db()
    assert t.status == TransferStatus.RECEIVED


def test_it_shows_the_transfer_on_the_case_page_and_the_home_fields_at_intake(centre, tb, residents, client_as):
    case, t = transferred(centre, residents, tb)
    client = client_as(centre["clerk"])
    assert f"/acceptance/transfers/{t.pk}/" in client.get(f"/acceptance/cases/{case.pk}/").content.decode()
    assert "户籍地/居住地（非本街道申请人填写）" in client.get("/acceptance/cases/new/").content.decode()


def test_it_shows_the_intake_refusal_on_the_page(centre, residents, client_as):
    client = client_as(centre["clerk"])
    r = residents["yinxing"]
    page = client.post("/acceptance/cases/new/", {
        "item": centre["dibao"].pk, "decision": "accept", "applicant_name": r.name, "applicant_id_number": r.id_number,
        "materials": [m.pk for m in centre["dibao"].materials.all()]})
    assert page.status_code == 200 and "不是全市通办事项" in page.content.decode()
    assert not Case.objects.exists()


# --- API -------------------------------------------------------------------------------------------------------

def test_it_serves_transfers_and_their_steps_through_the_api(centre, tb, residents, api_as, third):
    case, t = transferred(centre, residents, tb)
    sender, home = api_as(centre["clerk"]), api_as(centre["other_clerk"])
    listing = sender.get("/api/v1/acceptance/transfers/?status=pending").json()
    assert [row["case_number"] for row in listing["results"]] == [case.number]
    assert sender.get("/api/v1/acceptance/transfers/?date_from=2026-03-10&date_to=2026-03-01").status_code == 400
    created = sender.post("/api/v1/acceptance/transfer-batches/", {"transfers": [t.pk], **COURIER}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["courier_phone_masked"] == "139****5678"
    batch_id = created.json()["id"]
    assert sender.get(f"/api/v1/acceptance/transfer-batches/{batch_id}/pdf/").content.startswith(b"%PDF")
    assert home.get(f"/api/v1/acceptance/transfers/{t.pk}/actions/").json() == ["receive"]
    assert sender.post(f"/api/v1/acceptance/transfers/{t.pk}/receive/", {}, format="json").status_code == 403
    assert api_as(third).get(f"/api/v1/acceptance/transfers/{t.pk}/").status_code == 404
    assert home.post(f"/api/v1/acceptance/transfers/{t.pk}/review/", {"outcome": "approved"},
                     format="json").status_code == 409
    assert home.post(f"/api/v1/acceptance/transfers/{t.pk}/receive/", {}, format="json").json()["status"] == "received"
    bad = home.post(f"/api/v1/acceptance/transfers/{t.pk}/review/", {"outcome": "maybe"}, format="json")
    assert bad.status_code == 400 and "outcome" in bad.json()["errors"]
    assert home.post(f"/api/v1/acceptance/transfers/{t.pk}/review/", {"outcome": "approved"},
                     format="json").status_code == 200
    done = home.post(f"/api/v1/acceptance/transfers/{t.pk}/return-result/", {"result_note": "核准"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "returned"
    assert api_as(centre["officer"]).get("/api/v1/acceptance/transfers/").status_code == 403


def test_it_refuses_a_non_tongban_intake_through_the_api(centre, residents, api_as):
    r = residents["yinxing"]
    answer = api_as(centre["clerk"]).post("/api/v1/acceptance/cases/", {
        "item": "MZ-JZ-01", "decision": "accept", "applicant": {"name": r.name, "id_number": r.id_number},
        "materials": [m.pk for m in centre["dibao"].materials.all()]}, format="json")
    assert answer.status_code == 400 and "home_centre" in answer.json()["errors"]


def test_it_takes_the_declared_home_through_the_api(centre, tb, api_as, tree):
    answer = api_as(centre["clerk"]).post("/api/v1/acceptance/cases/", {
        "item": "MZ-JZ-01", "decision": "accept", "applicant": visitor("冯先生", seed=51),
        "home": {"node": tree["other_sub"].pk}, "materials": [m.pk for m in tb.materials.all()]}, format="json")
    assert answer.status_code == 201, answer.content
    assert Transfer.objects.get().home_node == tree["other_sub"]


def test_it_keeps_personal_numbers_out_of_the_api_answers(centre, tb, residents, api_as):
    _case, t = transferred(centre, residents, tb)
    body = api_as(centre["clerk"]).get(f"/api/v1/acceptance/transfers/{t.pk}/").content.decode()
    assert residents["yinxing"].id_number not in body and valid_id_number  # masked only


# --- demo --------------------------------------------------------------------------------------------------------

def test_it_seeds_demo_transfers_in_every_state_once():
    import io
    import random

    from shequ.acceptance import demo as acceptance_demo
    from shequ.core import demo as core_demo

    out = io.StringIO()
    core_demo.seed(stdout=out, password="Shequ#2026demo", rng=random.Random(1))
    acceptance_demo.seed(stdout=out, password="Shequ#2026demo", rng=random.Random(1))
    states = set(Transfer.objects.values_list("status", flat=True))
    assert {"pending", "sent", "received", "reviewed", "returned"} <= states, out.getvalue()
    assert TransferBatch.objects.count() >= 2
    returned = Transfer.objects.filter(status="returned").select_related("case").first()
    assert returned.case.status == CaseStatus.APPROVED
    count = Transfer.objects.count()
    acceptance_demo.seed(stdout=io.StringIO(), password="Shequ#2026demo", rng=random.Random(1))
    assert Transfer.objects.count() == count
