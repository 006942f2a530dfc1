"""The review's gaps in facilities: the 街道 assigns a facility's operators on its own page (no break-glass admin);
the bookings export (masked, capped, audited, scoped); the facility phone encrypted at rest and masked."""

from __future__ import annotations

import importlib
import io

import openpyxl
import pytest
from django.db import connection

from shequ.core.choices import Role
from shequ.core.errors import DomainError, Forbidden
from shequ.core.models import AuditLog
from shequ.core.testing import make_user
from shequ.facilities import selectors, services
from shequ.facilities.models import Facility, FacilityStaff

from .conftest import at

pytestmark = pytest.mark.django_db


# --- operators ---------------------------------------------------------------------------------------------------

def test_the_street_assigns_and_removes_a_facilitys_operator(net, tree, personas, client_as):
    newcomer = make_user(Role.FACILITY_OPERATOR, [tree["sub"]], username="op_new")
    make_user(Role.FACILITY_OPERATOR, [tree["other_sub"]], username="op_far")
    leader = client_as(personas["leader"])
    page = leader.get(f"/facilities/{net['point'].pk}/staff/").content.decode()
    assert "测试op_point" in page and "op_new" in page and "op_far" not in page  # candidates of his 街道 only
    assert "data-staff-link" in leader.get(f"/facilities/{net['point'].pk}/").content.decode()
    response = leader.post(f"/facilities/{net['point'].pk}/staff/", {"user": newcomer.pk})
    assert response.status_code == 302
    assert net["point"].pk in selectors.operated_facility_ids(newcomer)
    assert client_as(newcomer).get(f"/facilities/{net['point'].pk}/").status_code == 200
    assert AuditLog.objects.filter(action="create", object_type="facilities.facilitystaff").exists()
    # Another 街道's operator, a committee worker or nonsense are refused on the form.
    far = make_user(Role.FACILITY_OPERATOR, [tree["other_sub"]], username="op_far2")
    for bad in (far.pk, personas["dunhua"].pk, "abc", ""):
        answer = leader.post(f"/facilities/{net['point'].pk}/staff/", {"user": bad})
        assert answer.status_code == 400
    staff = FacilityStaff.objects.get(facility=net["point"], user=newcomer)
    assert leader.post(f"/facilities/staff/{staff.pk}/remove/").status_code == 302
    assert net["point"].pk not in selectors.operated_facility_ids(make_user_fresh(newcomer))
    assert client_as(newcomer).get(f"/facilities/{net['point'].pk}/").status_code == 404
    assert AuditLog.objects.filter(action="delete", object_type="facilities.facility").exists()


def make_user_fresh(user):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=user.pk)  # the per-request caches of the old object are gone


def test_only_the_streets_facility_managers_reach_the_page(net, tree, personas, client_as):
    for who in ("dunhua", "officer", "secadmin"):
        assert client_as(personas[who]).get(f"/facilities/{net['point'].pk}/staff/").status_code == 403
    assert client_as(net["operator"]).get(f"/facilities/{net['centre'].pk}/staff/").status_code == 403
    other_leader = make_user(Role.LEADER, [tree["other_sub"]], username="leader_far")
    assert client_as(other_leader).get(f"/facilities/{net['point'].pk}/staff/").status_code == 404
    staff = FacilityStaff.objects.get(facility=net["point"])
    assert client_as(other_leader).post(f"/facilities/staff/{staff.pk}/remove/").status_code == 404
    assert client_as(personas["dunhua"]).post(f"/facilities/staff/{staff.pk}/remove/").status_code == 403
    assert FacilityStaff.objects.filter(pk=staff.pk).exists()
    # The services refuse the same people.
    with pytest.raises(Forbidden):
        services.facility_staff_assign(actor=personas["dunhua"], facility=net["point"], user=net["operator"])
    with pytest.raises(Forbidden):
        services.facility_staff_remove(actor=other_leader, staff=staff)
    with pytest.raises(DomainError):
        services.facility_staff_assign(actor=personas["leader"], facility=net["point"], user=personas["dunhua"])


# --- export ------------------------------------------------------------------------------------------------------

def _rows(response):
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming
                                           else response.content))
    return [[c for c in row] for row in wb.active.iter_rows(values_only=True)]


def test_the_bookings_export_is_masked_scoped_and_audited(net, personas, client_as, book):
    from .conftest import bind

    book(personas["leader"], net["hall"], at(9, 29, 9), at(9, 29, 10), purpose="议事会")
    book(personas["resident"], net["hall"], at(9, 29, 10), at(9, 29, 11), purpose="读书会")
    book(make_user(Role.LEADER, [net["far"].node.parent], username="far_leader"),
         net["far_room"], at(9, 29, 10), at(9, 29, 11), purpose="殷行的活动")
    assert bind  # the resident of `net` is bound to 居民甲 of 敦化路
    response = client_as(personas["leader"]).get("/facilities/bookings/export.xlsx")
    assert response.status_code == 200 and response["X-Export-Rows"] == "2"
    text = "\n".join(" ".join(str(c) for c in row if c is not None) for row in _rows(response))
    assert "议事会" in text and "读书会" in text and "殷行的活动" not in text
    assert "居民 居**" in text and "居民甲" not in text  # a resident booker by surname only
    assert "已脱敏" in text
    log = AuditLog.objects.filter(action="export", object_type="facilities.booking").latest("id")
    assert log.detail["rows"] == 2 and log.detail["masked"] is True
    # Filters as on the list; bad ones are refused with the list's messages, nothing exported.
    one = client_as(personas["leader"]).get("/facilities/bookings/export.xlsx?date_from=2026-09-29&status=approved")
    assert one["X-Export-Rows"] == "2"
    bad = client_as(personas["leader"]).get("/facilities/bookings/export.xlsx?date_from=2026-13-01")
    assert bad.status_code == 400
    assert AuditLog.objects.filter(action="export", object_type="facilities.booking").count() == 2
    # An operator exports his own facility's bookings only; a resident has no export.
    assert client_as(net["other_operator"]).get("/facilities/bookings/export.xlsx")["X-Export-Rows"] == "0"
    assert client_as(personas["resident"]).get("/facilities/bookings/export.xlsx").status_code == 403


def test_the_export_is_capped(net, personas, client_as, book, settings):
    settings.SHEQU_EXPORT_MAX_ROWS = 2
    for hour in (9, 10, 11):
        book(personas["leader"], net["hall"], at(9, 30, hour), at(9, 30, hour + 1))
    response = client_as(personas["leader"]).get("/facilities/bookings/export.xlsx")
    assert response["X-Export-Rows"] == "2" and response["X-Export-Truncated"] == "1"
    assert any("仅导出前 2 条" in str(row[0]) for row in _rows(response))
    assert AuditLog.objects.filter(action="export").latest("id").detail["truncated"] is True


# --- phones ------------------------------------------------------------------------------------------------------

def _raw_phone(pk):
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, phone_masked FROM facilities_facility WHERE id = %s", [pk])
        return cursor.fetchone()


def test_a_facility_phone_is_encrypted_at_rest_and_masked_on_screen(net, personas, client_as):
    services.facility_update(actor=personas["leader"], facility=net["centre"], level=net["centre"].level,
                             name=net["centre"].name, node=net["centre"].node, address=net["centre"].address,
                             phone="13916205678")
    stored, masked = _raw_phone(net["centre"].pk)
    assert "13916205678" not in stored and masked == "139****5678"
    assert Facility.objects.get(pk=net["centre"].pk).phone == "13916205678"
    page = client_as(personas["leader"]).get(f"/facilities/{net['centre'].pk}/").content.decode()
    assert "139****5678" in page and "13916205678" not in page
    log = AuditLog.objects.filter(action="update", object_type="facilities.facility").latest("id")
    assert "13916205678" not in str(log.detail)


def test_the_migration_encrypts_phones_kept_in_clear(net):
    migration = importlib.import_module("shequ.facilities.migrations.0005_facility_phone_encrypted")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE facilities_facility SET phone = %s, phone_masked = '' WHERE id = %s",
                       ["13916200000", net["point"].pk])

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    migration.encrypt_phones(None, editor)
    migration.encrypt_phones(None, editor)  # twice: an encrypted value is left alone
    stored, masked = _raw_phone(net["point"].pk)
    assert stored != "13916200000" and masked == "139****0000"
    assert Facility.objects.get(pk=net["point"].pk).phone == "13916200000"
    migration.decrypt_phones(None, editor)
    assert _raw_phone(net["point"].pk)[0] == "13916200000"
