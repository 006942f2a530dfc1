"""Excel for the acceptance centre: catalogue export/import (with a row-level error report) and the monthly
assessment sheet.

Catalogue import: sheet “事项” (one row per item, keyed by 事项编码: importing the same file twice creates no
duplicates) and sheet “材料” (rows keyed by 事项编码; an item listed there gets exactly those materials, an item
not listed keeps its materials). A bad row saves nothing and is reported with its sheet, row number and
reason; good rows are saved, each in its own savepoint.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from shequ.core.audit import audit_record
from shequ.core.choices import AuditAction
from shequ.core.errors import DomainError
from shequ.core.excel import ImportFileError, check_xlsx_upload, new_workbook, workbook_bytes
from shequ.core.models import Department

from .choices import ItemMode
from .models import CatalogueImport, QueueCategory, ServiceItem
from .services.catalogue import item_save

MAX_ITEMS = 5000
MAX_MATERIAL_ROWS = 50000

ITEM_COLUMNS = [
    ("事项编码", "code"), ("事项名称", "name"), ("主管部门", "department"), ("业务类别", "category"),
    ("取号类别", "queue_category"), ("办理方式", "mode"), ("承诺时限(工作日)", "limit_days"),
    ("法定时限(工作日)", "legal_limit_days"), ("全市通办", "tongban"), ("收受分离", "separated"),
    ("允许代办", "agent_allowed"), ("代办要求", "agent_note"), ("收费(元)", "fee"), ("收费说明", "fee_note"),
    ("网上可办", "online"), ("办理条件", "conditions"), ("设定依据", "legal_basis"), ("排序", "sort_order"),
    ("启用", "is_active"),
]
ITEM_REQUIRED = {"事项编码", "事项名称", "主管部门", "业务类别", "取号类别", "办理方式"}
MATERIAL_COLUMNS = [("事项编码", "code"), ("材料名称", "name"), ("可容缺", "optional"),
                    ("需核验原件", "original_required"), ("份数", "copies"), ("说明", "note"),
                    ("适用情形", "condition")]
MATERIAL_REQUIRED = {"事项编码", "材料名称"}
BOOL_FIELDS = {"tongban", "separated", "agent_allowed", "online", "is_active"}
TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "允许", "可以"}
FALSE = {"否", "n", "no", "false", "0", "×", "不允许", "不可以", ""}
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


def _style_header(ws, widths) -> None:
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"


def export_catalogue(*, actor, queryset) -> bytes:
    wb = new_workbook()
    ws = wb.active
    ws.title = "事项"
    ws.append([h for h, _f in ITEM_COLUMNS])
    items = list(queryset.select_related("department", "queue_category").prefetch_related("materials"))
    for item in items:
        ws.append([item.code, item.name, item.department.code, item.category, item.queue_category.letter,
                   item.get_mode_display(), item.limit_days, item.legal_limit_days, _yes_no(item.tongban),
                   _yes_no(item.separated), _yes_no(item.agent_allowed), item.agent_note, float(item.fee),
                   item.fee_note, _yes_no(item.online), item.conditions, item.legal_basis, item.sort_order,
                   _yes_no(item.is_active)])
    _style_header(ws, [14, 36, 10, 10, 8, 10, 10, 10, 8, 8, 8, 24, 9, 16, 8, 30, 30, 6, 6])
    mats = wb.create_sheet("材料")
    mats.append([h for h, _f in MATERIAL_COLUMNS])
    for item in items:
        for m in item.materials.all():
            mats.append([item.code, m.name, _yes_no(not m.is_key), _yes_no(m.original_required), m.copies, m.note,
                         m.condition])
    _style_header(mats, [14, 40, 8, 10, 6, 30, 20])
    cats = wb.create_sheet("取号类别")
    cats.append(["字母", "名称", "说明"])
    for c in QueueCategory.objects.all():
        cats.append([c.letter, c.name, c.description])
    _style_header(cats, [6, 20, 40])
    depts = wb.create_sheet("部门代码")
    depts.append(["代码", "简称", "名称"])
    for d in Department.objects.filter(is_active=True):
        depts.append([d.code, d.short_name, d.name])
    _style_header(depts, [10, 12, 40])
    notes = wb.create_sheet("填写说明")
    notes.append(["列", "说明"])
    for row in [
        ("事项编码", "必填，字母、数字和 _ . -；以编码为准，重复导入同一文件不会产生重复事项，已有事项会被更新"),
        ("主管部门", "必填，填“部门代码”表中的代码、简称或全称"),
        ("取号类别", "必填，一个大写字母，见“取号类别”表"),
        ("办理方式", "必填：即办件 或 承诺件；即办件的承诺时限为0，承诺件须填写承诺时限"),
        ("承诺/法定时限", "工作日数，0至365；承诺时限不能长于法定时限"),
        ("是/否列", "全市通办、收受分离、允许代办、网上可办、启用：填“是”或“否”；允许代办、启用留空视为“是”"),
        ("材料表", "每行一项材料；“可容缺”为“是”的材料可在容缺受理时暂缺，其余为关键材料。某事项在材料表中出现时，"
                 "其材料以本表为准；未出现的事项保留原有材料"),
        ("适用情形", "只在某种情形下需要的材料（情形材料）填写情形，如“委托他人代领”；受理时询问申请人，"
                 "只有申报情形的材料列入清单和告知书。留空为一律需要"),
    ]:
        notes.append(list(row))
    _style_header(notes, [16, 100])
    content = workbook_bytes(wb)
    with transaction.atomic():
        audit_record(actor=actor, action=AuditAction.EXPORT, object_type="acceptance.serviceitem",
                     detail={"rows": len(items)})
    return content


def template_workbook() -> bytes:
    return export_catalogue(actor=None, queryset=ServiceItem.objects.none())


def _header(row, columns, required, sheet) -> dict[str, int]:
    names = [str(h).strip().replace("（", "(").replace("）", ")") if h is not None else "" for h in row]
    known = {h for h, _f in columns}
    mapping = {name: i for i, name in enumerate(names) if name in known}
    missing = required - mapping.keys()
    if missing:
        raise ImportFileError(_("“%(s)s”表缺少必填列：%(c)s。请使用导出的文件或模板。") % {"s": sheet, "c": "、".join(sorted(missing))})
    return mapping


def _cell(row, mapping, header):
    index = mapping.get(header)
    if index is None or index >= len(row):
        return None
    value = row[index]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        value = value.strip()
    return value


def _bool(value, default: bool) -> bool:
    if value is None:
        return default
    text = str(value).strip().lower()
    if text == "":
        return default
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise ValueError(_("“%(v)s”不是“是”或“否”。") % {"v": value})


class _Lookup:
    def __init__(self):
        self.departments = {}
        for d in Department.objects.filter(is_active=True):
            for key in (d.code, d.code.upper(), d.short_name, d.name):
                self.departments.setdefault(key, d)
        self.categories = {c.letter: c for c in QueueCategory.objects.filter(is_active=True)}
        self.modes = {"即办件": ItemMode.INSTANT, "即办": ItemMode.INSTANT, "instant": ItemMode.INSTANT,
                      "承诺件": ItemMode.PROMISE, "承诺": ItemMode.PROMISE, "promise": ItemMode.PROMISE}


def _item_data(row, mapping, lookup) -> tuple[dict, list[str]]:
    errors, data = [], {}
    for header, field in ITEM_COLUMNS:
        value = _cell(row, mapping, header)
        if field == "department":
            data[field] = lookup.departments.get(str(value or "").strip())
            if data[field] is None:
                errors.append(_("主管部门“%(v)s”不存在。") % {"v": value or ""})
        elif field == "queue_category":
            data[field] = lookup.categories.get(str(value or "").strip().upper())
            if data[field] is None:
                errors.append(_("取号类别“%(v)s”不存在。") % {"v": value or ""})
        elif field == "mode":
            data[field] = lookup.modes.get(str(value or "").strip())
            if data[field] is None:
                errors.append(_("办理方式“%(v)s”应为即办件或承诺件。") % {"v": value or ""})
        elif field in BOOL_FIELDS:
            try:
                data[field] = _bool(value, field in ("agent_allowed", "is_active"))
            except ValueError as exc:
                errors.append(f"{header}：{exc}")
        else:
            data[field] = "" if value is None else value
    return data, errors


@transaction.atomic
def import_catalogue(*, actor, upload) -> CatalogueImport:
    """Import the catalogue workbook; returns the import record with counts and the row-level errors."""
    check_xlsx_upload(upload)
    try:
        wb = load_workbook(upload, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for broken files
        raise ImportFileError(_("Excel 文件无法读取：%(e)s") % {"e": str(exc)[:100]}) from exc
    if "事项" not in wb.sheetnames:
        raise ImportFileError(_("文件中没有“事项”工作表。请使用导出的文件或模板。"))
    lookup = _Lookup()
    items_ws = wb["事项"]
    rows = items_ws.iter_rows(values_only=True)
    item_map = _header(next(rows, ()), ITEM_COLUMNS, ITEM_REQUIRED, "事项")
    item_rows = []
    for number, row in enumerate(rows, start=2):
        if row and any(v not in (None, "") for v in row):
            item_rows.append((number, row))
        if len(item_rows) > MAX_ITEMS:
            raise ImportFileError(_("事项不能超过%(n)d行。") % {"n": MAX_ITEMS})
    material_rows: dict[str, list[tuple[int, dict]]] = {}
    errors: list[dict] = []
    if "材料" in wb.sheetnames:
        mrows = wb["材料"].iter_rows(values_only=True)
        mat_map = _header(next(mrows, ()), MATERIAL_COLUMNS, MATERIAL_REQUIRED, "材料")
        count = 0
        for number, row in enumerate(mrows, start=2):
            if not row or all(v in (None, "") for v in row):
                continue
            count += 1
            if count > MAX_MATERIAL_ROWS:
                raise ImportFileError(_("材料不能超过%(n)d行。") % {"n": MAX_MATERIAL_ROWS})
            code = str(_cell(row, mat_map, "事项编码") or "").strip()
            try:
                material = {"name": str(_cell(row, mat_map, "材料名称") or "").strip(),
                            "is_key": not _bool(_cell(row, mat_map, "可容缺"), False),
                            "original_required": _bool(_cell(row, mat_map, "需核验原件"), False),
                            "copies": _cell(row, mat_map, "份数") or 1,
                            "note": str(_cell(row, mat_map, "说明") or ""),
                            "condition": str(_cell(row, mat_map, "适用情形") or "")}
            except ValueError as exc:
                errors.append({"sheet": "材料", "row": number, "code": code, "reason": str(exc)})
                continue
            if not code or not material["name"]:
                errors.append({"sheet": "材料", "row": number, "code": code, "reason": _("事项编码和材料名称必填。")})
                continue
            material_rows.setdefault(code, []).append((number, material))
    wb.close()
    counts = {"created": 0, "updated": 0, "unchanged": 0, "failed": 0}
    seen_codes: dict[str, int] = {}
    done_codes = set()
    for number, row in item_rows:
        data, row_errors = _item_data(row, item_map, lookup)
        code = str(data.get("code") or "").strip()
        if code in seen_codes:
            row_errors.append(_("与第%(n)d行事项编码重复。") % {"n": seen_codes[code]})
        seen_codes.setdefault(code, number)
        if row_errors:
            counts["failed"] += 1
            errors.append({"sheet": "事项", "row": number, "code": code, "reason": "；".join(row_errors)})
            material_rows.pop(code, None)
            continue
        existing = ServiceItem.objects.filter(code=code).first()
        materials = [m for _n, m in material_rows.pop(code, [])] if code in material_rows else None
        try:
            with transaction.atomic():
                _item, outcome = item_save(actor=actor, data=data, materials=materials, item=existing, audit=False)
        except DomainError as exc:
            counts["failed"] += 1
            reasons = [m for msgs in exc.errors.values() for m in msgs] or [exc.message]
            errors.append({"sheet": "事项", "row": number, "code": code, "reason": "；".join(reasons)})
            continue
        counts[outcome] += 1
        done_codes.add(code)
    # Materials of items that are not in the item sheet: update those items' materials only.
    for code, rows_ in material_rows.items():
        item = ServiceItem.objects.filter(code=code).first()
        if item is None:
            for number, _m in rows_:
                errors.append({"sheet": "材料", "row": number, "code": code,
                               "reason": _("事项编码 %(c)s 不存在。") % {"c": code}})
            continue
        data = {f: getattr(item, f) for _h, f in ITEM_COLUMNS}
        try:
            with transaction.atomic():
                _item, outcome = item_save(actor=actor, data=data, materials=[m for _n, m in rows_], item=item,
                                           audit=False)
        except DomainError as exc:
            errors.append({"sheet": "材料", "row": rows_[0][0], "code": code, "reason": exc.message})
            continue
        counts[outcome] += 1
    record = CatalogueImport.objects.create(created_by=actor, filename=(getattr(upload, "name", "") or "")[:200],
                                            counts=counts, errors=errors[:5000])
    audit_record(actor=actor, action=AuditAction.IMPORT, object_type="acceptance.serviceitem", object_id=record.pk,
                 object_repr=record.filename, detail={**counts, "errors": len(errors)})
    return record


def error_report(errors: list[dict]) -> bytes:
    wb = new_workbook()
    ws = wb.active
    ws.title = "错误行"
    ws.append(["工作表", "行号", "事项编码", "原因"])
    for e in errors:
        ws.append([e.get("sheet", ""), e.get("row", ""), e.get("code", ""), e.get("reason", "")])
    _style_header(ws, [10, 8, 16, 90])
    return workbook_bytes(wb)


# --- monthly assessment ---------------------------------------------------------------------------------------

def _pct(value) -> str:
    return "" if value is None else f"{value}%"


def assessment_workbook(*, actor, month: dt.date, clerk_rows, window_rows, department_rows, node_name: str) -> bytes:
    wb = new_workbook()
    ws = wb.active
    ws.title = "窗口人员月度考核"
    title = f"{node_name}社区事务受理服务中心 {month.year}年{month.month}月 窗口人员考核表"
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=20)
    ws["A1"].font = Font(bold=True, size=14)
    headers = ["序号", "姓名", "排班(半天)", "服务人次", "过号", "平均等候(分)", "平均办理(分)", "收件", "受理",
               "一次告知", "容缺受理", "不予受理", "办结率", "按期办结率", "在办超期", "评价数", "好评率", "差评",
               "考核表得分", "其他加减分", "最终得分", "备注"]
    ws.append(headers)
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for i, r in enumerate(clerk_rows, start=1):
        line = ws.max_row + 1
        ws.append([i, r.label, r.half_days, r.served, r.no_shows, r.avg_wait, r.avg_handle, r.received, r.accepted,
                   r.notices, r.rongque, r.rejected, _pct(r.completion_rate), _pct(r.on_time_rate), r.overdue_open,
                   r.reviews, _pct(r.good_rate), r.poor, float(r.score) if r.score is not None else "", 0,
                   f"=S{line}+T{line}", f"排班未到岗{r.absent}个半天，一次告知差错{r.notice_errors}件"])
    for i, width in enumerate([6, 10, 8, 8, 6, 9, 9, 6, 6, 8, 8, 8, 8, 10, 8, 6, 8, 6, 8, 12, 8, 16], start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "C3"
    wws = wb.create_sheet("窗口")
    wws.append(["窗口", "服务人次", "过号", "平均等候(分)", "平均办理(分)", "受理", "办结率", "按期办结率", "评价数",
                "好评率", "差评"])
    for r in window_rows:
        wws.append([r.label, r.served, r.no_shows, r.avg_wait, r.avg_handle, r.accepted, _pct(r.completion_rate),
                    _pct(r.on_time_rate), r.reviews, _pct(r.good_rate), r.poor])
    _style_header(wws, [10, 8, 6, 10, 10, 6, 8, 10, 8, 8, 6])
    dws = wb.create_sheet("审批部门")
    dws.append(["部门", "收件", "受理", "办结", "办结率", "按期办结率", "在办超期", "评价数", "好评率", "差评"])
    for r in department_rows:
        dws.append([r.label, r.received, r.accepted, r.completed, _pct(r.completion_rate), _pct(r.on_time_rate),
                    r.overdue_open, r.reviews, _pct(r.good_rate), r.poor])
    _style_header(dws, [12, 6, 6, 6, 8, 10, 8, 8, 8, 6])
    rules = wb.create_sheet("评分规则")
    rules.append(["项目", "规则"])
    from .selectors import clerk_sheet

    sheet, layout = clerk_sheet()
    if sheet is None:
        rules.append(["考核表得分", "没有启用的受理员月度考核表，不计算"])
    else:
        full = sum(i.max_points for _s, items in layout for i in items)
        rules.append(["考核表得分", f"按“{sheet.name}”计算：满分{full:f}分，合格线{sheet.pass_line:f}分"
                      + ("；扣分制，各项扣分合计从满分中扣除，最低0分" if sheet.deduct_from_total else "")])
        for _section, items in layout:
            for i in items:
                rules.append([f"　{i.title}", f"{i.rule_text}；{i.get_measure_display()}"])
    for row in [
        ("其他加减分", "由大厅主管按培训、投诉表扬等情况填写，最终得分自动计算"),
        ("平均等候", "首次叫号时间减取号时间"),
        ("平均办理", "办理完成时间减开始办理时间"),
        ("办结率", "本月受理的办件中已办结（含已出件）的比例"),
        ("按期办结率", "已办结办件中在承诺办结日（含）之前办结的比例"),
        ("好评率", "基本满意及以上评价占全部评价的比例"),
    ]:
        rules.append(list(row))
    _style_header(rules, [18, 100])
    content = workbook_bytes(wb)
    with transaction.atomic():
        audit_record(actor=actor, action=AuditAction.EXPORT, object_type="acceptance.assessment",
                     detail={"month": month.strftime("%Y-%m"), "rows": len(clerk_rows)})
    return content


# --- a clerk's yearly summary ---------------------------------------------------------------------------------

def year_summary_workbook(*, actor, node_name: str, clerk, file, summary: dict) -> bytes:
    """One clerk's year: the monthly assessment rows, trainings and the certifications held. Personal data of
    the staff file appears masked, as on screen."""
    wb = new_workbook()
    ws = wb.active
    ws.title = "年度考核汇总"
    ws.append([f"{node_name}社区事务受理服务中心 {summary['year']}年度 窗口人员考核汇总：{clerk.display_name}"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=12)
    ws["A1"].font = Font(bold=True, size=14)
    if file is not None:
        ws.append(["岗位等级", file.get_post_level_display(), "入职日期", file.hired_on.isoformat(), "用工形式",
                   file.get_contract_type_display(), "合同编号", file.contract_number_masked])
    ws.append([])
    header_row = ws.max_row + 1
    ws.append(["月份", "排班(半天)", "服务人次", "过号", "平均等候(分)", "平均办理(分)", "收件", "受理", "按期办结率",
               "好评率", "差评", "系统得分"])
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for m in summary["months"]:
        r = m["row"]
        label = f"{m['month']:%Y-%m}"
        if r is None:
            ws.append([label, 0, 0, 0, "", "", 0, 0, "", "", 0, ""])
        else:
            ws.append([label, r.half_days, r.served, r.no_shows, r.avg_wait, r.avg_handle, r.received, r.accepted,
                       _pct(r.on_time_rate), _pct(r.good_rate), r.poor, r.score])
    ws.append(["合计/平均", summary["half_days"], summary["served"], "", "", "", "", summary["accepted"], "", "",
               summary["poor"], summary["avg_score"]])
    ws[ws.max_row][0].font = Font(bold=True)
    for i, width in enumerate([12, 10, 9, 6, 11, 11, 6, 6, 11, 8, 6, 9], start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    tws = wb.create_sheet("培训")
    tws.append(["日期", "培训主题", "学时", "出勤", "考核通过", "成绩"])
    for a in summary["trainings"]:
        tws.append([a.session.date.isoformat(), a.session.topic, float(a.session.hours), _yes_no(a.present),
                    _yes_no(a.passed), a.score if a.score is not None else ""])
    _style_header(tws, [12, 36, 6, 6, 9, 6])
    cws = wb.create_sheet("事项受理资格")
    cws.append(["类别", "事项编码", "事项名称", "取得日期", "有效期至"])
    for c in summary["certifications"]:
        cws.append([c.item.queue_category.letter, c.item.code, c.item.name, c.certified_on.isoformat(),
                    c.expires_on.isoformat()])
    _style_header(cws, [6, 14, 36, 12, 12])
    content = workbook_bytes(wb)
    with transaction.atomic():
        audit_record(actor=actor, action=AuditAction.EXPORT, obj=clerk,
                     detail={"op": "clerk_year_summary", "year": summary["year"]})
    return content
