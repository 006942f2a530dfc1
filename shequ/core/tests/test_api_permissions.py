"""API refusals are audited like HTML ones, whichever app's endpoint refused: through `HasCapability` or the
API exception handler."""

import pytest
from rest_framework.test import APIClient

from shequ.core.choices import AuditAction, AuditResult
from shequ.core.models import AuditLog

pytestmark = pytest.mark.django_db


def _denied():
    return list(AuditLog.objects.filter(action=AuditAction.DENIED, result=AuditResult.DENIED).order_by("pk"))


def test_it_audits_a_missing_capability_on_an_acceptance_endpoint(personas, api_as):
    response = api_as(personas["dunhua"]).get("/api/v1/acceptance/cases/")
    assert response.status_code == 403
    assert response.json() == {"detail": "您没有执行该操作的权限。", "errors": {}}
    [row] = _denied()
    assert row.username == "dunhua"
    assert row.detail["what"] == "GET /api/v1/acceptance/cases/ needs acceptance.case_view"


def test_it_audits_a_missing_capability_on_a_people_action(personas, api_as, tree):
    from shequ.core.testing import make_resident

    resident = make_resident(personas["dunhua"], tree["dunhua"])
    response = api_as(personas["leader"]).post(f"/api/v1/residents/{resident.pk}/reveal/", {"reason": "核对"},
                                               format="json")
    assert response.status_code == 403
    [row] = _denied()
    assert row.username == "leader" and row.detail["what"].endswith("needs people.reveal")


def test_it_audits_a_refusal_on_a_grid_endpoint_without_the_grid_declaring_it(personas, api_as):
    response = api_as(personas["sysadmin"]).get("/api/v1/grid/cases/")
    assert response.status_code == 403
    [row] = _denied()
    assert row.username == "sysadmin" and row.detail["what"].startswith("GET /api/v1/grid/cases/ refused 403")


def test_it_audits_an_anonymous_call(tree):
    response = APIClient().get("/api/v1/grid/cases/")
    assert response.status_code == 401
    [row] = _denied()
    assert row.user is None and row.detail["what"].startswith("GET /api/v1/grid/cases/ refused 401")


def test_it_writes_nothing_for_an_allowed_call(personas, api_as):
    assert api_as(personas["clerk"]).get("/api/v1/acceptance/cases/").status_code == 200
    assert _denied() == []
