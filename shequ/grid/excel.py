"""Excel in and out: 12345 order import (also JSON), roster, indicator and case exports."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.styles import Alignment, Font, PatternFill

from shequ.core.errors import DomainError
from shequ.core.excel import check_xlsx_expansion, new_workbook, workbook_bytes

from .choices import SHIFT_SHORT

HOTLINE_COLUMNS = [("工单号", "order_no"), ("诉求类型", "hotline_type"), ("标题", "title"), ("诉求内容", "content"),
                   ("地址", "address"), ("来电人", "caller_name"), ("来电号码", "caller_phone"),
                   ("紧急程度", "urgency"), ("派单时间", "received_at"), ("纬度", "lat"), ("经度", "lng"),
                   ("小类代码", "category"), ("办结时限", "platform_due")]
MAX_BYTES = 10 * 1024 * 1024
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def _header(ws, titles):
    ws.append(titles)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL


def _bytes(wb) -> bytes:
    return workbook_bytes(wb)


def parse_hotline_upload(upload) -> list[dict]:
    """Rows of a 12345 order file (.xlsx with the template's headers, or a JSON array of objects)."""
    name = (getattr(upload, "name", "") or "").lower()
    if upload.size > MAX_BYTES:
        raise DomainError(_("文件过大（上限10MB）。"), {"file": [_("文件过大。")]})
    upload.seek(0)
    data = upload.read()
    if name.endswith(".json"):
        try:
            rows = json.loads(data.decode("utf-8-sig"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise DomainError(_("JSON 文件无法解析：%(e)s") % {"e": str(exc)[:80]}, {"file": [_("格式错误。")]})
        if isinstance(rows, dict):
            rows = rows.get("orders") or rows.get("items") or []
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise DomainError(_("JSON 须是工单对象的数组。"), {"file": [_("格式错误。")]})
        return [dict(r, _row=i) for i, r in enumerate(rows, start=1)]
    if not name.endswith(".xlsx") or data[:4] != b"PK\x03\x04" or not zipfile.is_zipfile(io.BytesIO(data)):
        raise DomainError(_("只支持 .xlsx 或 .json 文件。"), {"file": [_("文件格式不支持。")]})
    check_xlsx_expansion(io.BytesIO(data))
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        ws = wb.worksheets[0]
        it = ws.iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(it, ())]
        index = {field: header.index(title) for title, field in HOTLINE_COLUMNS if title in header}
        if "order_no" not in index or "content" not in index:
            raise DomainError(_("表头缺少“工单号”或“诉求内容”列，请使用导入模板。"), {"file": [_("表头不正确。")]})
        rows = []
        for number, values in enumerate(it, start=2):
            if values is None or all(v in (None, "") for v in values):
                continue
            row = {"_row": number}
            for field, i in index.items():
                value = values[i] if i < len(values) else None
                if isinstance(value, float) and value.is_integer() and field not in ("lat", "lng"):
                    value = int(value)
                row[field] = value.strip() if isinstance(value, str) else value
            rows.append(row)
        wb.close()
    except DomainError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for broken files
        raise DomainError(_("Excel 文件无法读取：%(e)s") % {"e": str(exc)[:80]}, {"file": [_("文件无法读取。")]})
    if len(rows) > 5000:
        raise DomainError(_("一次最多导入5000张工单。"), {"file": [_("行数过多。")]})
    return rows


def hotline_template() -> bytes:
    wb = new_workbook()
    ws = wb.active
    ws.title = "12345工单"
    _header(ws, [t for t, _f in HOTLINE_COLUMNS])
    ws.append(["SH12345-2026-000001", "投诉", "小区门口占道经营", "市民反映延吉中路某小区门口早晨有摊贩占道经营。",
               "延吉中路100号", "王先生", "13800138000", "一般", "2026-03-02 09:15", 31.2801, 121.5302, "E0502"])
    for col, width in zip("ABCDEFGHIJKL", (22, 8, 24, 50, 24, 10, 14, 8, 18, 10, 11, 10)):
        ws.column_dimensions[col].width = width
    return _bytes(wb)


def roster_workbook(month: dict, on_duty_names: dict | None = None) -> bytes:
    wb = new_workbook()
    ws = wb.active
    ws.title = f"{month['first']:%Y-%m}"
    days = month["days"]
    _header(ws, [_("班组"), _("队员")] + [f"{d.day}日\n{'一二三四五六日'[d.weekday()]}" for d in days])
    for cell in ws[1]:
        cell.alignment = Alignment(wrap_text=True, horizontal="center")
    colours = {"E": "FFF2CC", "M": "DDEBF7", "N": "D9D2E9", "O": "EDEDED"}
    for team in month["teams"]:
        names = "、".join(m.name for m in team.members.all() if m.is_active)
        ws.append([team.name, names] + [SHIFT_SHORT.get(code, "") for code in month["grid"][team.pk]])
        for col, code in enumerate(month["grid"][team.pk], start=3):
            ws.cell(row=ws.max_row, column=col).fill = PatternFill("solid", fgColor=colours.get(code, "FFFFFF"))
            ws.cell(row=ws.max_row, column=col).alignment = Alignment(horizontal="center")
    ws.column_dimensions["A"].width = 8
    ws.column_dimensions["B"].width = 40
    if month["overrides"]:
        ws2 = wb.create_sheet(_("调班请假"))
        _header(ws2, [_("日期"), _("队员"), _("班组"), _("班次"), _("原因")])
        for o in month["overrides"]:
            ws2.append([o.date, o.member.name, o.member.team.name, SHIFT_SHORT.get(o.shift, ""), o.reason])
    return _bytes(wb)


def indicator_workbook(*, title: str, rows: list[dict], columns: list[tuple[str, str]], start, end) -> bytes:
    wb = new_workbook()
    ws = wb.active
    ws.title = title[:30]
    ws.append([f"{title}（{start:%Y年%-m月%-d日}至{end:%Y年%-m月%-d日}）"])
    ws["A1"].font = Font(bold=True, size=13)
    _header(ws, [str(label) for _k, label in columns])
    for row in rows:
        ws.append([_cell(row.get(key)) for key, _label in columns])
    for i in range(1, len(columns) + 1):
        ws.column_dimensions[ws.cell(row=2, column=i).column_letter].width = 14
    ws.column_dimensions["A"].width = 28
    return _bytes(wb)


def _cell(value):
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None)
    return value if isinstance(value, (int, float, str, dt.date)) else str(value)


def case_workbook(cases) -> bytes:
    wb = new_workbook()
    ws = wb.active
    ws.title = _("案件")
    _header(ws, [_("案件编号"), _("类别"), _("小类"), _("来源"), _("状态"), _("紧急程度"), _("网格"), _("地址"),
                 _("责任单位"), _("上报时间"), _("派遣时间"), _("处置期限"), _("结案时间"), _("按期"), _("返工次数"),
                 _("延期次数")])
    for c in cases:
        ws.append([c.number, c.get_kind_display(), c.category.name, c.get_source_display(), c.get_status_display(),
                   c.get_urgency_display(), c.grid.name if c.grid else "", c.address, c.unit.name if c.unit else "",
                   _cell(c.reported_at), _cell(c.dispatched_at), _cell(c.deadline), _cell(c.closed_at),
                   "" if c.closed_on_time is None else (_("是") if c.closed_on_time else _("否")),
                   c.rework_count, c.extension_count])
    for col, width in zip("ABCDEFGHIJKLMNOP", (26, 6, 14, 12, 10, 8, 16, 24, 22, 18, 18, 18, 18, 6, 8, 8)):
        ws.column_dimensions[col].width = width
    return _bytes(wb)
