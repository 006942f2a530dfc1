"""The residents list has one filter schema (people.filtersets): the page, its export and the API read the same
filters, and a value they cannot read is refused, never dropped (an export would otherwise hold everyone)."""

import io

import pytest
from openpyxl import load_workbook

from shequ.core.choices import AuditAction
from shequ.core.models import AuditLog
from shequ.core.testing import make_resident, valid_id_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(personas, tree):
    d = personas["dunhua"]
    make_resident(d, tree["dunhua"], name="张三", id_number=valid_id_number(seed=11), hukou_type="registered")
    make_resident(d, tree["dunhua"], name="李四", id_number=valid_id_number(seed=12), hukou_type="non_local")
    make_resident(personas["kongjiang"], tree["kongjiang"], name="控江人", id_number=valid_id_number(seed=13))


def _names(response):
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    return sorted(r[0] for r in rows[2:])


def test_it_filters_page_export_and_api_alike(registry, personas, client_as, api_as, tree):
    leader = personas["leader"]
    query = {"committee": tree["dunhua"].code, "hukou_type": "non_local"}
    page = client_as(leader).get("/people/", query).content.decode()
    assert "李四" in page and "张三" not in page and "控江人" not in page
    export = client_as(personas["dunhua"]).get("/people/export/", query)
    assert _names(export) == ["李四"]
    assert AuditLog.objects.get(action=AuditAction.EXPORT).detail["filters"] == {
        "committee": tree["dunhua"].code, "hukou_type": "non_local"}
    api = api_as(leader).get("/api/v1/residents/", {**query, "search": "ls"})
    assert [r["name"] for r in api.json()["results"]] == ["李四"]


def test_it_refuses_an_export_with_a_filter_it_cannot_read(registry, personas, client_as):
    response = client_as(personas["dunhua"]).get("/people/export/", {"tag": "not-a-tag"})
    assert response.status_code == 400
    assert "筛选条件有误" in response.content.decode()
    assert not AuditLog.objects.filter(action=AuditAction.EXPORT).exists()


def test_it_shows_no_rows_and_the_error_for_an_unknown_committee(registry, personas, client_as, tree):
    # 控江 is outside 敦化's jurisdiction: the same answer as a committee that does not exist.
    page = client_as(personas["dunhua"]).get("/people/", {"committee": tree["kongjiang"].code},
                                             HTTP_HX_REQUEST="true").content.decode()
    assert "筛选条件有误" in page and "居委会" in page
    assert "张三" not in page and "控江人" not in page


def test_it_answers_400_with_field_messages_in_the_api(registry, personas, api_as, tree):
    response = api_as(personas["dunhua"]).get("/api/v1/residents/", {"tag": "nope",
                                                                      "committee": tree["kongjiang"].code})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"tag", "committee"}


def test_it_audits_an_id_number_search_once_from_every_search_box(registry, personas, client_as, api_as):
    id_number = valid_id_number(seed=11)
    client_as(personas["dunhua"]).get("/people/", {"q": id_number})
    api_as(personas["dunhua"]).get("/api/v1/residents/", {"search": id_number})
    client_as(personas["dunhua"]).get("/people/", {"q": "zs"})
    rows = AuditLog.objects.filter(action=AuditAction.SEARCH)
    assert [r.detail for r in rows] == [{"by": "id_number"}, {"by": "id_number"}]
