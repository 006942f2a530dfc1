"""Registering a person already registered in another committee: refused like any duplicate, without telling
where the record is, and routed to the 街道 staff who see both committees."""

import pytest

from shequ.core.models import AuditLog, Notification
from shequ.core.testing import make_resident, valid_id_number

pytestmark = pytest.mark.django_db


def test_it_refuses_without_naming_the_other_committee_and_routes_to_the_subdistrict(
        tree, personas, api_as, django_capture_on_commit_callbacks):
    number = valid_id_number()
    make_resident(personas["kongjiang"], tree["kongjiang"], name="王五", id_number=number)
    with django_capture_on_commit_callbacks(execute=True):
        answer = api_as(personas["dunhua"]).post("/api/v1/residents/", {
            "name": "王五", "id_number": number, "committee": tree["dunhua"].code, "address": "敦化路1号"},
            format="json")
    assert answer.status_code == 409
    text = answer.content.decode()
    assert tree["kongjiang"].name not in text and "控江" not in text and "王五" not in text
    notes = Notification.objects.all()
    assert {n.recipient.username for n in notes} == {"clerk"}  # sees both committees and may edit residents
    assert number not in notes.get().body and tree["kongjiang"].name in notes.get().body
    assert AuditLog.objects.filter(detail__op="create_duplicate_out_of_scope").count() == 1


def test_it_answers_a_duplicate_inside_the_scope_plainly(tree, personas, api_as,
                                                       django_capture_on_commit_callbacks):
    number = valid_id_number()
    make_resident(personas["dunhua"], tree["dunhua"], id_number=number)
    with django_capture_on_commit_callbacks(execute=True):
        answer = api_as(personas["dunhua"]).post("/api/v1/residents/", {
            "name": "张三", "id_number": number, "committee": tree["dunhua"].code, "address": "敦化路1号"},
            format="json")
    assert answer.status_code == 409 and "已登记" in answer.json()["detail"]
    assert not Notification.objects.exists()


def test_it_does_not_name_the_committee_of_another_household(tree, personas, api_as):
    from shequ.people.services import household_create

    household_create(actor=personas["kongjiang"], number="KJ-0001", committee=tree["kongjiang"], address="控江路1号")
    answer = api_as(personas["dunhua"]).post("/api/v1/residents/", {
        "name": "赵六", "id_number": valid_id_number(), "committee": tree["dunhua"].code, "address": "敦化路1号",
        "household": "KJ-0001"}, format="json")
    assert answer.status_code == 400 and "其他居委会" not in answer.content.decode()
    assert "控江" not in answer.content.decode()
