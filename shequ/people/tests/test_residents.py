import json

import pytest
from django.db import connection

from shequ.core.choices import AuditAction
from shequ.core.models import AuditLog
from shequ.core.testing import make_resident, valid_id_number
from shequ.people.models import Resident, Tag

ID = "11010519491231002X"


@pytest.fixture
def zhang(personas, tree):
    return make_resident(personas["dunhua"], tree["dunhua"], name="张三", id_number=ID, phone="13800138000",
                         household_number="H001", relation="head")


# --- scoping: same committee / other committee / other 街道 / anonymous -------------------------------------

def test_it_shows_a_resident_to_a_worker_of_the_same_committee(zhang, personas, client_as):
    response = client_as(personas["dunhua"]).get(f"/people/{zhang.pk}/")
    assert response.status_code == 200
    assert "张三" in response.content.decode()


@pytest.mark.parametrize("who", ["kongjiang", "yinxing"])
def test_it_hides_a_resident_from_other_committees_with_a_404(zhang, personas, client_as, who):
    client = client_as(personas[who])
    assert client.get(f"/people/{zhang.pk}/").status_code == 404
    assert "张三" not in client.get("/people/").content.decode()
    assert client.get(f"/people/{zhang.pk}/edit/").status_code == 404
    assert client.post(f"/people/{zhang.pk}/reveal/", {"reason": "核对"}).status_code == 404


def test_it_lets_the_subdistrict_see_every_committee(zhang, personas, client_as):
    assert client_as(personas["clerk"]).get(f"/people/{zhang.pk}/").status_code == 200


def test_it_sends_anonymous_users_to_the_login_page(zhang, client):
    response = client.get(f"/people/{zhang.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_refuses_roles_without_the_registry(zhang, personas, client_as):
    for who in ("patrol", "sysadmin", "auditor", "resident"):
        assert client_as(personas[who]).get("/people/").status_code == 403


def test_it_scopes_the_api_list_and_detail(zhang, personas, api_as):
    other = api_as(personas["kongjiang"])
    assert other.get(f"/api/v1/residents/{zhang.pk}/").status_code == 404
    assert other.get("/api/v1/residents/").json()["results"] == []
    mine = api_as(personas["dunhua"]).get("/api/v1/residents/").json()["results"]
    assert [r["name"] for r in mine] == ["张三"]


def test_it_refuses_anonymous_api_calls_with_401(zhang, client):
    assert client.get("/api/v1/residents/").status_code == 401


# --- masking, reveal and audit ---------------------------------------------------------------------------------

def test_it_never_shows_the_full_id_number_in_lists(zhang, personas, client_as, api_as):
    html = client_as(personas["dunhua"]).get("/people/").content.decode()
    assert ID not in html and "1101**********002X" in html
    assert "13800138000" not in html and "138****8000" in html
    api = api_as(personas["dunhua"]).get("/api/v1/residents/").content.decode()
    assert ID not in api and "13800138000" not in api
    detail = api_as(personas["dunhua"]).get(f"/api/v1/residents/{zhang.pk}/").content.decode()
    assert ID not in detail


def test_it_stores_id_numbers_and_phones_encrypted(zhang):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone, id_hash FROM people_resident WHERE id = %s", [zhang.pk])
        stored_id, stored_phone, id_hash = cursor.fetchone()
    assert ID not in stored_id and "13800138000" not in stored_phone
    assert ID not in id_hash
    assert Resident.objects.get(pk=zhang.pk).id_number == ID


def test_it_reveals_with_a_reason_and_logs_it(zhang, personas, client_as):
    client = client_as(personas["dunhua"])
    refused = client.post(f"/people/{zhang.pk}/reveal/", {"reason": ""}, HTTP_HX_REQUEST="true")
    assert ID not in refused.content.decode()
    assert not AuditLog.objects.filter(action=AuditAction.REVEAL).exists()
    shown = client.post(f"/people/{zhang.pk}/reveal/", {"reason": "办理低保核对"}, HTTP_HX_REQUEST="true")
    assert ID in shown.content.decode()
    row = AuditLog.objects.get(action=AuditAction.REVEAL)
    assert row.user == personas["dunhua"] and row.object_id == str(zhang.pk)
    assert row.detail["reason"] == "办理低保核对" and row.ip == "127.0.0.1"


def test_it_refuses_reveal_to_a_role_without_the_right(zhang, personas, client_as, api_as):
    assert client_as(personas["leader"]).post(f"/people/{zhang.pk}/reveal/", {"reason": "看看"}).status_code == 403
    assert api_as(personas["leader"]).post(f"/api/v1/residents/{zhang.pk}/reveal/", {"reason": "看看"},
                                           format="json").status_code == 403


def test_it_reveals_through_the_api_and_logs_it(zhang, personas, api_as):
    response = api_as(personas["dunhua"]).post(f"/api/v1/residents/{zhang.pk}/reveal/", {"reason": "入户走访"},
                                               format="json")
    assert response.json() == {"id_number": ID, "phone": "13800138000"}
    assert AuditLog.objects.filter(action=AuditAction.REVEAL, object_id=str(zhang.pk)).count() == 1


def test_it_logs_every_view_of_a_resident(zhang, personas, client_as):
    client_as(personas["dunhua"]).get(f"/people/{zhang.pk}/")
    assert AuditLog.objects.filter(action=AuditAction.VIEW, object_id=str(zhang.pk)).count() == 1


def test_it_logs_a_search_by_id_number_without_the_number(zhang, personas, client_as):
    client_as(personas["dunhua"]).get("/people/", {"q": ID})
    row = AuditLog.objects.get(action=AuditAction.SEARCH)
    assert row.detail == {"by": "id_number"} and ID not in json.dumps(row.detail)


# --- search -----------------------------------------------------------------------------------------------------

@pytest.fixture
def three(personas, tree):
    d = personas["dunhua"]
    return [make_resident(d, tree["dunhua"], name="张三", id_number=ID, phone="13800138000"),
            make_resident(d, tree["dunhua"], name="李四"),
            make_resident(d, tree["dunhua"], name="张小明")]


@pytest.mark.parametrize("query,expected", [
    ("张", ["张三", "张小明"]),
    ("zs", ["张三"]),
    ("ZS", ["张三"]),
    ("zx", ["张小明"]),
    ("li", ["李四"]),
    (ID, ["张三"]),
    (ID.lower(), ["张三"]),
    ("13800138000", ["张三"]),
    ("110105194912", []),  # a partial ID number cannot be searched: it is stored encrypted
    ("王", []),
])
def test_it_searches_by_name_initials_id_and_phone(three, personas, api_as, query, expected):
    results = api_as(personas["dunhua"]).get("/api/v1/residents/", {"search": query}).json()["results"]
    assert sorted(r["name"] for r in results) == sorted(expected)


def test_it_sorts_names_by_pinyin(three, personas, client_as):
    html = client_as(personas["dunhua"]).get("/people/").content.decode()
    assert html.index("李四") < html.index("张三") < html.index("张小明")


def test_it_searches_live_with_an_htmx_fragment(three, personas, client_as):
    response = client_as(personas["dunhua"]).get("/people/", {"q": "zs"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'id="resident-table"' in body and "<html" not in body and "张三" in body and "李四" not in body


def test_it_filters_by_age_tag(personas, tree, api_as):
    import datetime as dt

    d = personas["dunhua"]
    make_resident(d, tree["dunhua"], name="老人", id_number=valid_id_number(dt.date(1940, 1, 1)))
    make_resident(d, tree["dunhua"], name="青年", id_number=valid_id_number(dt.date(2000, 1, 1)))
    names = [r["name"] for r in api_as(d).get("/api/v1/residents/", {"tag": "80+"}).json()["results"]]
    assert names == ["老人"]


# --- create and update: forms ---------------------------------------------------------------------------------

def _form(tree, **over):
    data = {"name": "王五", "id_number": valid_id_number(), "phone": "13912345678", "committee": tree["dunhua"].pk,
            "address": "敦化路100弄2号", "hukou_type": "registered", "relation": "", "note": ""}
    data.update(over)
    return data


def test_it_registers_a_resident_with_a_new_household(personas, tree, client_as):
    response = client_as(personas["dunhua"]).post("/people/new/", _form(tree, household_number="H900",
                                                                         relation="head"))
    assert response.status_code == 302
    resident = Resident.objects.get(name="王五")
    assert resident.household.number == "H900" and resident.name_initials == "ww"
    assert AuditLog.objects.filter(action=AuditAction.CREATE, object_id=str(resident.pk)).exists()


@pytest.mark.parametrize("field,value,message", [
    ("id_number", "530102192005080119", "校验位"),
    ("id_number", "12345", "身份证号"),
    ("phone", "12345", "电话号码"),
    ("name", "张3", "数字"),
    ("name", "", "必填"),
    ("address", "", "必填"),
])
def test_it_shows_form_errors_for_bad_input(personas, tree, client_as, field, value, message):
    response = client_as(personas["dunhua"]).post("/people/new/", _form(tree, **{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Resident.objects.exists()


def test_it_refuses_a_committee_outside_the_users_scope(personas, tree, client_as):
    response = client_as(personas["dunhua"]).post("/people/new/", _form(tree, committee=tree["kongjiang"].pk))
    assert response.status_code == 200 and not Resident.objects.exists()


def test_it_refuses_a_duplicate_id_number(zhang, personas, tree, client_as):
    response = client_as(personas["dunhua"]).post("/people/new/", _form(tree, id_number=ID))
    assert "已登记" in response.content.decode()
    assert Resident.objects.count() == 1


def test_it_refuses_a_stale_edit_instead_of_overwriting(zhang, personas, tree, client_as):
    client = client_as(personas["dunhua"])
    first = _form(tree, name="张三丰", id_number=ID, version=zhang.version)
    assert client.post(f"/people/{zhang.pk}/edit/", first).status_code == 302
    stale = _form(tree, name="张三思", id_number=ID, version=zhang.version)
    response = client.post(f"/people/{zhang.pk}/edit/", stale)
    assert response.status_code == 200 and "已被他人修改" in response.content.decode()
    assert Resident.objects.get(pk=zhang.pk).name == "张三丰"


def test_it_records_what_an_edit_changed(zhang, personas, tree, client_as):
    client_as(personas["dunhua"]).post(f"/people/{zhang.pk}/edit/", _form(tree, name="张三丰", id_number=ID,
                                                                           version=zhang.version))
    row = AuditLog.objects.get(action=AuditAction.UPDATE, object_id=str(zhang.pk))
    assert row.detail["changes"]["name"] == ["张三", "张三丰"]


def test_it_shows_the_household_with_its_members(zhang, personas, tree, client_as):
    make_resident(personas["dunhua"], tree["dunhua"], name="李梅", household_number="H001", relation="spouse")
    html = client_as(personas["dunhua"]).get(f"/people/households/{zhang.household_id}/").content.decode()
    assert "张三" in html and "李梅" in html and "配偶" in html
    assert client_as(personas["kongjiang"]).get(f"/people/households/{zhang.household_id}/").status_code == 404


def test_it_refuses_a_household_of_another_committee(zhang, personas, tree, client_as):
    response = client_as(personas["clerk"]).post("/people/new/", _form(tree, committee=tree["kongjiang"].pk,
                                                                        household_number="H001"))
    assert "其他居委会" in response.content.decode()


# --- API writes ----------------------------------------------------------------------------------------------

def _payload(**over):
    data = {"name": "赵六", "id_number": valid_id_number(), "committee": "310110015001", "address": "敦化路1号",
            "phone": "13700001111", "tags": ["living_alone"]}
    data.update(over)
    return data


def test_it_creates_through_the_api(personas, api_as):
    response = api_as(personas["dunhua"]).post("/api/v1/residents/", _payload(), format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "赵六" and body["committee"] == "310110015001" and body["tags"] == ["living_alone"]
    assert "*" in body["id_number"] and response["ETag"] == '"1"'


@pytest.mark.parametrize("payload,field", [
    (_payload(id_number="11010519491231002Y"), "id_number"),
    (_payload(name="x" * 40), "name"),
    (_payload(committee="999999999999"), "committee"),
    (_payload(committee="310110015002"), "committee"),
    (_payload(tags=["no-such-tag"]), "tags"),
    (_payload(birth_date="1950-01-01"), "birth_date"),
    (_payload(gender="X"), "gender"),
    ({"name": 123}, "id_number"),
])
def test_it_answers_bad_api_input_with_field_errors(personas, api_as, payload, field):
    response = api_as(personas["dunhua"]).post("/api/v1/residents/", payload, format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["detail"] and field in body["errors"]
    assert not Resident.objects.exists()


def test_it_answers_malformed_json_with_a_400(personas, api_as):
    response = api_as(personas["dunhua"]).post("/api/v1/residents/", "{not json", content_type="application/json")
    assert response.status_code == 400 and "JSON" in response.json()["detail"]


def test_it_conflicts_on_a_duplicate_id_through_the_api(zhang, personas, api_as):
    response = api_as(personas["dunhua"]).post("/api/v1/residents/", _payload(id_number=ID), format="json")
    assert response.status_code == 409 and "id_number" in response.json()["errors"]


def test_it_honours_if_match_on_update(zhang, personas, api_as):
    client = api_as(personas["dunhua"])
    ok = client.patch(f"/api/v1/residents/{zhang.pk}/", {"address": "新地址1号"}, format="json",
                      HTTP_IF_MATCH='"1"')
    assert ok.status_code == 200 and ok.json()["version"] == 2 and ok["ETag"] == '"2"'
    stale = client.patch(f"/api/v1/residents/{zhang.pk}/", {"address": "旧地址"}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    assert Resident.objects.get(pk=zhang.pk).address == "新地址1号"


def test_it_keeps_the_record_when_an_update_is_invalid(zhang, personas, api_as):
    response = api_as(personas["dunhua"]).patch(f"/api/v1/residents/{zhang.pk}/", {"phone": "abc"}, format="json")
    assert response.status_code == 400 and "phone" in response.json()["errors"]
    assert Resident.objects.get(pk=zhang.pk).phone == "13800138000"


def test_it_refuses_writes_to_roles_that_only_read(zhang, personas, api_as):
    assert api_as(personas["leader"]).post("/api/v1/residents/", _payload(), format="json").status_code == 403
    assert api_as(personas["leader"]).patch(f"/api/v1/residents/{zhang.pk}/", {"address": "x"},
                                            format="json").status_code == 403


def test_it_sets_the_tags(zhang, personas, api_as):
    api_as(personas["dunhua"]).patch(f"/api/v1/residents/{zhang.pk}/", {"tags": ["dibao", "disabled"]},
                                     format="json")
    assert set(Resident.objects.get(pk=zhang.pk).tags.values_list("code", flat=True)) == {"dibao", "disabled"}
    assert Tag.objects.filter(code="dibao", sensitive=True).exists()


def test_it_lists_with_keyset_pages(personas, tree, api_as):
    for i in range(7):
        make_resident(personas["dunhua"], tree["dunhua"], name=f"居民{'甲乙丙丁戊己庚'[i]}")
    client = api_as(personas["dunhua"])
    first = client.get("/api/v1/residents/", {"page_size": 5}).json()
    assert len(first["results"]) == 5 and first["next"] and "count" not in first
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 2
    ids = [r["id"] for r in first["results"] + second["results"]]
    assert len(set(ids)) == 7


def test_it_refuses_a_household_address_longer_than_128_instead_of_cutting_it(tree, personas):
    from shequ.core.errors import DomainError
    from shequ.people.models import Household
    from shequ.people.services import household_create

    with pytest.raises(DomainError) as caught:
        household_create(actor=personas["dunhua"], number="H-LONG", committee=tree["dunhua"], address="路" * 129)
    assert "128" in caught.value.message and "address" in caught.value.errors
    assert not Household.objects.filter(number="H-LONG").exists()
    saved = household_create(actor=personas["dunhua"], number="H-LONG", committee=tree["dunhua"], address="路" * 128)
    assert saved.address == "路" * 128
