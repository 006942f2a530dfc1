"""系统配置 to and from Excel: every table exports; an import is validated row by row as the page validates,
saves nothing when any row is wrong, is audited, and never writes a formula."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from shequ.core import config
from shequ.core.choices import AuditAction, DepartmentKind
from shequ.core.models import AuditLog, Department


@pytest.fixture
def admin_client(personas, client_as):
    return client_as(personas["sysadmin"])


def _xlsx(rows, name="config.xlsx"):
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = name
    return buffer


def _sheet(response):
    wb = load_workbook(io.BytesIO(response.content))
    return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]


def _import(client, key, rows, name="config.xlsx"):
    return client.post(reverse("core:config-import", args=[key]), {"file": _xlsx(rows, name)})


HEADER = ["代码", "名称", "简称", "类型", "所属辖区（代码）", "联系电话", "启用", "排序"]


@pytest.mark.django_db
def test_every_table_exports_with_chinese_headers_and_the_export_is_audited(admin_client, tree):
    for table in config.tables():
        response = admin_client.get(reverse("core:config-export", args=[table.key]))
        assert response.status_code == 200, table.key
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        header = _sheet(response)[0]
        assert all(h and not h.isascii() for h in header), (table.key, header)
    assert AuditLog.objects.filter(action=AuditAction.EXPORT, object_type="core.department").exists()


@pytest.mark.django_db
def test_export_writes_names_labels_and_yes_no_and_round_trips_unchanged(admin_client, tree):
    Department.objects.create(code="YS", name="营商办", short_name="营商", kind=DepartmentKind.SUBDISTRICT_OFFICE,
                              node=tree["sub"], is_active=False)
    rows = _sheet(admin_client.get(reverse("core:config-export", args=["departments"])))
    assert rows[0] == HEADER
    row = next(r for r in rows if r[0] == "YS")
    assert row[3] == DepartmentKind.SUBDISTRICT_OFFICE.label and row[4] == tree["sub"].code and row[6] == "否"
    before = AuditLog.objects.filter(action=AuditAction.CONFIG).count()
    response = _import(admin_client, "departments", rows)
    assert response.status_code == 302
    assert AuditLog.objects.filter(action=AuditAction.CONFIG).count() == before  # nothing changed, nothing logged


@pytest.mark.django_db
def test_import_creates_and_updates_and_each_change_is_in_the_history(admin_client, tree):
    Department.objects.create(code="YS", name="营商办", short_name="营商", kind=DepartmentKind.SUBDISTRICT_OFFICE,
                              node=tree["sub"])
    response = _import(admin_client, "departments", [
        HEADER,
        ["YS", "营商环境办公室", "营商办", "街道科室", tree["sub"].code, "021-65000000", "是", 3],
        ["FW", "服务办", "服务办", "街道科室", tree["sub"].code, None, "否", 4],
    ])
    assert response.status_code == 302, response.content.decode()[-3000:]
    ys, fw = Department.objects.get(code="YS"), Department.objects.get(code="FW")
    assert ys.name == "营商环境办公室" and ys.phone == "021-65000000" and ys.sort_order == 3
    assert not fw.is_active and fw.node == tree["sub"]
    ops = dict(AuditLog.objects.filter(action=AuditAction.CONFIG, object_type="core.department")
               .values_list("object_id", "detail__op"))
    assert ops == {str(ys.pk): "change", str(fw.pk): "create"}
    assert AuditLog.objects.filter(action=AuditAction.IMPORT, detail__created=1, detail__updated=1).exists()
    page = admin_client.get(reverse("core:config-edit", args=["departments", ys.pk])).content.decode()
    assert "修改记录" in page and "名称" in page


@pytest.mark.django_db
def test_a_column_left_out_keeps_its_value(admin_client, tree):
    Department.objects.create(code="YS", name="营商办", short_name="营商", kind=DepartmentKind.SUBDISTRICT_OFFICE,
                              node=tree["sub"], phone="021-1")
    assert _import(admin_client, "departments", [["代码", "名称"], ["YS", "营商环境办"]]).status_code == 302
    ys = Department.objects.get(code="YS")
    assert ys.name == "营商环境办" and ys.phone == "021-1" and ys.short_name == "营商"


@pytest.mark.django_db
def test_one_bad_row_saves_nothing_and_every_error_is_listed_in_chinese(admin_client, tree):
    response = _import(admin_client, "departments", [
        HEADER,
        ["OK", "好的部门", "好的", "街道科室", tree["sub"].code, None, "是", 1],
        ["BAD", "x" * 300, "坏", "不存在的类型", "999999", None, "也许", "abc"],
        ["OK", "重复", "重复", "街道科室", tree["sub"].code, None, "是", 1],
        [None, "没有代码", "无", "街道科室", tree["sub"].code, None, "是", 1],
    ])
    assert response.status_code == 200
    body = response.content.decode()
    assert "全部未导入" in body
    for text in ("第3行", "不是可选的值", "找不到“999999”", "请填“是”或“否”", "第4行", "与第2行重复", "第5行",
                 "该字段是必填项", "不超过 64 字符"):
        assert text in body, text
    assert not Department.objects.filter(code__in=["OK", "BAD"]).exists()
    assert not AuditLog.objects.filter(action__in=[AuditAction.CONFIG, AuditAction.IMPORT]).exists()


@pytest.mark.django_db
def test_a_wrong_file_or_a_wrong_sheet_is_refused(admin_client, tree):
    response = admin_client.post(reverse("core:config-import", args=["departments"]),
                                 {"file": io.BytesIO(b"name,code\n")})
    assert response.status_code == 200 and "请选择" not in response.content.decode()[:0]
    bad = io.BytesIO(b"not a zip")
    bad.name = "x.xlsx"
    body = admin_client.post(reverse("core:config-import", args=["departments"]), {"file": bad}).content.decode()
    assert "不是有效的 Excel" in body
    body = _import(admin_client, "departments", [["code", "name"], ["A", "B"]]).content.decode()
    assert "不是“部门”的字段" in body or "的字段" in body
    body = _import(admin_client, "departments", [HEADER]).content.decode()
    assert "没有数据行" in body
    body = _import(admin_client, "departments", [HEADER, ["A"]], name="x.csv").content.decode()
    assert "只支持 .xlsx" in body


@pytest.mark.django_db
def test_text_that_looks_like_a_formula_is_exported_as_text(admin_client, tree):
    Department.objects.create(code="F1", name="=HYPERLINK(\"http://x\")", short_name="@SUM(1)",
                              kind=DepartmentKind.SUBDISTRICT_OFFICE, node=tree["sub"])
    response = admin_client.get(reverse("core:config-export", args=["departments"]))
    wb = load_workbook(io.BytesIO(response.content))
    cells = [c for row in wb.worksheets[0].iter_rows() for c in row if str(c.value).startswith(("=", "@"))]
    assert cells and all(c.data_type == "s" for c in cells)


@pytest.mark.django_db
def test_a_table_matched_by_its_choice_code_and_one_without_code_by_its_number(admin_client, tree):
    from shequ.grid.models import ShiftPattern, ShiftType

    ShiftType.objects.create(code="E", name="早班", start="06:30", end="14:30")
    rows = _sheet(admin_client.get(reverse("core:config-export", args=["grid-shift-type"])))
    rows[1][1] = "早班次"
    assert _import(admin_client, "grid-shift-type", rows).status_code == 302
    assert ShiftType.objects.get(code="E").name == "早班次"
    pattern = ShiftPattern.objects.create(name="四班三运转", slots="EEMMNNOO", anchor="2026-01-01")
    rows = _sheet(admin_client.get(reverse("core:config-export", args=["grid-shift-pattern"])))
    assert rows[0][0] == "编号" and rows[1][0] == pattern.pk
    rows[1][1] = "新轮转"
    rows.append([None, "第二轮转", "EMNO", "2026-02-01", "是"])
    rows.append([99999, "不存在", "EMNO", "2026-02-01", "是"])
    body = _import(admin_client, "grid-shift-pattern", rows).content.decode()
    assert "没有编号为“99999”的记录" in body
    assert _import(admin_client, "grid-shift-pattern", rows[:-1]).status_code == 302
    assert ShiftPattern.objects.get(pk=pattern.pk).name == "新轮转"
    assert ShiftPattern.objects.filter(name="第二轮转").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["leader", "dunhua", "auditor"])
def test_other_roles_cannot_export_or_import(personas, client_as, who):
    client = client_as(personas[who])
    assert client.get(reverse("core:config-export", args=["departments"])).status_code == 403
    assert client.post(reverse("core:config-import", args=["departments"]),
                       {"file": _xlsx([HEADER])}).status_code == 403


@pytest.mark.django_db
def test_a_table_whose_rows_need_a_service_is_export_only(admin_client, tree):
    response = admin_client.get(reverse("core:config-import", args=["grid-open311-client"]))
    assert response.status_code == 302
    assert admin_client.get(reverse("core:config-export", args=["grid-open311-client"])).status_code == 200
