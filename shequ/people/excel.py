"""Excel import and export of residents.

Import: every row is validated; a good row is created or updated (the ID number is the key, so importing the
same file twice creates no duplicates); a bad row saves nothing and is reported with its row number and reason.
Rows are written in batches, each in its own transaction, and the job's progress is updated after each batch.

Export: masked, scoped, capped and audited.
"""

from __future__ import annotations


from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.styles import Font, PatternFill

from shequ.core import crypto, xlsx_rows
from shequ.core.audit import audit_record
from shequ.core.choices import AuditAction, NodeKind
from shequ.core.excel import ImportFileError, check_xlsx_upload, new_workbook, rows_xlsx, workbook_bytes
from shequ.core.jobs import job_handler, job_progress
from shequ.core.models import Node
from shequ.core.scoping import scope_node_ids

from .choices import HukouType, Relation
from . import services
from .models import Household, Tag
from .validation import clean_resident

IMPORT_KIND = "people.resident_import"
BATCH = 5000  # rows per transaction: fewer commits (and WAL checkpoints); progress every second or two

# (header, field). The first four are required.
COLUMNS = [
    ("姓名", "name"),
    ("身份证号", "id_number"),
    ("居委会", "committee"),
    ("居住地址", "address"),
    ("联系电话", "phone"),
    ("性别", "gender"),
    ("出生日期", "birth_date"),
    ("户号", "household"),
    ("与户主关系", "relation"),
    ("户籍类型", "hukou_type"),
    ("标签", "tags"),
    ("备注", "note"),
]
REQUIRED_HEADERS = {"姓名", "身份证号", "居委会", "居住地址"}
HEADER_ALIASES = {"公民身份号码": "身份证号", "身份证": "身份证号", "电话": "联系电话", "手机": "联系电话",
                  "手机号": "联系电话", "地址": "居住地址", "所属居委": "居委会", "所属居委会": "居委会"}


def check_upload(upload) -> None:
    """Refuse anything that is not an .xlsx of acceptable size before a job is queued. The sheet itself (its
    columns, its rows) is read only in the job, never in the request: a hostile file costs a worker, not the
    web process."""
    check_xlsx_upload(upload)


def _header_map(header) -> dict[str, int]:
    names = [HEADER_ALIASES.get(str(h).strip(), str(h).strip()) if h is not None else "" for h in header]
    known = {h for h, _f in COLUMNS}
    mapping = {name: i for i, name in enumerate(names) if name in known}
    missing = REQUIRED_HEADERS - mapping.keys()
    if missing:
        raise ImportFileError(_("表头缺少必填列：%(c)s。请使用导入模板。") % {"c": "、".join(sorted(missing))})
    return mapping


def template_workbook() -> bytes:
    wb = new_workbook()
    ws = wb.active
    ws.title = "居民"
    ws.append([h for h, _f in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    ws.append(["张三", "11010519491231002X", "敦化路居委会", "延吉东路100弄1号101室", "13800138000", "", "", "",
               "户主", "户籍", "独居、低保", ""])
    notes = wb.create_sheet("填写说明")
    notes.append(["列", "说明"])
    for line in [
        ("姓名", "必填，不超过32个字"),
        ("身份证号", "必填，18位，末位可为X，会校验校验位；15位旧号自动升位"),
        ("居委会", "必填，居委会名称或12位统计代码，须在您的管辖范围内"),
        ("居住地址", "必填"),
        ("联系电话", "选填，11位手机号或固定电话"),
        ("性别/出生日期", "选填，留空时由身份证号推算；填写时须与身份证号一致"),
        ("户号", "选填，同一户号的人员归为一户；户号不存在时自动建户"),
        ("与户主关系", "、".join(str(label) for _v, label in Relation.choices)),
        ("户籍类型", "、".join(str(label) for _v, label in HukouType.choices) + "，留空为户籍"),
        ("标签", "多个标签用顿号或逗号分隔，可选：" + "、".join(Tag.objects.values_list("name", flat=True))),
        ("重复导入", "以身份证号为准：已登记的居民会被更新，不会重复登记"),
    ]:
        notes.append(list(line))
    for col, width in zip("ABCDEFGHIJKL", (10, 22, 16, 30, 14, 6, 12, 18, 10, 10, 16, 20)):
        ws.column_dimensions[col].width = width
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["B"].width = 80
    return workbook_bytes(wb)


class _Lookup:
    """Committees, tags and households resolved once per import, within the importer's scope."""

    def __init__(self, user):
        ids = scope_node_ids(user, NodeKind.COMMITTEE)
        committees = list(Node.objects.filter(id__in=ids))
        self.committees = {}
        for node in committees:
            self.committees[node.code] = node
            self.committees[node.name] = node
            if node.name.endswith("居委会"):
                self.committees[node.name[:-3]] = node
            else:
                self.committees[node.name + "居委会"] = node
        self.tags = {}
        for tag in Tag.objects.all():
            self.tags[tag.name] = tag
            self.tags[tag.code] = tag
        self.households: dict[str, Household] = {}


_cell = xlsx_rows.cell  # one reading of a cell for every import


def _split_tags(value) -> list[str]:
    if not value:
        return []
    text = str(value)
    for sep in ("，", ",", ";", "；", " ", "/"):
        text = text.replace(sep, "、")
    return [t for t in (p.strip() for p in text.split("、")) if t]


@job_handler(IMPORT_KIND)
def run_resident_import(job, path: str) -> dict:
    user = job.created_by
    lookup = _Lookup(user)
    max_row, rows = xlsx_rows.rows(path)  # parsed in a second process for large files
    mapping = _header_map(next(rows, ()))
    total = max((max_row or 1) - 1, 0)
    job_progress(job, processed=0, total=total)
    stats = {"created": 0, "updated": 0, "unchanged": 0, "failed": 0}
    errors: list[dict] = []
    seen: dict[str, int] = {}
    batch: list[tuple[int, dict]] = []
    processed = 0
    for row_number, row in enumerate(rows, start=2):
        if row is None or all(v in (None, "") for v in row):
            processed += 1
            continue
        batch.append((row_number, row))
        if len(batch) >= BATCH:
            processed += len(batch)
            _import_batch(batch, mapping, lookup, user, seen, stats, errors, job)
            batch = []
            job_progress(job, processed=processed, total=max(total, processed))
    if batch:
        processed += len(batch)
        _import_batch(batch, mapping, lookup, user, seen, stats, errors, job)
    job_progress(job, processed=processed, total=processed)
    with transaction.atomic():
        audit_record(actor=user, action=AuditAction.IMPORT, object_type="people.resident", object_id=job.pk,
                     object_repr=job.filename, detail={**stats, "rows": processed})
    return {**stats, "rows": processed, "errors": errors[:5000], "error_count": len(errors)}


def _import_batch(batch, mapping, lookup, user, seen, stats, errors, job) -> None:
    prepared = []
    for row_number, row in batch:
        raw = {field: _cell(row, mapping, header) for header, field in COLUMNS if field not in ("committee", "tags",
                                                                                                  "household")}
        clean, row_errors = clean_resident(raw)
        committee_value = _cell(row, mapping, "居委会")
        committee = lookup.committees.get(str(committee_value).strip()) if committee_value not in (None, "") else None
        if committee is None:
            row_errors.setdefault("committee", []).append(
                _("居委会“%(v)s”不存在或不在您的管辖范围内。") % {"v": committee_value or ""})
        tags = []
        for name in _split_tags(_cell(row, mapping, "标签")):
            tag = lookup.tags.get(name)
            if tag is None:
                row_errors.setdefault("tags", []).append(_("未知标签“%(t)s”。") % {"t": name})
            else:
                tags.append(tag)
        if "id_number" in clean:
            id_hash = crypto.keyed_hash(clean["id_number"])
            if id_hash in seen:
                row_errors.setdefault("id_number", []).append(
                    _("与第%(n)d行身份证号重复。") % {"n": seen[id_hash]})
            else:
                seen[id_hash] = row_number
            clean["_hash"] = id_hash
        household_no = _cell(row, mapping, "户号")
        if row_errors:
            stats["failed"] += 1
            errors.append({"row": row_number, "name": str(raw.get("name") or "")[:32],
                           "reason": "；".join(m for msgs in row_errors.values() for m in msgs)})
            continue
        prepared.append(services.ImportRow(row=row_number, clean=clean, committee=committee, tags=tags,
                                           household=str(household_no).strip() if household_no else ""))
    result, refused = services.resident_import_batch(actor=user, rows=prepared, households=lookup.households,
                                                     via={"via": "import", "job": job.pk})
    for key, count in result.items():
        stats[key] += count
    errors.extend(refused)


def error_report(errors: list[dict]) -> bytes:
    wb = new_workbook(write_only=True)
    ws = wb.create_sheet("错误行")
    ws.append(["行号", "姓名", "原因"])
    for e in errors:
        ws.append([e["row"], e["name"], e["reason"]])
    return workbook_bytes(wb)


EXPORT_HEADER = ["姓名", "性别", "出生日期", "身份证号（脱敏）", "联系电话（脱敏）", "居委会", "居住地址", "户号", "与户主关系",
                 "户籍类型", "标签"]


def export_residents(*, actor, queryset, filters: dict) -> tuple[bytes, int, bool]:
    """Masked export of the residents the user can see, capped at SHEQU_EXPORT_MAX_ROWS, audited.

    Rows are read as plain values (no model instances; choice labels looked up once; the tags of all the rows in
    one query over the same filter) and written by `core.excel.rows_xlsx`: a committee's ~6,000 residents in well
    under a second (bench/export.py)."""
    from .models import Resident

    cap = settings.SHEQU_EXPORT_MAX_ROWS
    rows = list(queryset.values_list("id", "name", "gender", "birth_date", "id_masked", "phone_masked",
                                     "committee__name", "address", "household__number", "relation", "hukou_type")
                [:cap + 1])
    truncated = len(rows) > cap
    rows = rows[:cap]
    tags: dict[int, list[str]] = {}
    if rows:
        through = Resident.tags.through.objects.filter(resident_id__in=queryset.values("id")[:cap]) \
            if truncated or len(rows) > 900 else Resident.tags.through.objects.filter(
                resident_id__in=[r[0] for r in rows])
        for resident_id, name in through.order_by("tag__code").values_list("resident_id", "tag__name"):
            tags.setdefault(resident_id, []).append(name)
    gender = {k: str(v) for k, v in Resident._meta.get_field("gender").flatchoices}
    relation = {k: str(v) for k, v in Relation.choices}
    hukou = {k: str(v) for k, v in HukouType.choices}
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")

    def lines():
        yield [_("导出人：%(u)s　时间：%(t)s　本表已脱敏，仅限工作使用，不得外传。") % {"u": actor.display_name, "t": stamp}]
        yield EXPORT_HEADER
        for (pk, name, sex, birth, id_masked, phone_masked, committee, address, household, rel, hukou_type) in rows:
            yield [name, gender.get(sex, ""), birth, id_masked, phone_masked, committee, address, household or "",
                   relation.get(rel, ""), hukou.get(hukou_type, ""), "、".join(tags.get(pk, ()))]

    content = rows_xlsx("居民", lines())
    with transaction.atomic():
        audit_record(actor=actor, action=AuditAction.EXPORT, object_type="people.resident",
                     detail={"rows": len(rows), "truncated": truncated, "filters": filters, "masked": True})
    return content, len(rows), truncated
