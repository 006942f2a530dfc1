"""Import of the 社区卫生服务中心's signing list (签约名单) and the masked export of the contract list.

Import: the upload is stored encrypted and parsed only in the background job (`shequ.core.jobs`). Each row is
matched to a resident by the ID number, through the registry's selectors and within the importer's jurisdiction;
a good row signs the resident (one savepoint per row), a bad one saves nothing and is reported with its row number
and reason (downloadable as .xlsx). Importing the same file again creates nothing new.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.styles import Font, PatternFill

from shequ.core import crypto, idcard, xlsx_rows
from shequ.core.audit import audit_record
from shequ.core.choices import AuditAction
from shequ.core.errors import DomainError
from shequ.core.excel import ImportFileError, check_xlsx_upload, new_workbook, workbook_bytes
from shequ.core.jobs import job_handler, job_progress

from . import selectors, services
from .choices import InstitutionLevel
from .models import Doctor, Institution

IMPORT_KIND = "health.contract_import"
BATCH = 200

COLUMNS = [("姓名", "name"), ("身份证号", "id_number"), ("家庭医生", "doctor"), ("签约团队", "team"),
           ("区级医院", "district_hospital"), ("市级医院", "city_hospital"), ("签约日期", "start"),
           ("到期日期", "end"), ("慢病情况", "conditions")]
REQUIRED_HEADERS = {"姓名", "身份证号", "家庭医生", "签约日期", "到期日期"}
HEADER_ALIASES = {"公民身份号码": "身份证号", "身份证": "身份证号", "签约医生": "家庭医生", "团队": "签约团队",
                  "起始日期": "签约日期", "开始日期": "签约日期", "协议到期日": "到期日期", "结束日期": "到期日期",
                  "区级医疗机构": "区级医院", "市级医疗机构": "市级医院", "慢性病": "慢病情况"}


def check_upload(upload) -> None:
    check_xlsx_upload(upload)


def _header_map(header) -> dict[str, int]:
    names = [HEADER_ALIASES.get(str(h).strip(), str(h).strip()) if h is not None else "" for h in header]
    known = {h for h, _f in COLUMNS}
    mapping = {name: i for i, name in enumerate(names) if name in known}
    missing = REQUIRED_HEADERS - mapping.keys()
    if missing:
        raise ImportFileError(_("表头缺少必填列：%(c)s。请使用导入模板。") % {
            "c": "、".join(h for h, _f in COLUMNS if h in missing)})
    return mapping


def template_workbook() -> bytes:
    wb = new_workbook()
    ws = wb.active
    ws.title = "签约名单"
    ws.append([h for h, _f in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    doctor = Doctor.objects.filter(is_active=True).select_related("institution").first()
    ws.append(["张三", "11010519491231002X", doctor.name if doctor else "", doctor.team if doctor else "",
               "", "", "2026-12-01", "2027-11-30", "高血压"])
    notes = wb.create_sheet("填写说明")
    notes.append(["列", "说明"])
    for line in [
        ("姓名", "必填，须与居民信息库中的姓名一致"),
        ("身份证号", "必填，18位；按身份证号匹配居民信息库中您管辖范围内的居民"),
        ("家庭医生", "必填，系统中登记的家庭医生姓名；同名时请填写签约团队"),
        ("区级医院/市级医院", "选填，系统中登记的医院名称"),
        ("签约日期/到期日期", "必填，格式 2026-12-01；期限不少于一年"),
        ("慢病情况", "选填，加密保存"),
        ("重复导入", "同一居民已有相同医生和期限的在约签约时不重复登记"),
    ]:
        notes.append(list(line))
    for col, width in zip("ABCDEFGHI", (10, 22, 10, 22, 24, 24, 12, 12, 16)):
        ws.column_dimensions[col].width = width
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["B"].width = 70
    return workbook_bytes(wb)


_cell = xlsx_rows.cell  # one reading of a cell for every import


def _date(value, label: str, errors: list) -> dt.date | None:
    if value in (None, ""):
        errors.append(_("%(l)s未填写。") % {"l": label})
        return None
    if isinstance(value, dt.date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    for fmt in ("%Y-%m-%d", "%Y%m%d", "%Y年%m月%d日"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    errors.append(_("%(l)s“%(v)s”不是有效日期（格式如 2026-12-01）。") % {"l": label, "v": text[:20]})
    return None


class _Lookup:
    def __init__(self):
        self.doctors: dict[str, list[Doctor]] = {}
        for d in Doctor.objects.filter(is_active=True).select_related("institution"):
            self.doctors.setdefault(d.name, []).append(d)
        self.hospitals = {(i.level, i.name): i for i in Institution.objects.filter(is_active=True)}

    def doctor(self, name, team, errors) -> Doctor | None:
        if not name:
            errors.append(_("家庭医生未填写。"))
            return None
        found = self.doctors.get(str(name), [])
        if team:
            found = [d for d in found if d.team == str(team)]
        if not found:
            errors.append(_("家庭医生“%(n)s”不在系统中或已停用。") % {"n": str(name)[:32]})
            return None
        if len(found) > 1:
            errors.append(_("家庭医生“%(n)s”有同名，请填写签约团队。") % {"n": str(name)[:32]})
            return None
        return found[0]

    def hospital(self, level, name, errors) -> Institution | None:
        if not name:
            return None
        found = self.hospitals.get((level, str(name)))
        if found is None:
            label = _("区级医院") if level == InstitutionLevel.DISTRICT else _("市级医院")
            errors.append(_("%(l)s“%(n)s”不在系统中。") % {"l": label, "n": str(name)[:40]})
        return found


@job_handler(IMPORT_KIND)
def run_contract_import(job, path: str) -> dict:
    user = job.created_by
    lookup = _Lookup()
    max_row, rows = xlsx_rows.rows(path)
    mapping = _header_map(next(rows, ()))
    total = max((max_row or 1) - 1, 0)
    job_progress(job, processed=0, total=total)
    stats = {"created": 0, "unchanged": 0, "failed": 0}
    errors: list[dict] = []
    seen: dict[str, int] = {}
    batch, processed = [], 0
    for row_number, row in enumerate(rows, start=2):
        processed += 1
        if row is None or all(v in (None, "") for v in row):
            continue
        batch.append((row_number, row))
        if len(batch) >= BATCH:
            _import_batch(batch, mapping, lookup, user, seen, stats, errors)
            batch = []
            job_progress(job, processed=processed, total=max(total, processed))
    if batch:
        _import_batch(batch, mapping, lookup, user, seen, stats, errors)
    job_progress(job, processed=processed, total=processed)
    with transaction.atomic():
        audit_record(actor=user, action=AuditAction.IMPORT, object_type="health.contract", object_id=job.pk,
                     object_repr=job.filename, detail={**stats, "rows": processed})
    if stats["created"]:
        services.coverage_refresh_task.enqueue(user.pk)
    return {**stats, "rows": processed, "errors": errors[:5000], "error_count": len(errors)}


def _import_batch(batch, mapping, lookup, user, seen, stats, errors) -> None:
    parsed = []
    for row_number, row in batch:
        reasons: list[str] = []
        name = str(_cell(row, mapping, "姓名") or "")[:32]
        raw_id = str(_cell(row, mapping, "身份证号") or "")
        id_hash = None
        try:
            id_hash = crypto.keyed_hash(idcard.normalize_id_number(raw_id))
        except idcard.InvalidIdNumber as exc:
            reasons.append(_("身份证号无效：%(r)s") % {"r": str(exc)} if raw_id else _("身份证号未填写。"))
        if id_hash is not None:
            if id_hash in seen:
                reasons.append(_("与第%(n)d行身份证号重复。") % {"n": seen[id_hash]})
            else:
                seen[id_hash] = row_number
        doctor = lookup.doctor(_cell(row, mapping, "家庭医生"), _cell(row, mapping, "签约团队"), reasons)
        district = lookup.hospital(InstitutionLevel.DISTRICT, _cell(row, mapping, "区级医院"), reasons)
        city = lookup.hospital(InstitutionLevel.CITY, _cell(row, mapping, "市级医院"), reasons)
        start = _date(_cell(row, mapping, "签约日期"), _("签约日期"), reasons)
        end = _date(_cell(row, mapping, "到期日期"), _("到期日期"), reasons)
        conditions = str(_cell(row, mapping, "慢病情况") or "")
        parsed.append((row_number, name, id_hash, doctor, district, city, start, end, conditions, reasons))
    residents = selectors.residents_by_id_hash(user=user, hashes=[p[2] for p in parsed if p[2]])
    for row_number, name, id_hash, doctor, district, city, start, end, conditions, reasons in parsed:
        resident = residents.get(id_hash) if id_hash else None
        if id_hash and resident is None:
            reasons.append(_("居民信息库中没有该身份证号的居民，或不在您的管辖范围内。"))
        elif resident is not None and name and resident.name != name:
            reasons.append(_("姓名与居民信息库不一致。"))
        if not reasons:
            item = services.ImportRow(row=row_number, name=name, resident=resident, doctor=doctor,
                                      district_hospital=district, city_hospital=city, start=start, end=end,
                                      conditions=conditions)
            try:
                stats[services.contract_import_row(actor=user, item=item)] += 1
                continue
            except DomainError as exc:
                reasons.append(exc.message)
        stats["failed"] += 1
        errors.append({"row": row_number, "name": name, "reason": "；".join(reasons)})


def error_report(errors: list[dict]) -> bytes:
    wb = new_workbook(write_only=True)
    ws = wb.create_sheet("错误行")
    ws.append(["行号", "姓名", "原因"])
    for e in errors:
        ws.append([e["row"], e["name"], e["reason"]])
    return workbook_bytes(wb)


def export_contracts(*, actor, queryset, filters: dict) -> tuple[bytes, int, bool]:
    """Masked export (no chronic conditions, masked ID numbers), capped and audited."""
    cap = settings.SHEQU_EXPORT_MAX_ROWS
    rows = list(queryset[:cap + 1])
    truncated = len(rows) > cap
    rows = rows[:cap]
    wb = new_workbook(write_only=True)
    ws = wb.create_sheet("家庭医生签约")
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    ws.append([_("导出人：%(u)s　时间：%(t)s　本表已脱敏，仅限工作使用，不得外传。") % {"u": actor.display_name, "t": stamp}])
    ws.append(["协议编号", "姓名", "身份证号（脱敏）", "居委会", "家庭医生", "签约团队", "社区卫生服务中心", "区级医院",
               "市级医院", "起始日期", "到期日期", "状态"])
    for c in rows:
        ws.append([c.number, c.resident.name, c.resident.id_masked, c.committee.name, c.doctor.name, c.doctor.team,
                   c.doctor.institution.name, c.district_hospital.name if c.district_hospital else "",
                   c.city_hospital.name if c.city_hospital else "", c.start_date.isoformat(),
                   c.end_date.isoformat(), c.get_status_display()])
    content = workbook_bytes(wb)
    services.contract_export_audit(actor=actor, rows=len(rows), filters=filters)
    return content, len(rows), truncated
