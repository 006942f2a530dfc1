"""One writer for every workbook Shequ writes (text that a spreadsheet would read as a formula is stored as text)
and the zip-bomb check every .xlsx upload passes before it is parsed."""

import io
import pathlib
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from shequ.core.excel import FORMULA_TRIGGERS, ImportFileError, check_xlsx_upload, new_workbook, workbook_bytes

HOSTILE = ["=HYPERLINK(\"http://x.invalid\",\"点我\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]


def sheet_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))


def assert_stored_as_text(content: bytes, texts) -> None:
    assert "<f>" not in sheet_xml(content) and "<f " not in sheet_xml(content)
    wb = load_workbook(io.BytesIO(content))
    texts = {t.replace("\r", "\n") for t in texts}  # XML reads a bare CR back as LF
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value in texts]
    assert {c.value for c in cells} == texts
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)


@pytest.mark.parametrize("write_only", [False, True])
def test_it_stores_formula_like_text_as_text(write_only):
    wb = new_workbook(write_only=write_only)
    ws = wb.create_sheet("表") if write_only else wb.active
    ws.append(["姓名", "备注"])
    for text in HOSTILE:
        ws.append(["张三", text])
    ws.append(["李四", "普通文字"])
    content = workbook_bytes(wb)
    assert_stored_as_text(content, HOSTILE)
    assert load_workbook(io.BytesIO(content)).worksheets[0]["B8"].quotePrefix is False


def test_the_direct_writer_stores_formula_like_text_as_text_and_reads_back():
    import datetime as dt
    from decimal import Decimal

    from shequ.core.excel import rows_xlsx

    rows = [["姓名", "备注", "数"]] + [["张三", text, 1] for text in HOSTILE] + [
        ["李四 ", "a<b & c>d\x01", Decimal("2.50")], [None, dt.date(2026, 1, 2), True]]
    content = rows_xlsx("居民/名单", rows)
    assert_stored_as_text(content, HOSTILE)
    ws = load_workbook(io.BytesIO(content)).worksheets[0]
    assert ws.title == "居民 名单"
    assert [c.value for c in ws[8]] == ["李四 ", "a<b & c>d", 2.5]
    assert ws["B8"].quotePrefix is False
    assert [c.value for c in ws[9]][1:] == ["2026-01-02", "是"]


def test_it_has_one_writer():
    """No module builds or saves a workbook but core.excel."""
    root = pathlib.Path(__file__).resolve().parents[2]
    offenders = []
    for path in root.rglob("*.py"):
        if "tests" in path.parts or path.name == "excel.py" and path.parent.name == "core":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"\bWorkbook\(|from openpyxl import .*\bWorkbook\b", text):
            offenders.append(str(path.relative_to(root)))
    assert not offenders


@pytest.mark.django_db
def test_it_exports_a_hostile_resident_name_as_text(personas, client_as):
    from shequ.core.testing import make_resident

    worker = personas["dunhua"]
    make_resident(worker, worker.nodes.first(), address="=HYPERLINK(\"http://x.invalid\",\"a\")")
    response = client_as(worker).get("/people/export/")
    assert response.status_code == 200
    assert_stored_as_text(response.content, ["=HYPERLINK(\"http://x.invalid\",\"a\")"])


def test_it_writes_the_import_error_report_as_text():
    from shequ.people.excel import error_report

    assert_stored_as_text(error_report([{"row": 2, "name": "=1+2", "reason": "-身份证号无效"}]),
                          ["=1+2", "-身份证号无效"])


def _bomb(size: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * size + b"/>")
    return buffer.getvalue()


def test_it_refuses_a_zip_bomb_before_parsing(settings):
    upload = SimpleUploadedFile("居民.xlsx", _bomb(50 * 1048576))
    assert upload.size < 1048576
    with pytest.raises(ImportFileError) as caught:
        check_xlsx_upload(upload)
    assert "压缩比" in caught.value.message and upload.tell() == 0
    settings.SHEQU_IMPORT_MAX_UNCOMPRESSED_BYTES = 10 * 1048576
    with pytest.raises(ImportFileError) as caught:
        check_xlsx_upload(SimpleUploadedFile("居民.xlsx", _bomb(20 * 1048576)))
    assert "解压后过大" in caught.value.message


def test_it_accepts_an_ordinary_workbook():
    wb = new_workbook()
    for i in range(2000):
        wb.active.append([f"居民{i}", "310110195001011234", "敦化路居委会", f"延吉东路{i}号"])
    upload = SimpleUploadedFile("居民.xlsx", workbook_bytes(wb))
    check_xlsx_upload(upload)
    assert upload.tell() == 0


def test_formula_triggers_are_the_owasp_set():
    assert set(FORMULA_TRIGGERS) == {"=", "+", "-", "@", "\t", "\r"}
