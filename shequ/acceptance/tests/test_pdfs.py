"""The printable documents are real PDFs whose text (extracted with pdftotext) is the Chinese we wrote."""

import datetime as dt
import shutil
import subprocess

import pytest
import time_machine

from shequ.acceptance import services
from shequ.acceptance.models import CaseEvent
from shequ.core.models import AuditLog

from .conftest import at, intake

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) not installed")]


def text_of(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def fonts_of(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout


def test_it_prints_the_acceptance_receipt(centre, tmp_path):
    with time_machine.travel(at(2026, 11, 23), tick=False):
        case = intake(centre)
        name, pdf = services.case_print(actor=centre["clerk"], case=case, kind="receipt")
    text = text_of(pdf, tmp_path)
    assert pdf.startswith(b"%PDF") and name.endswith("-receipt.pdf")
    for expected in ("受理回执", "城乡居民最低生活保障申请", "杨浦区民政局", "2026年11月30日", "王访客",
                     case.number, case.check_code, "家庭成员收入证明", "延吉新村街道社区事务受理服务中心"):
        assert expected in text, expected
    assert "WenQuanYi" in fonts_of(pdf, tmp_path)


def test_it_lists_every_missing_material_once_in_the_notice(centre, tmp_path):
    case = intake(centre, decision="notify", provided=[centre["materials"][0].pk])
    _name, pdf = services.case_print(actor=centre["clerk"], case=case, kind="notice")
    text = text_of(pdf, tmp_path)
    assert "一次性告知书" in text and "行政许可法" in text
    assert text.count("户口簿") == 1 and text.count("家庭成员收入证明") == 1
    assert "居民身份证" not in text  # provided materials are not asked for again
    # Supplementing does not change what the notice listed.
    services.case_supplement(actor=centre["clerk"], case=case, materials=[m.pk for m in case.materials.filter(
        provided=False)])
    _name, again = services.case_print(actor=centre["clerk"], case=case, kind="notice")
    assert text_of(again, tmp_path).count("户口簿") == 1


def test_it_prints_the_rongque_notice_with_the_deadline(centre, tmp_path):
    with time_machine.travel(at(2026, 11, 23), tick=False):
        case = intake(centre, decision="rongque", provided=[m.pk for m in centre["materials"][:2]],
                      rongque_deadline=dt.date(2026, 11, 27), promise_signed=True)
        _name, pdf = services.case_print(actor=centre["clerk"], case=case, kind="rongque")
    text = text_of(pdf, tmp_path)
    assert "容缺受理通知书" in text and "2026年11月27日" in text and "家庭成员收入证明" in text
    assert "终止办理" in text


def test_it_prints_the_refusal_with_reasons_and_appeal_rights(centre, tmp_path):
    case = intake(centre, decision="reject", reasons="申请事项不属于本中心受理范围，请向区房管局申请")
    _name, pdf = services.case_print(actor=centre["clerk"], case=case, kind="refusal")
    text = text_of(pdf, tmp_path)
    for expected in ("不予受理决定书", "不属于本中心受理范围", "行政复议", "杨浦区人民政府", "上海铁路运输法院", "六个月"):
        assert expected in text, expected


def test_it_audits_each_print_and_refuses_documents_that_do_not_exist(centre):
    case = intake(centre)
    services.case_print(actor=centre["clerk"], case=case, kind="receipt")
    assert AuditLog.objects.filter(action="print", object_id=str(case.pk), detail__document="receipt").exists()
    assert CaseEvent.objects.filter(case=case, action="print").exists()
    from shequ.core.errors import ConflictError

    with pytest.raises(ConflictError):
        services.case_print(actor=centre["clerk"], case=case, kind="refusal")


def test_it_serves_the_pdf_from_the_case_page(centre, client_as):
    case = intake(centre)
    response = client_as(centre["clerk"]).get(f"/acceptance/cases/{case.pk}/pdf/receipt/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    missing = client_as(centre["clerk"]).get(f"/acceptance/cases/{case.pk}/pdf/notice/")
    assert missing.status_code == 302
    assert client_as(centre["clerk"]).get(f"/acceptance/cases/{case.pk}/pdf/nothing/").status_code == 404
