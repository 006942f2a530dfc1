"""民生档案 lookup: who may ask, identity checks, result and copy, and the append-only access log."""

import pytest
from django.db import connection

from shequ.acceptance import services
from shequ.acceptance.choices import ArchiveStatus
from shequ.acceptance.models import ArchiveAccessLog, ArchiveRequest
from shequ.core.errors import ConflictError, DomainError

from .conftest import visitor

pytestmark = pytest.mark.django_db


def ask(centre, **kw):
    kw.setdefault("record_type", "marriage")
    kw.setdefault("relation", "self")
    kw.setdefault("id_check", "card_reader")
    kw.setdefault("purpose", "办理退休手续")
    kw.setdefault("requester", visitor())
    return services.archive_request_create(actor=centre["clerk"], **kw)


def test_it_submits_a_request_by_the_person_named(centre):
    req = ask(centre)
    assert req.status == ArchiveStatus.SUBMITTED and req.subject_name == "王访客"
    assert req.number.startswith("DA") and req.archive.code == "DA"
    log = ArchiveAccessLog.objects.get()
    assert log.action == "request" and log.requester_id_masked == req.requester_id_masked and log.verify()


def test_it_refuses_an_agent_with_the_reason_and_logs_the_attempt(centre):
    req = ask(centre, relation="agent", subject_name="张某")
    assert req.status == ArchiveStatus.REFUSED
    assert "经公证的授权委托书" in req.refusal_reason and "区档案馆" in req.refusal_reason
    assert ArchiveAccessLog.objects.get().action == "refuse"
    with pytest.raises(ConflictError):  # nothing more can happen to a refused request
        services.archive_record_result(actor=centre["clerk"], request=req, found=True, file_reference="A1", pages=1)


def test_it_allows_parents_for_only_child_files_but_not_for_marriage(centre):
    assert ask(centre, record_type="only_child", relation="parent", subject_name="王小明").status == "submitted"
    refused = ask(centre, record_type="marriage", relation="parent", subject_name="王小明")
    assert refused.status == "refused" and "只能由本人查询" in refused.refusal_reason


def test_it_accepts_a_passport_only_for_foreign_marriage(centre):
    with pytest.raises(DomainError):
        ask(centre, id_check="passport")
    assert ask(centre, record_type="marriage_foreign", id_check="passport").status == "submitted"


def test_it_validates_the_request(centre, residents):
    with pytest.raises(DomainError):
        ask(centre, record_type="nonsense")
    with pytest.raises(DomainError):
        ask(centre, purpose="")
    with pytest.raises(DomainError):
        ask(centre, requester=None, requester_resident=residents["yinxing"].pk)
    assert not ArchiveRequest.objects.exists()


def test_it_records_the_result_and_the_issued_copy(centre):
    req = ask(centre)
    with pytest.raises(DomainError):
        services.archive_record_result(actor=centre["clerk"], request=req, found=True, file_reference="", pages=2)
    req = services.archive_record_result(actor=centre["clerk"], request=req, found=True, file_reference="A1998-012",
                                         pages=3)
    with pytest.raises(DomainError):
        services.archive_issue(actor=centre["clerk"], request=req, copies=0)
    req = services.archive_issue(actor=centre["clerk"], request=req, copies=2)
    assert req.status == ArchiveStatus.ISSUED and req.copies == 2
    assert list(ArchiveAccessLog.objects.order_by("id").values_list("action", flat=True)) == ["request", "result",
                                                                                              "issue"]


def test_it_keeps_the_log_append_only(centre):
    ask(centre)
    row = ArchiveAccessLog.objects.get()
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        row.delete()
    with pytest.raises(PermissionError):
        ArchiveAccessLog.objects.all().update(decision="x")
    with pytest.raises(PermissionError):
        ArchiveAccessLog.objects.all().delete()
    if connection.vendor == "postgresql":
        # The database itself refuses the change.
        from django.db import DatabaseError, transaction

        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE acceptance_archiveaccesslog SET purpose = %s", ["篡改"])
        assert ArchiveAccessLog.objects.get().verify()
    else:
        # A row changed behind the application's back no longer verifies.
        with connection.cursor() as cursor:
            cursor.execute("UPDATE acceptance_archiveaccesslog SET purpose = %s", ["篡改"])
        assert not ArchiveAccessLog.objects.get().verify()


def test_it_logs_every_view_of_a_request(centre, client_as):
    req = ask(centre)
    client = client_as(centre["clerk"])
    assert client.get(f"/acceptance/archives/{req.pk}/").status_code == 200
    assert client.get(f"/acceptance/archives/{req.pk}/").status_code == 200
    assert ArchiveAccessLog.objects.filter(action="view").count() == 2


def test_it_lets_the_auditor_and_only_the_auditor_read_the_log(centre, client_as, personas):
    ask(centre)
    page = client_as(personas["auditor"]).get("/acceptance/archives/log/")
    assert page.status_code == 200 and "申请查询" in page.content.decode()
    assert client_as(centre["clerk"]).get("/acceptance/archives/log/").status_code == 403
    assert client_as(centre["supervisor"]).get("/acceptance/archives/log/").status_code == 403
    # The auditor does no business work.
    assert client_as(personas["auditor"]).get("/acceptance/archives/").status_code == 403


def test_it_creates_and_refuses_through_the_web_form(centre, client_as):
    client = client_as(centre["clerk"])
    response = client.post("/acceptance/archives/new/", {
        "record_type": "zhiqing_down", "relation": "agent", "requester_name": "王访客",
        "requester_id_number": visitor()["id_number"], "subject_name": "王父", "id_check": "card_reader",
        "purpose": "补办手续"})
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
    assert "不予查询" in detail and "公证" in detail
    bad = client.post("/acceptance/archives/new/", {"record_type": "marriage", "relation": "self",
                                                    "requester_name": "王", "requester_id_number": "123",
                                                    "id_check": "card_reader", "purpose": "x"})
    assert bad.status_code == 200 and "身份证号" in bad.content.decode()
