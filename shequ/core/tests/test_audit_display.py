"""The auditor reads the log in Chinese: role and object names, readable details, a select for the object type."""

import re

import pytest
from django.urls import reverse

from shequ.core.audit import audit_record
from shequ.core.audit_display import detail_items, object_type_choices, object_type_label, role_label
from shequ.core.choices import AuditAction, Role

def visible(response) -> str:
    html = re.sub(r"<(script|style|select)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


RAW = ["window_clerk", "committee_worker", "core.user", "acceptance.ticket", " object (", "{'", "{\""]


def test_it_names_roles_and_object_kinds_in_chinese():
    assert role_label(Role.WINDOW_CLERK.value) == str(Role.WINDOW_CLERK.label)
    assert role_label("no_such_role") == "未知角色"
    assert object_type_label("core.user") not in ("core.user", "")
    assert object_type_label("nosuch.model") == "其他对象"
    labels = dict(object_type_choices())
    assert "core.user" in labels and "grid.case" in labels and "people.resident" in labels


def test_it_turns_detail_json_into_labelled_text():
    items = dict(detail_items({"channel": "web", "op": "password_reset", "rows": 3, "masked": True,
                               "date": "2026-11-23"}))
    assert items == {"渠道": "网页", "操作": "重置密码", "行数": "3", "已脱敏": "是", "日期": "2026年11月23日"}


@pytest.mark.django_db
def test_it_shows_the_log_without_codes_or_reprs(personas, client_as):
    clerk = personas["clerk"]
    audit_record(actor=clerk, action=AuditAction.VIEW, obj=personas["dunhua"], detail={"channel": "web"})
    audit_record(actor=clerk, action=AuditAction.UPDATE, object_type="grid.patrollog", object_id="11",
                 object_repr="PatrolLog object (11)")
    client = client_as(personas["auditor"])
    page = visible(client.get(reverse("core:audit-list")))
    assert str(Role.WINDOW_CLERK.label) in page
    for raw in RAW:
        assert raw not in page, raw
    assert "#11" in page
    from shequ.core.models import AuditLog

    row = AuditLog.objects.filter(object_type="core.user").latest("pk")
    detail = visible(client.get(reverse("core:audit-detail", args=[row.pk])))
    assert "渠道" in detail and "网页" in detail
    for raw in RAW:
        assert raw not in detail, raw


@pytest.mark.django_db
def test_it_filters_the_log_by_a_chosen_object_type(personas, client_as):
    audit_record(actor=personas["clerk"], action=AuditAction.VIEW, obj=personas["dunhua"])
    client = client_as(personas["auditor"])
    page = client.get(reverse("core:audit-list"), {"object_type": "core.user"}).content.decode()
    assert '<select name="object_type"' in page
    bad = client.get(reverse("core:audit-list"), {"object_type": "core.nothing"})
    assert bad.status_code == 200
