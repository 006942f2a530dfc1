"""Import of the health centre's signing list (good and bad rows, the error report) and the coverage arithmetic."""

import datetime as dt
import io
import logging
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from shequ.core.choices import JobStatus
from shequ.core.models import AuditLog, Job
from shequ.core.tasks import run_ready_tasks
from shequ.core.testing import valid_id_number
from shequ.health import selectors, services
from shequ.health.models import Contract, CoverageSnapshot, CoverageTarget
from shequ.health.testing import sign

HEADER = ["姓名", "身份证号", "家庭医生", "签约团队", "区级医院", "市级医院", "签约日期", "到期日期", "慢病情况"]


def xlsx(rows, header=HEADER) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("签约名单.xlsx", buffer.getvalue(),
                              content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def run(client, upload):
    response = client.post("/health/import/", {"file": upload})
    assert response.status_code == 302, response.content.decode()[:2000]
    job = Job.objects.filter(kind="health.contract_import").latest("created_at")
    run_ready_tasks()
    job.refresh_from_db()
    return job


def test_it_signs_good_rows_and_reports_each_bad_row(client_as, health, people, personas, caplog):
    today = timezone.localdate()
    end = services.term_end(today, 1)
    unknown = valid_id_number(seed=77)
    rows = [
        ["王老伯", people["father"].id_number, "沈丽华", "", "杨浦区中心医院", "上海交通大学医学院附属新华医院",
         today, end, "高血压"],                                                                      # 2 good
        ["王建国", people["head"].id_number, "顾建平", "延吉第二团队", "", "", today.isoformat(),
         end.isoformat(), ""],                                                                       # 3 good (text dates)
        ["王老伯", people["father"].id_number, "沈丽华", "", "", "", today, end, ""],                 # 4 duplicate in file
        ["查无此人", unknown, "沈丽华", "", "", "", today, end, ""],                                   # 5 not in registry
        ["赵师傅", people["kj"].id_number, "沈丽华", "", "", "", today, end, ""],                      # 6 other committee
        ["王小明", people["child"].id_number, "华佗", "", "", "", today, end, ""],                     # 7 unknown doctor
        ["李阿婆", people["alone"].id_number, "沈丽华", "", "", "", today, today + dt.timedelta(days=100), ""],  # 8 short
        ["李阿婆", "110105194912310021", "沈丽华", "", "", "", today, end, ""],                       # 9 bad check digit
        ["张冒名", people["alone"].id_number.replace("X", "x"), "沈丽华", "", "", "", "2026-13-40", end, ""],  # 10
        ["王小明", people["child"].id_number, "沈丽华", "", "不存在医院", "", today, end, ""],           # 11 bad hospital
        [None] * 9,                                                                                  # blank: skipped
    ]
    caplog.set_level(logging.DEBUG)
    client = client_as(personas["dunhua"])
    job = run(client, xlsx(rows))
    assert job.status == JobStatus.DONE, job.error
    assert (job.result["created"], job.result["failed"]) == (2, 8)
    errors = {e["row"]: e["reason"] for e in job.result["errors"]}
    assert "与第2行身份证号重复" in errors[4]
    assert "没有该身份证号的居民" in errors[5] and "没有该身份证号的居民" in errors[6]
    assert "家庭医生“华佗”不在系统中" in errors[7]
    assert "签约期限不得少于一年" in errors[8]
    assert "校验" in errors[9]
    assert "不是有效日期" in errors[10] and "姓名与居民信息库不一致" in errors[10]
    assert "区级医院“不存在医院”不在系统中" in errors[11]
    father = Contract.objects.get(resident=people["father"])
    assert father.conditions == "高血压" and father.source == "import" and father.city_hospital == health["city"]
    assert father.events.get().action == "import"
    # No ID number of the file in the logs or in the stored result.
    everything = caplog.text + repr(job.result)
    for person in people.values():
        assert person.id_number not in everything
    # The downloadable error report: one row per refused line, with the reason.
    report = client.get(f"/health/import/{job.pk}/errors/")
    lines = list(load_workbook(io.BytesIO(report.content)).active.iter_rows(values_only=True))
    assert lines[0] == ("行号", "姓名", "原因") and len(lines) == 9
    assert client_as(personas["kongjiang"]).get(f"/health/import/{job.pk}/errors/").status_code == 404
    assert AuditLog.objects.filter(action="import", object_type="health.contract").exists()
    # Importing the same file again creates nothing new.
    again = run(client, xlsx(rows))
    assert (again.result["created"], again.result["unchanged"]) == (0, 2)
    assert Contract.objects.count() == 2


def test_it_refuses_a_sheet_without_the_required_columns(client_as, health, personas):
    job = run(client_as(personas["dunhua"]), xlsx([["张三"]], header=["姓名"]))
    assert job.status == JobStatus.FAILED and "缺少必填列" in job.error and "身份证号" in job.error


@pytest.mark.parametrize("upload,message", [
    (SimpleUploadedFile("a.csv", b"name,id\n"), "只支持 .xlsx"),
    (SimpleUploadedFile("a.xlsx", b"not a zip at all"), "不是有效的 Excel"),
])
def test_it_refuses_a_broken_file_in_the_request(client_as, health, personas, upload, message):
    response = client_as(personas["dunhua"]).post("/health/import/", {"file": upload})
    assert response.status_code == 400 and message in response.content.decode()


def test_it_refuses_the_import_to_roles_without_the_capability(client_as, personas, health):
    assert client_as(personas["leader"]).get("/health/import/").status_code == 403
    assert client_as(personas["dunhua"]).get("/health/import/template/").status_code == 200


# --- coverage ------------------------------------------------------------------------------------------------------

def test_the_rate_is_signed_over_residents_to_one_decimal():
    assert selectors.rate(1, 3) == Decimal("33.3")
    assert selectors.rate(2, 3) == Decimal("66.7")
    assert selectors.rate(0, 5) == Decimal("0.0")
    assert selectors.rate(0, 0) is None


def test_it_counts_coverage_by_committee_and_key_group(health, people, personas):
    from django.apps import apps

    from shequ.core.testing import make_resident

    chronic = apps.get_model("people", "Tag").objects.get_or_create(
        code="chronic", defaults={"name": "慢病", "sensitive": True})[0]
    disabled = apps.get_model("people", "Tag").objects.get(code="disabled")
    make_resident(personas["dunhua"], people["father"].committee, name="孙老师",
                  id_number=valid_id_number(dt.date(1950, 2, 2)), tags=[chronic, disabled])
    today = timezone.localdate()
    sign(personas["dunhua"], people["father"], health, start=today)   # 81: 60+, 80+
    sign(personas["dunhua"], people["alone"], health, start=today)    # 82, living alone
    closed = sign(personas["dunhua"], people["head"], health, start=today)
    services.contract_terminate(actor=personas["dunhua"], contract=closed, reason="moved")  # no longer counts
    sign(personas["kongjiang"], people["kj"], health, start=today)
    services.coverage_refresh(actor=personas["leader"])
    dunhua = people["father"].committee
    snap = {s.group: (s.population, s.signed) for s in CoverageSnapshot.objects.filter(committee=dunhua)}
    # 敦化路: 王建国 51, 王老伯 81, 王小明 14, 李阿婆 82 (独居), 孙老师 76 (慢病, 残疾)
    assert snap == {"all": (5, 2), "60+": (3, 2), "80+": (2, 2), "living_alone": (1, 1), "disabled": (1, 0),
                    "chronic": (1, 0)}
    table = selectors.coverage(user=personas["leader"], group="60+")
    rows = {r["committee"].name: r for r in table["rows"]}
    assert (rows["敦化路居委会"]["signed"], rows["敦化路居委会"]["population"], rows["敦化路居委会"]["rate"]) == (
        2, 3, Decimal("66.7"))
    assert rows["控江路645弄居委会"]["rate"] == Decimal("100.0")
    assert table["total"] == {"population": 4, "signed": 3, "rate": Decimal("75.0"), "met": False}  # target 80
    CoverageTarget.objects.filter(group="60+").update(target=Decimal("70"))
    assert selectors.coverage(user=personas["leader"], group="60+")["total"]["met"] is True
    # A committee worker sees his committee only.
    mine = selectors.coverage(user=personas["dunhua"], group="all")
    assert [r["committee"].name for r in mine["rows"]] == ["敦化路居委会"]


def test_the_coverage_page_shows_the_formula_numerator_and_denominator(client_as, health, people, personas):
    sign(personas["dunhua"], people["father"], health, start=timezone.localdate())
    client = client_as(personas["dunhua"])
    assert client.post("/health/coverage/refresh/").status_code == 302
    text = client.get("/health/coverage/", {"group": "60+"}).content.decode()
    assert "覆盖率 = 在约签约居民数 ÷ 在册居民数 × 100%" in text
    assert "50.0%" in text and "coverage-data" in text and "<script>" not in text.split("coverage-data")[1][:50]
    assert "控江路645弄居委会" not in text
    bad = client.get("/health/coverage/", {"group": "everyone"})
    assert bad.status_code == 400 and "选择一个有效的选项" in bad.content.decode()
