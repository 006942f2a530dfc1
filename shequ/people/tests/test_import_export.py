import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from openpyxl import Workbook, load_workbook

from shequ.core import crypto
from shequ.core.choices import AuditAction, JobStatus
from shequ.core.tasks import run_ready_tasks
from shequ.core.models import AuditLog, Job
from shequ.core.testing import make_resident, valid_id_number
from shequ.people.models import Household, Resident

HEADER = ["姓名", "身份证号", "居委会", "居住地址", "联系电话", "性别", "出生日期", "户号", "与户主关系", "户籍类型",
          "标签", "备注"]


def xlsx(rows, header=HEADER) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("residents.xlsx", buffer.getvalue(),
                              content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


GOOD_1 = valid_id_number(seed=1)
GOOD_2 = valid_id_number(seed=2)
GOOD_3 = valid_id_number(seed=3)


def mixed_rows():
    return [
        ["张三", GOOD_1, "敦化路居委会", "敦化路1号101室", "13800138000", "", "", "H01", "户主", "户籍", "独居、低保", ""],
        ["李四", "110105194912310021", "敦化路", "敦化路1号101室", "", "", "", "", "", "", "", ""],   # bad check digit
        ["王五", GOOD_2, "310110015001", "敦化路2号", "12345", "", "", "", "", "", "", ""],               # bad phone
        ["赵六", GOOD_3, "敦化路居委会", "敦化路3号", "", "男", "", "H01", "配偶", "外来", "", ""],
        ["钱七", GOOD_1, "敦化路居委会", "敦化路4号", "", "", "", "", "", "", "", ""],                     # duplicate ID
        ["孙八", valid_id_number(seed=4), "控江路645弄居委会", "控江路1号", "", "", "", "", "", "", "", ""],  # out of scope
        ["周九", valid_id_number(seed=5), "敦化路居委会", "", "", "", "", "", "", "", "", ""],             # no address
        ["吴十", valid_id_number(seed=6), "敦化路居委会", "敦化路6号", "", "", "", "", "", "", "不存在的标签", ""],
        [None, None, None, None, None, None, None, None, None, None, None, None],                         # blank: skipped
    ]


def upload_and_run(client, upload):
    response = client.post("/people/import/", {"file": upload})
    assert response.status_code == 302, response.content.decode()[:2000]
    job = Job.objects.latest("created_at")
    assert job.status == JobStatus.PENDING
    run_ready_tasks()
    job.refresh_from_db()
    return job


def test_it_saves_good_rows_and_reports_each_bad_row(personas, tree, client_as):
    client = client_as(personas["dunhua"])
    job = upload_and_run(client, xlsx(mixed_rows()))
    assert job.status == JobStatus.DONE
    assert job.result["created"] == 2 and job.result["failed"] == 6
    assert set(Resident.objects.values_list("name", flat=True)) == {"张三", "赵六"}
    errors = {e["row"]: e["reason"] for e in job.result["errors"]}
    assert "校验位" in errors[3]
    assert "电话" in errors[4]
    assert "与第2行身份证号重复" in errors[6]
    assert "不在您的管辖范围" in errors[7]
    assert "地址" in errors[8]
    assert "未知标签" in errors[9]
    zhang = Resident.objects.get(name="张三")
    assert zhang.household.number == "H01" and set(zhang.tags.values_list("code", flat=True)) == {"living_alone",
                                                                                                   "dibao"}
    assert Resident.objects.get(name="赵六").household_id == zhang.household_id
    page = client.get(f"/people/import/{job.pk}/").content.decode()
    assert "校验位" in page and "错误行" in page


def test_it_creates_no_duplicates_when_the_same_file_is_imported_twice(personas, tree, client_as):
    client = client_as(personas["dunhua"])
    upload_and_run(client, xlsx(mixed_rows()))
    second = upload_and_run(client, xlsx(mixed_rows()))
    assert second.result["created"] == 0 and second.result["unchanged"] == 2 and second.result["updated"] == 0
    assert Resident.objects.count() == 2 and Household.objects.count() == 1


def test_it_updates_a_known_resident_by_id_number(personas, tree, client_as):
    existing = make_resident(personas["dunhua"], tree["dunhua"], name="张三", id_number=GOOD_1, address="旧址")
    job = upload_and_run(client_as(personas["dunhua"]), xlsx([["张三", GOOD_1, "敦化路", "新址9号", "", "", "", "",
                                                               "", "", "", ""]]))
    assert job.result["updated"] == 1
    existing.refresh_from_db()
    assert existing.address == "新址9号" and existing.version == 2


def test_it_refuses_to_move_a_resident_registered_outside_the_scope(personas, tree, client_as):
    make_resident(personas["kongjiang"], tree["kongjiang"], name="张三", id_number=GOOD_1)
    job = upload_and_run(client_as(personas["dunhua"]), xlsx([["张三", GOOD_1, "敦化路", "敦化路1号", "", "", "", "",
                                                               "", "", "", ""]]))
    assert job.result["failed"] == 1 and "其他辖区" in job.result["errors"][0]["reason"]
    assert Resident.objects.get(id_hash__isnull=False).committee == tree["kongjiang"]


def test_it_audits_each_imported_row_and_the_import(personas, tree, client_as):
    job = upload_and_run(client_as(personas["dunhua"]), xlsx(mixed_rows()))
    created = AuditLog.objects.filter(action=AuditAction.CREATE, object_type="people.resident")
    assert created.count() == 2 and all(row.verify() for row in created)
    summary = AuditLog.objects.get(action=AuditAction.IMPORT)
    assert summary.detail["created"] == 2 and summary.object_id == str(job.pk)


def test_it_writes_the_same_audit_detail_as_a_single_edit(personas, tree, client_as):
    """The import goes through the people services: a created row is audited like `resident_create`, an updated
    row with the same field-by-field changes as `resident_update` (phone and ID never in clear)."""
    from shequ.people.services import resident_update

    dunhua = personas["dunhua"]
    by_form = make_resident(dunhua, tree["dunhua"], name="张三", id_number=GOOD_1, address="旧址", phone="13800138000")
    by_file = make_resident(dunhua, tree["dunhua"], name="李四", id_number=GOOD_2, address="旧址", phone="13800138000")
    resident_update(actor=dunhua, resident=by_form, data={"address": "新址9号", "phone": "13900139000"},
                    committee=None)
    job = upload_and_run(client_as(dunhua), xlsx([
        ["李四", GOOD_2, "敦化路", "新址9号", "13900139000", "", "", "", "", "", "独居", ""],
        ["王五", GOOD_3, "敦化路", "敦化路3号", "", "", "", "", "", "", "", ""]]))
    assert job.result["updated"] == 1 and job.result["created"] == 1
    form_edit = AuditLog.objects.get(action=AuditAction.UPDATE, object_id=str(by_form.pk)).detail
    file_edit = AuditLog.objects.get(action=AuditAction.UPDATE, object_id=str(by_file.pk)).detail
    assert form_edit == {"changes": {"address": ["旧址", "新址9号"], "phone": ["***", "***"]}}
    assert file_edit == {"changes": {**form_edit["changes"], "tags": [[], ["living_alone"]]},
                         "via": "import", "job": job.pk}
    created = AuditLog.objects.filter(action=AuditAction.CREATE, object_type="people.resident").order_by("pk")
    by_hand, by_import = created[0].detail, created[len(created) - 1].detail
    assert set(by_hand) == {"committee", "id"} and by_import["committee"] == tree["dunhua"].code
    assert by_import == {"committee": tree["dunhua"].code, "id": by_import["id"], "via": "import", "job": job.pk}
    assert "*" in by_import["id"] and GOOD_3 not in by_import["id"]
    by_file.refresh_from_db()
    assert by_file.version == 2 and list(by_file.tags.values_list("code", flat=True)) == ["living_alone"]


def test_it_creates_each_household_once_and_refuses_another_committees(personas, tree, client_as):
    Household.objects.create(number="K01", committee=tree["kongjiang"], address="控江路1号")
    rows = [["居民" + chr(0x4E00 + i), valid_id_number(seed=100 + i), "敦化路", "敦化路8号", "", "", "", number, "", "",
             "", ""] for i, number in enumerate(["H08", "H08", "H09", "K01", "H" * 33])]
    job = upload_and_run(client_as(personas["dunhua"]), xlsx(rows))
    assert job.result["created"] == 3 and job.result["failed"] == 2
    reasons = {e["row"]: e["reason"] for e in job.result["errors"]}
    assert "属于其他居委会" in reasons[5] and "不能超过32个字符" in reasons[6]
    h08 = Household.objects.get(number="H08")
    assert h08.committee == tree["dunhua"] and h08.members.count() == 2
    assert set(Household.objects.values_list("number", flat=True)) == {"H08", "H09", "K01"}
    audited = AuditLog.objects.filter(action=AuditAction.CREATE, object_type="people.household")
    assert sorted(a.object_repr.split()[0] for a in audited) == ["H08", "H09"] and all(a.verify() for a in audited)


def test_it_offers_the_error_rows_as_a_spreadsheet(personas, tree, client_as):
    client = client_as(personas["dunhua"])
    job = upload_and_run(client, xlsx(mixed_rows()))
    response = client.get(f"/people/import/{job.pk}/errors/")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("行号", "姓名", "原因") and len(rows) == 7
    assert client_as(personas["kongjiang"]).get(f"/people/import/{job.pk}/errors/").status_code == 404


@pytest.mark.parametrize("upload,message", [
    (SimpleUploadedFile("a.csv", b"name,id\n"), "只支持 .xlsx"),
    (SimpleUploadedFile("a.xlsx", b"not a zip at all"), "不是有效的 Excel"),
    (SimpleUploadedFile("a.xlsx", b"PK\x03\x04broken zip"), "不是有效的 Excel"),
])
def test_it_refuses_a_broken_file_with_a_message(personas, tree, client_as, upload, message):
    response = client_as(personas["dunhua"]).post("/people/import/", {"file": upload})
    assert response.status_code == 200 and message in response.content.decode()
    assert not Job.objects.exists()


def test_it_refuses_a_sheet_without_the_required_columns_in_the_job(personas, tree, client_as):
    """The request only stores the file; the columns are read by the task, which fails the job with the reason
    (once: a refusal is not retried) and deletes the file."""
    client = client_as(personas["dunhua"])
    response = client.post("/people/import/", {"file": xlsx([["张三"]], header=["姓名"])})
    assert response.status_code == 302
    job = Job.objects.latest("created_at")
    assert run_ready_tasks() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "缺少必填列" in job.error and not job.file
    assert "缺少必填列" in client.get(f"/people/import/{job.pk}/").content.decode()
    assert run_ready_tasks() == 0


def test_it_shows_progress_while_the_import_runs(personas, tree, client_as):
    client = client_as(personas["dunhua"])
    client.post("/people/import/", {"file": xlsx(mixed_rows())})
    job = Job.objects.latest("created_at")
    fragment = client.get(f"/people/import/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in fragment and "<html" not in fragment
    run_ready_tasks()
    fragment = client.get(f"/people/import/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "every 1s" not in fragment and "100%" in fragment


def test_it_imports_a_large_file_in_batches(personas, tree, client_as):
    rows = [["居民" + chr(0x4E00 + i), valid_id_number(), "敦化路", f"敦化路{i}号", "", "", "", "", "", "", "", ""]
            for i in range(1200)]
    job = upload_and_run(client_as(personas["dunhua"]), xlsx(rows))
    assert job.result["created"] == Resident.objects.count() == 1200
    assert job.processed == job.total == 1200


def test_it_reads_a_large_file_in_a_second_process(personas, tree, client_as, monkeypatch):
    """Above a size the sheet is parsed by a reader process; the import is the same, row numbers included."""
    from shequ.core import xlsx_rows

    monkeypatch.setattr(xlsx_rows, "INLINE_BELOW_BYTES", 0)
    monkeypatch.setattr(xlsx_rows, "CHUNK", 3)  # several chunks cross the process boundary
    job = upload_and_run(client_as(personas["dunhua"]), xlsx(mixed_rows()))
    assert job.status == JobStatus.DONE, job.error
    assert job.result["created"] == 2 and job.result["failed"] == 6
    assert sorted(e["row"] for e in job.result["errors"]) == [3, 4, 6, 7, 8, 9]


@override_settings(SHEQU_TASK_RETRY_MAX_ATTEMPTS=1)
def test_a_reader_process_failure_fails_the_job_and_saves_nothing(personas, tree, client_as, monkeypatch):
    from shequ.core import xlsx_rows

    client = client_as(personas["dunhua"])
    client.post("/people/import/", {"file": xlsx(mixed_rows())})
    job = Job.objects.latest("created_at")
    with open(job.file.path, "wb") as stored:
        stored.write(crypto.encrypt_bytes(b"PK\x03\x04 truncated"))  # damaged after the upload check
    monkeypatch.setattr(xlsx_rows, "INLINE_BELOW_BYTES", 0)
    run_ready_tasks()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and Resident.objects.count() == 0
    assert not job.file and "无法读取" in job.error


def test_it_refuses_imports_to_roles_without_the_right(personas, client_as):
    assert client_as(personas["clerk"]).get("/people/import/").status_code == 403


# --- export ----------------------------------------------------------------------------------------------------

@pytest.fixture
def registry(personas, tree):
    d, k = personas["dunhua"], personas["kongjiang"]
    make_resident(d, tree["dunhua"], name="张三", id_number=GOOD_1, phone="13800138000")
    make_resident(d, tree["dunhua"], name="李四")
    make_resident(d, tree["dunhua"], name="王五")
    make_resident(k, tree["kongjiang"], name="控江人")


def _rows(response):
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def test_it_exports_masked_and_scoped(registry, personas, client_as):
    response = client_as(personas["dunhua"]).get("/people/export/")
    rows = _rows(response)
    body = "".join(str(c) for row in rows for c in row if c)
    assert GOOD_1 not in body and "13800138000" not in body and "138****8000" in body
    names = {row[0] for row in rows[2:]}
    assert names == {"张三", "李四", "王五"}
    assert "导出人" in rows[0][0]


def test_it_caps_the_export_and_says_so(registry, personas, client_as):
    with override_settings(SHEQU_EXPORT_MAX_ROWS=2):
        response = client_as(personas["dunhua"]).get("/people/export/")
    assert len(_rows(response)) == 4 and response["X-Export-Truncated"] == "1"
    row = AuditLog.objects.get(action=AuditAction.EXPORT)
    assert row.detail["rows"] == 2 and row.detail["truncated"] is True


def test_it_exports_only_the_filtered_rows_and_logs_the_filter(registry, personas, client_as):
    response = client_as(personas["dunhua"]).get("/people/export/", {"q": "zs"})
    assert [r[0] for r in _rows(response)[2:]] == ["张三"]
    assert AuditLog.objects.get(action=AuditAction.EXPORT).detail["filters"] == {"search": "initials"}


def test_it_refuses_export_to_roles_without_the_right(registry, personas, client_as):
    assert client_as(personas["clerk"]).get("/people/export/").status_code == 403
