"""系统配置 in Shequ's own pages: only the system administrator, every change validated and audited."""

from decimal import Decimal

import pytest
from django.urls import reverse

from shequ.core import config
from shequ.core.choices import AuditAction
from shequ.core.models import AuditLog, Department


@pytest.fixture
def admin_client(personas, client_as):
    return client_as(personas["sysadmin"])


def test_every_table_declares_real_fields():
    keys = [t.key for t in config.tables()]
    assert {"departments", "queue-categories", "tags", "grid-category", "grid-shift-pattern"} <= set(keys)
    for table in config.tables():
        for name in table.fields + table.columns + table.filters + table.search:
            table.model._meta.get_field(name.split("__")[0])


@pytest.mark.django_db
def test_every_page_opens_for_the_system_administrator(admin_client):
    assert admin_client.get(reverse("core:config-index")).status_code == 200
    for table in config.tables():
        assert admin_client.get(reverse("core:config-list", args=[table.key])).status_code == 200, table.key
        assert admin_client.get(reverse("core:config-create", args=[table.key])).status_code == 200, table.key


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["secadmin", "auditor", "leader", "clerk", "dunhua", "resident"])
def test_other_roles_are_refused_and_the_refusal_is_audited(personas, client_as, who):
    before = AuditLog.objects.count()
    response = client_as(personas[who]).get(reverse("core:config-list", args=["departments"]))
    assert response.status_code == 403
    assert AuditLog.objects.count() > before


@pytest.mark.django_db
def test_anonymous_visitors_go_to_the_login(client):
    response = client.get(reverse("core:config-index"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_it_creates_edits_and_audits_a_department(admin_client, tree):
    url = reverse("core:config-create", args=["departments"])
    response = admin_client.post(url, {"code": "JW", "name": "街道营商办", "short_name": "营商办",
                                       "kind": Department._meta.get_field("kind").choices[0][0],
                                       "node": tree["sub"].pk, "phone": "", "is_active": "on", "sort_order": 5})
    assert response.status_code == 302, response.content.decode()[:2000]
    dept = Department.objects.get(code="JW")
    row = AuditLog.objects.filter(action=AuditAction.CONFIG, object_type="core.department",
                                  object_id=str(dept.pk)).get()
    assert row.detail["op"] == "create"
    edit = reverse("core:config-edit", args=["departments", dept.pk])
    response = admin_client.post(edit, {"name": "营商环境办公室", "short_name": "营商办", "kind": dept.kind,
                                        "node": tree["sub"].pk, "phone": "021-65000000", "sort_order": 5,
                                        "code": "CHANGED"})
    assert response.status_code == 302
    dept.refresh_from_db()
    assert dept.name == "营商环境办公室" and dept.code == "JW"  # codes others refer to stay as they are
    assert not dept.is_active
    page = admin_client.get(edit).content.decode()
    assert "修改记录" in page and "名称" in page


@pytest.mark.django_db
def test_bad_input_gets_a_chinese_form_error_and_nothing_changes(admin_client, tree):
    url = reverse("core:config-create", args=["departments"])
    response = admin_client.post(url, {"code": "", "name": "x" * 300, "kind": "nonsense", "sort_order": "abc"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "invalid-feedback" in body and "该字段是必填项" in body and "不超过 64 字符" in body
    assert not Department.objects.filter(name__startswith="xxx").exists()


@pytest.mark.django_db
def test_a_row_still_in_use_is_not_deleted(admin_client, personas):
    dept = personas["officer"].department
    response = admin_client.post(reverse("core:config-delete", args=["departments", dept.pk]), follow=True)
    assert Department.objects.filter(pk=dept.pk).exists()
    assert "不能删除" in response.content.decode()


@pytest.mark.django_db
def test_it_deletes_an_unused_row_and_audits_it(admin_client):
    from shequ.acceptance.models import QueueCategory

    category = QueueCategory.objects.create(letter="Z", name="临时")
    response = admin_client.post(reverse("core:config-delete", args=["queue-categories", category.pk]))
    assert response.status_code == 302
    assert not QueueCategory.objects.filter(pk=category.pk).exists()
    assert AuditLog.objects.filter(object_type="acceptance.queuecategory", object_id=str(category.pk),
                                   detail__op="delete").exists()


@pytest.mark.django_db
def test_the_list_searches_filters_and_refuses_an_invalid_filter(admin_client):
    from shequ.acceptance.models import QueueCategory

    QueueCategory.objects.create(letter="A", name="综合受理")
    QueueCategory.objects.create(letter="B", name="社保医保", is_active=False)
    url = reverse("core:config-list", args=["queue-categories"])
    page = admin_client.get(url, {"q": "社保"}).content.decode()
    assert "社保医保" in page and "综合受理" not in page
    page = admin_client.get(url, {"is_active": "1"}).content.decode()
    assert "综合受理" in page and "社保医保" not in page
    page = admin_client.get(url, {"is_active": "maybe"}).content.decode()
    assert "综合受理" not in page and "社保医保" not in page and "invalid-feedback" in page


@pytest.mark.django_db
def test_shift_patterns_show_shift_names_not_codes(admin_client):
    from shequ.grid.models import ShiftPattern, ShiftType

    ShiftType.objects.get_or_create(code="E", defaults={"name": "早班", "start": "06:30", "end": "14:30"})
    ShiftPattern.objects.create(name="测试轮转", slots="EO", anchor="2026-01-01", is_active=False)
    page = admin_client.get(reverse("core:config-list", args=["grid-shift-pattern"])).content.decode()
    assert "早班、休息" in page and ">EO<" not in page


@pytest.mark.django_db
def test_a_category_time_limit_is_edited_with_its_attributes(admin_client):
    from shequ.grid.models import Category, CategoryMain

    main = CategoryMain.objects.create(kind=CategoryMain._meta.get_field("kind").choices[0][0], code="01", name="公用设施")
    category = Category.objects.create(main=main, code="0101", name="上水井盖", limit_value=Decimal("2"),
                                       limit_unit=Category._meta.get_field("limit_unit").choices[0][0],
                                       urgent_limit_hours=Decimal("2"))
    page = admin_client.get(reverse("core:config-list", args=["grid-category"])).content.decode()
    assert "上水井盖" in page and "E+" not in page
    edit = admin_client.get(reverse("core:config-edit", args=["grid-category", category.pk])).content.decode()
    assert "上报附加问题" in edit and 'name="child0-TOTAL_FORMS"' in edit


@pytest.mark.django_db
def test_a_new_open311_client_gets_its_key_shown_once(admin_client, tree):
    from shequ.grid.models import Open311Client

    response = admin_client.post(reverse("core:config-create", args=["grid-open311-client"]),
                                 {"name": "随申办", "jurisdiction": tree["sub"].pk, "contact": "张工",
                                  "is_active": "on"}, follow=True)
    body = response.content.decode()
    client = Open311Client.objects.get(name="随申办")
    assert "只显示这一次" in body and client.key_prefix in body
    again = admin_client.get(reverse("core:config-list", args=["grid-open311-client"])).content.decode()
    assert "只显示这一次" not in again
