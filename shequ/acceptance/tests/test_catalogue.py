"""The service catalogue: validation, editing and Excel export/import with a row-level error report."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from shequ.acceptance import excel, services
from shequ.acceptance.models import CatalogueImport, ItemMaterial, ServiceItem
from shequ.core.errors import DomainError
from shequ.core.models import AuditLog

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def data(centre, **kw):
    return {"code": "NEW-01", "name": "新事项", "department": centre["dibao"].department, "category": "其他",
            "queue_category": centre["A"], "mode": "promise", "limit_days": 10, **kw}


def test_it_validates_items(centre):
    with pytest.raises(DomainError) as exc:
        services.item_save(actor=centre["supervisor"], data=data(centre, mode="instant", limit_days=3))
    assert "limit_days" in exc.value.errors
    with pytest.raises(DomainError) as exc:
        services.item_save(actor=centre["supervisor"], data=data(centre, limit_days=0))
    assert "limit_days" in exc.value.errors
    with pytest.raises(DomainError) as exc:
        services.item_save(actor=centre["supervisor"], data=data(centre, code="MZ-JZ-01"))
    assert "已存在" in exc.value.errors["code"][0]
    with pytest.raises(DomainError) as exc:
        services.item_save(actor=centre["supervisor"], data=data(centre, legal_limit_days=5))
    assert "legal_limit_days" in exc.value.errors
    with pytest.raises(DomainError):
        services.item_save(actor=centre["supervisor"], data=data(centre), materials=[{"name": "身份证"}, {"name": "身份证"}])


def test_it_updates_materials_in_place(centre):
    item = centre["dibao"]
    first = item.materials.get(name="居民身份证")
    services.item_save(actor=centre["supervisor"], item=item, data={
        **{f: getattr(item, f) for f in services.catalogue.ITEM_FIELDS}},
        materials=[{"name": "居民身份证", "is_key": True}, {"name": "新增材料", "is_key": False}])
    assert list(item.materials.values_list("name", flat=True)) == ["居民身份证", "新增材料"]
    assert item.materials.get(name="居民身份证").pk == first.pk


def test_it_round_trips_the_catalogue_through_excel_without_duplicates(centre):
    content = excel.export_catalogue(actor=centre["supervisor"], queryset=ServiceItem.objects.all())
    before = (ServiceItem.objects.count(), ItemMaterial.objects.count())
    record = excel.import_catalogue(actor=centre["supervisor"],
                                    upload=SimpleUploadedFile("catalogue.xlsx", content, content_type=XLSX))
    assert record.counts == {"created": 0, "updated": 0, "unchanged": before[0], "failed": 0} and not record.errors
    assert (ServiceItem.objects.count(), ItemMaterial.objects.count()) == before
    assert AuditLog.objects.filter(action="export", object_type="acceptance.serviceitem").exists()


def workbook(rows, materials=()):
    wb = Workbook()
    ws = wb.active
    ws.title = "事项"
    ws.append([h for h, _f in excel.ITEM_COLUMNS])
    for row in rows:
        ws.append(row)
    m = wb.create_sheet("材料")
    m.append([h for h, _f in excel.MATERIAL_COLUMNS])
    for row in materials:
        m.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("import.xlsx", buffer.getvalue(), content_type=XLSX)


def test_it_imports_good_rows_and_reports_bad_ones_by_row(centre):
    upload = workbook([
        ["RS-01", "失业登记", "MZ", "就业", "A", "即办件", 0, "", "是", "否", "", "", 0, "", "是", "", "", 1, ""],
        ["RS-02", "就业补贴", "NOPE", "就业", "A", "承诺件", 10],
        ["RS-03", "补贴申请", "民政", "就业", "Q", "承诺件", 10],
        ["RS-04", "灵活就业", "MZ", "就业", "A", "随便", 0],
        ["RS-05", "养老金", "MZ", "社保", "A", "承诺件", 0],
        ["RS-01", "重复", "MZ", "就业", "A", "即办件", 0],
        ["RS-06", "社保卡", "杨浦区民政局", "社保", "a", "承诺", 20, 30, "x"],
    ], materials=[["RS-01", "居民身份证", "否", "是", 1, ""], ["RS-01", "就业登记表", "是", "", "", ""],
                  ["GHOST", "材料", "", "", "", ""]])
    record = excel.import_catalogue(actor=centre["supervisor"], upload=upload)
    assert record.counts["created"] == 1 and record.counts["failed"] == 6
    rows = {(e["sheet"], e["row"]): e["reason"] for e in record.errors}
    assert "主管部门“NOPE”不存在" in rows["事项", 3]
    assert "取号类别“Q”不存在" in rows["事项", 4]
    assert "办理方式“随便”" in rows["事项", 5]
    assert "承诺件须填写承诺时限" in rows["事项", 6]
    assert "与第2行事项编码重复" in rows["事项", 7]
    assert "不是“是”或“否”" in rows["事项", 8]
    assert "GHOST 不存在" in rows["材料", 4]
    item = ServiceItem.objects.get(code="RS-01")
    assert item.is_instant and item.tongban and item.online
    assert [(m.name, m.is_key) for m in item.materials.all()] == [("居民身份证", True), ("就业登记表", False)]
    report = load_workbook(io.BytesIO(excel.error_report(record.errors))).active
    assert report.max_row == 8 and report["D2"].value


def test_it_refuses_a_file_that_is_not_a_workbook(centre, client_as):
    client = client_as(centre["supervisor"])
    response = client.post("/acceptance/catalogue/import/",
                           {"file": SimpleUploadedFile("x.xlsx", b"not a zip", content_type=XLSX)})
    assert response.status_code == 200 and "不是有效的 Excel" in response.content.decode()
    response = client.post("/acceptance/catalogue/import/", {"file": SimpleUploadedFile("x.csv", b"a,b")})
    assert "只支持 .xlsx" in response.content.decode()
    wb = Workbook()
    wb.active.title = "别的表"
    buffer = io.BytesIO()
    wb.save(buffer)
    response = client.post("/acceptance/catalogue/import/",
                           {"file": SimpleUploadedFile("x.xlsx", buffer.getvalue(), content_type=XLSX)})
    assert "没有“事项”工作表" in response.content.decode()
    assert not CatalogueImport.objects.exists()


def test_it_shows_the_import_report_and_its_download(centre, client_as):
    client = client_as(centre["supervisor"])
    upload = workbook([["X-1", "名", "NOPE", "类", "A", "即办件", 0]])
    response = client.post("/acceptance/catalogue/import/", {"file": upload})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "主管部门“NOPE”不存在" in page
    download = client.get(response["Location"] + "?download=errors")
    assert download["Content-Type"] == XLSX
    # Someone else's import is not visible.
    assert client_as(centre["clerk"]).get(response["Location"]).status_code == 403


def test_it_lets_clerks_browse_but_only_the_supervisor_edit(centre, client_as, personas):
    assert client_as(centre["clerk"]).get("/acceptance/catalogue/?q=最低").status_code == 200
    assert client_as(centre["clerk"]).get(f"/acceptance/catalogue/{centre['dibao'].pk}/").status_code == 200
    assert client_as(centre["clerk"]).get("/acceptance/catalogue/new/").status_code == 403
    assert client_as(personas["dunhua"]).get("/acceptance/catalogue/").status_code == 403
    client = client_as(centre["supervisor"])
    response = client.post("/acceptance/catalogue/new/", {
        "code": "WEB-1", "name": "网页新增", "department": centre["dibao"].department.pk, "category": "其他",
        "queue_category": centre["A"].pk, "mode": "promise", "limit_days": 5, "fee": "0", "sort_order": 0,
        "agent_allowed": "on", "is_active": "on", "m-TOTAL_FORMS": 2, "m-INITIAL_FORMS": 0,
        "m-0-name": "居民身份证", "m-0-is_key": "on", "m-0-copies": 1, "m-1-name": ""})
    assert response.status_code == 302
    assert list(ServiceItem.objects.get(code="WEB-1").materials.values_list("name", flat=True)) == ["居民身份证"]
    assert client_as(centre["clerk"]).get("/acceptance/catalogue/export/")["Content-Type"] == XLSX


def test_it_filters_the_catalogue_page_export_and_api_with_one_schema(centre, client_as, api_as):
    page = client_as(centre["clerk"]).get("/acceptance/catalogue/", {"department": "CGZF"}).content.decode()
    assert "城管事项" in page and "城乡居民最低生活保障申请" not in page
    export = client_as(centre["clerk"]).get("/acceptance/catalogue/export/", {"queue_category": "B"})
    codes = {row[0] for row in load_workbook(io.BytesIO(export.content)).worksheets[0].iter_rows(values_only=True)}
    assert "MZ-JZ-01" in codes and "CG-01" not in codes
    api = api_as(centre["clerk"]).get("/api/v1/acceptance/items/", {"search": "城管", "department": "CGZF"})
    assert [i["code"] for i in api.json()["results"]] == ["CG-01"]


def test_it_refuses_a_catalogue_filter_it_cannot_read(centre, client_as, api_as):
    export = client_as(centre["clerk"]).get("/acceptance/catalogue/export/", {"department": "NOPE"})
    assert export.status_code == 400 and "筛选条件有误" in export.content.decode()
    api = api_as(centre["clerk"]).get("/api/v1/acceptance/items/", {"department": "NOPE"})
    assert api.status_code == 400 and set(api.json()["errors"]) == {"department"}
