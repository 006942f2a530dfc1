"""Writes of the targets module (指标与考核): one `<entity>_<action>` per action, atomic and audited.

Entries and eco households change status only through the declared workflows (`workflows.py`), checked under the
row's lock, so two approvers acting at once are served in turn and the second is refused. An expert's marks are
his alone: he hands in his whole sheet once, the panel's result is combined only at sign-off
(`shequ.core.scoring.combine_scores`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.core.audit import audit_record
from shequ.core.choices import AuditAction, NodeKind
from shequ.core.errors import ConflictError, DomainError, Forbidden
from shequ.core.inputs import parse_month
from shequ.core.scoping import acting_subdistrict, scope_node_ids
from shequ.core.tasks import shequ_task
from shequ.core.scoring import Combination, combine_scores

from . import selectors
from .choices import (AssessmentStatus, EcoKind, EcoStatus, EntryStatus, Part, Rule, Source, SubjectKind)
from .hooks import memo_reset
from .pdf import render_result
from .models import (Assessment, EcoHousehold, Evidence, Indicator, IndicatorEntry, ItemScore, PanelMember,
                     ScoreSheet, SheetItem, SheetSection, Snapshot)
from .workflows import ASSESSMENT, ECO, ENTRY

MAX_VALUE = Decimal("9999999999")
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
MAX_EVIDENCE_FILES = 10
# What an evidence file may be, recognised by its first bytes, not by its name.
EVIDENCE_KINDS = (
    (b"%PDF-", "application/pdf", (".pdf",)),
    (b"\x89PNG\r\n\x1a\n", "image/png", (".png",)),
    (b"\xff\xd8\xff", "image/jpeg", (".jpg", ".jpeg")),
    (b"PK\x03\x04", "application/zip", (".xlsx", ".docx")),
)


# --- input checks ----------------------------------------------------------------------------------------------

def _text(value, limit: int, field: str, label: str, errors: dict, *, required: bool = False) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if "\x00" in text:
        errors[field] = [_("%(l)s含有无效字符。") % {"l": label}]
    elif required and not text:
        errors[field] = [_("请填写%(l)s。") % {"l": label}]
    elif len(text) > limit:
        errors[field] = [_("%(l)s不能超过%(n)s个字符。") % {"l": label, "n": limit}]
    return text


def _decimal(value, field: str, label: str, errors: dict, *, minimum=Decimal(0), maximum=MAX_VALUE,
             places: int = 2) -> Decimal | None:
    text = str(value if value is not None else "").strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        errors[field] = [_("%(l)s须为数字。") % {"l": label}]
        return None
    if not number.is_finite():
        errors[field] = [_("%(l)s须为数字。") % {"l": label}]
        return None
    if number < minimum or number > maximum:
        errors[field] = [_("%(l)s须在%(a)s到%(b)s之间。") % {"l": label, "a": minimum, "b": maximum}]
        return None
    if number != number.quantize(Decimal(1).scaleb(-places)):
        errors[field] = [_("%(l)s最多保留%(n)s位小数。") % {"l": label, "n": places}]
        return None
    return number


def _month(value, errors: dict) -> dt.date | None:
    """A month as "YYYY-MM" (or a date, taken as its month), read by `core.inputs.parse_month`; an empty one is
    an error here (the entry must name its month), never a default."""
    if isinstance(value, dt.date):
        return value.replace(day=1)
    if not str(value or "").strip():
        errors["period"] = [_("请按“2026-03”的格式填写月份。")]
        return None
    try:
        return parse_month(str(value))
    except ValueError as exc:
        errors["period"] = [str(exc)]
        return None


def _evidence_rows(files, errors: dict) -> list[tuple]:
    rows = []
    files = [f for f in (files or []) if f]
    if len(files) > MAX_EVIDENCE_FILES:
        errors["evidence"] = [_("佐证材料最多%(n)s个文件。") % {"n": MAX_EVIDENCE_FILES}]
        return []
    for upload in files:
        name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1][:120]
        size = getattr(upload, "size", 0) or 0
        if size > MAX_EVIDENCE_BYTES:
            errors["evidence"] = [_("“%(f)s”超过10MB。") % {"f": name}]
            return []
        upload.seek(0)
        content = upload.read()
        kind = next((k for k in EVIDENCE_KINDS if content.startswith(k[0]) and name.lower().endswith(k[2])), None)
        if kind is None or not content:
            errors["evidence"] = [_("“%(f)s”不是PDF、图片、Excel或Word文件。") % {"f": name}]
            return []
        rows.append((name, kind[1], content))
    return rows


def _store_evidence(rows, *, actor, entry=None, assessment=None) -> list[Evidence]:
    saved = []
    for name, content_type, content in rows:
        item = Evidence(entry=entry, assessment=assessment, filename=name, content_type=content_type,
                        size=len(content), uploaded_by=actor)
        item.file.save(f"evidence{'.' + name.rsplit('.', 1)[-1] if '.' in name else ''}", ContentFile(content),
                       save=False)
        item.save()
        saved.append(item)
    return saved


# --- entered values --------------------------------------------------------------------------------------------

@transaction.atomic
def entry_submit(*, actor, indicator: Indicator, committee, period, value, note: str = "",
                 evidence=()) -> IndicatorEntry:
    """填报: a committee's value of an entered target for a month, with evidence; a returned entry is submitted
    again here. An approved value is final."""
    if not actor.can("targets.enter"):
        raise Forbidden(_("您的岗位不能填报指标。"))
    if indicator.source != Source.ENTERED:
        raise DomainError(_("“%(n)s”由系统计算，不需要填报。") % {"n": indicator.name},
                          {"indicator": [_("该指标不需要填报。")]})
    if committee is None or committee.kind != NodeKind.COMMITTEE or \
            committee.pk not in scope_node_ids(actor, NodeKind.COMMITTEE) or \
            not committee.path.startswith(indicator.node.path):
        raise DomainError(_("只能为本人负责的居委会填报。"), {"committee": [_("请选择本人负责的居委会。")]})
    errors: dict = {}
    month = _month(period, errors)
    number = _decimal(value, "value", _("数值"), errors)
    note = _text(note, 200, "note", _("说明"), errors)
    if month and not indicator.start_year <= month.year <= indicator.end_year:
        errors["period"] = [_("月份不在指标周期（%(p)s）内。") % {"p": indicator.period_label}]
    elif month and month > timezone.localdate():
        errors["period"] = [_("不能填报未来的月份。")]
    if indicator.unit == "%" and number is not None and number > 100:
        errors["value"] = [_("百分比不能超过100。")]
    rows = _evidence_rows(evidence, errors)
    if not rows and "evidence" not in errors:
        errors["evidence"] = [_("请上传佐证材料。")]
    if errors:
        raise DomainError(_("填报信息有误。"), errors)
    entry = IndicatorEntry.objects.select_for_update().filter(indicator=indicator, committee=committee,
                                                              period=month).first()
    if entry is None:
        try:
            with transaction.atomic():
                entry = IndicatorEntry.objects.create(indicator=indicator, committee=committee, period=month,
                                                      value=number, note=note, submitted_by=actor)
        except IntegrityError:
            raise ConflictError(_("该月份已有人填报，请刷新后查看。"), {"period": [_("该月份已填报。")]}) from None
    elif entry.status == EntryStatus.APPROVED:
        raise ConflictError(_("%(n)s已审核通过，不能再修改。") % {"n": entry.number}, {"period": [_("已审核通过。")]})
    else:
        entry.value, entry.note, entry.status, entry.reason = number, note, EntryStatus.SUBMITTED, ""
        entry.submitted_by, entry.submitted_at, entry.decided_by, entry.decided_at = actor, timezone.now(), None, None
        entry.save()
    _store_evidence(rows, actor=actor, entry=entry)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=entry,
                 detail={"value": str(number), "period": month.isoformat(), "files": len(rows)})
    return entry


def _locked_entry(entry: IndicatorEntry) -> IndicatorEntry:
    return IndicatorEntry.objects.select_for_update().select_related("indicator", "committee").get(pk=entry.pk)


@transaction.atomic
def entry_approve(*, actor, entry: IndicatorEntry) -> IndicatorEntry:
    entry = _locked_entry(entry)
    ENTRY.check(actor, entry, "approve")
    entry.status, entry.decided_by, entry.decided_at = EntryStatus.APPROVED, actor, timezone.now()
    entry.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=entry, detail={"action": "approve"})
    return entry


@transaction.atomic
def entry_reject(*, actor, entry: IndicatorEntry, reason: str = "") -> IndicatorEntry:
    entry = _locked_entry(entry)
    ENTRY.check(actor, entry, "reject")
    errors: dict = {}
    reason = _text(reason, 200, "reason", _("退回理由"), errors, required=True)
    if errors:
        raise DomainError(_("请填写退回理由。"), errors)
    entry.status, entry.reason = EntryStatus.REJECTED, reason
    entry.decided_by, entry.decided_at = actor, timezone.now()
    entry.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=entry, detail={"action": "reject", "reason": reason})
    return entry


# --- eco households --------------------------------------------------------------------------------------------

@transaction.atomic
def eco_propose(*, actor, committee, kind: str, name: str, address: str, practices: str = "",
                year=None) -> EcoHousehold:
    """推荐: a committee puts a household forward as 生态文明户 or 低碳之家 for a year."""
    if not actor.can("targets.enter"):
        raise Forbidden(_("您的岗位不能推荐生态文明户。"))
    errors: dict = {}
    if committee is None or committee.kind != NodeKind.COMMITTEE or \
            committee.pk not in scope_node_ids(actor, NodeKind.COMMITTEE):
        errors["committee"] = [_("请选择本人负责的居委会。")]
    if kind not in EcoKind.values:
        errors["kind"] = [_("请选择类别。")]
    name = _text(name, 32, "name", _("家庭名称"), errors, required=True)
    address = _text(address, 64, "address", _("地址"), errors, required=True)
    practices = _text(practices, 200, "practices", _("低碳做法"), errors)
    this_year = timezone.localdate().year
    try:
        year = int(year) if year not in (None, "") else this_year
    except (TypeError, ValueError):
        year = None
    if year is None or not this_year - 1 <= year <= this_year:
        errors["year"] = [_("年度须为今年或去年。")]
    if errors:
        raise DomainError(_("推荐信息有误。"), errors)
    if EcoHousehold.objects.filter(committee=committee, kind=kind, year=year, address=address,
                                   status__in=[EcoStatus.APPLIED, EcoStatus.CERTIFIED]).exists():
        raise ConflictError(_("该地址本年度已推荐过。"), {"address": [_("本年度已推荐。")]})
    household = EcoHousehold.objects.create(committee=committee, kind=kind, name=name, address=address,
                                            practices=practices, year=year, created_by=actor)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=household, detail={"kind": kind, "year": year})
    return household


def _locked_household(household: EcoHousehold) -> EcoHousehold:
    return EcoHousehold.objects.select_for_update().get(pk=household.pk)


@transaction.atomic
def eco_certify(*, actor, household: EcoHousehold) -> EcoHousehold:
    """认定: the 街道 certifies the household and numbers its certificate (生态〔2026〕第0001号)."""
    household = _locked_household(household)
    ECO.check(actor, household, "certify")
    prefix = _("生态") if household.kind == EcoKind.ECO else _("低碳")
    head = f"{prefix}〔{household.year}〕第"
    # Certificates of a year are numbered in order; the unique constraint catches two certifying at once.
    last = EcoHousehold.objects.filter(certificate_no__startswith=head).aggregate(m=Max("certificate_no"))["m"]
    serial = int(last[len(head):len(head) + 4]) + 1 if last else 1
    household.certificate_no = f"{head}{serial:04d}号"
    household.status, household.certified_on, household.decided_by = (EcoStatus.CERTIFIED, timezone.localdate(),
                                                                       actor)
    try:
        with transaction.atomic():
            household.save(update_fields=["certificate_no", "status", "certified_on", "decided_by"])
    except IntegrityError:
        raise ConflictError(_("证书编号冲突，请重试。"), {}) from None
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=household,
                 detail={"action": "certify", "certificate": household.certificate_no})
    return household


def _close_household(actor, household, name: str, status: str, reason: str) -> EcoHousehold:
    household = _locked_household(household)
    ECO.check(actor, household, name)
    errors: dict = {}
    reason = _text(reason, 200, "reason", _("理由"), errors, required=True)
    if errors:
        raise DomainError(_("请填写理由。"), errors)
    household.status, household.reason, household.decided_by = status, reason, actor
    household.save(update_fields=["status", "reason", "decided_by"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=household, detail={"action": name, "reason": reason})
    return household


@transaction.atomic
def eco_reject(*, actor, household: EcoHousehold, reason: str = "") -> EcoHousehold:
    return _close_household(actor, household, "reject", EcoStatus.REJECTED, reason)


@transaction.atomic
def eco_revoke(*, actor, household: EcoHousehold, reason: str = "") -> EcoHousehold:
    return _close_household(actor, household, "revoke", EcoStatus.REVOKED, reason)


# --- assessments -----------------------------------------------------------------------------------------------

@transaction.atomic
def assessment_create(*, actor, sheet: ScoreSheet, subject_kind: str, subject: str, title: str, held_on,
                      method: str = Combination.TRIMMED_MEAN, experts=()) -> Assessment:
    """组织评审: a subject, a sheet and a panel of experts (users who may score)."""
    if not actor.can("targets.assess"):
        raise Forbidden(_("您的岗位不能组织考核评审。"))
    node = acting_subdistrict(actor)
    errors: dict = {}
    if node is None:
        raise Forbidden(_("您的辖区不含街道，不能组织考核评审。"))
    if not sheet.is_active:
        errors["sheet"] = [_("该评分表已停用。")]
    if subject_kind not in SubjectKind.values:
        errors["subject_kind"] = [_("请选择考核对象类型。")]
    subject = _text(subject, 64, "subject", _("考核对象"), errors, required=True)
    title = _text(title, 80, "title", _("考核名称"), errors, required=True)
    if not isinstance(held_on, dt.date):
        errors["held_on"] = [_("请填写评审日期。")]
    if method not in Combination.values:
        errors["method"] = [_("请选择合成方法。")]
    experts = list(dict.fromkeys(experts))
    if not experts:
        errors["experts"] = [_("请选择评审专家。")]
    elif any(not (e.is_active and e.can("targets.score")) for e in experts):
        errors["experts"] = [_("所选人员中有人不能担任评审专家。")]
    elif method == Combination.TRIMMED_MEAN and len(experts) < 3:
        errors["experts"] = [_("去掉最高分和最低分至少需要三位专家。")]
    elif len(experts) > 15:
        errors["experts"] = [_("评审专家最多15位。")]
    if errors:
        raise DomainError(_("考核信息有误。"), errors)
    assessment = Assessment.objects.create(node=node, sheet=sheet, subject_kind=subject_kind, subject=subject,
                                           title=title, held_on=held_on, method=method, created_by=actor)
    PanelMember.objects.bulk_create([PanelMember(assessment=assessment, expert=e) for e in experts])
    audit_record(actor=actor, action=AuditAction.CREATE, obj=assessment,
                 detail={"sheet": sheet.pk, "experts": [e.pk for e in experts], "method": method})
    return assessment


def item_score(item: SheetItem, mark: Decimal) -> Decimal:
    """An item's points from the expert's mark, by the item's rule."""
    return selectors.item_points(item, mark)


def _mark(item: SheetItem, value, errors: dict) -> Decimal | None:
    field = f"item_{item.pk}"
    if item.rule == Rule.YES_NO:
        text = str(value if value is not None else "").strip().lower()
        if text in ("1", "yes", "true", "是"):
            return Decimal(1)
        if text in ("0", "no", "false", "否"):
            return Decimal(0)
        errors[field] = [_("“%(i)s”请选择是或否。") % {"i": item.title}]
        return None
    if item.rule == Rule.DEDUCTION:
        number = _decimal(value, field, _("“%(i)s”发现次数") % {"i": item.title}, errors, maximum=Decimal(999),
                          places=0)
        return number
    return _decimal(value, field, _("“%(i)s”得分") % {"i": item.title}, errors, maximum=item.max_points)


@transaction.atomic
def assessment_score(*, actor, assessment: Assessment, marks: dict, remarks: dict | None = None) -> PanelMember:
    """An expert hands in his sheet: a mark for every item (points, occurrences found, or yes/no). Alone: he sees
    no other expert's marks, and what he hands in is final."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not selectors.assessment_visible(user=actor, assessment=assessment):
        raise Http404
    member = PanelMember.objects.select_for_update().filter(assessment=assessment, expert=actor).first()
    if member is None or not actor.can("targets.score"):
        raise Forbidden(_("只有评审组的专家可以评分。"))
    if assessment.status != AssessmentStatus.SCORING:
        raise ConflictError(_("该考核已签发，不能再评分。"), {"status": [_("已签发。")]})
    if member.submitted_at is not None:
        raise ConflictError(_("您已提交评分，不能修改。"), {"status": [_("已提交。")]})
    errors: dict = {}
    remarks = remarks or {}
    scores, totals = [], {Part.BASE: Decimal(0), Part.FEATURE: Decimal(0)}
    for section, items in selectors.sheet_layout(sheet=assessment.sheet):
        for item in items:
            mark = _mark(item, marks.get(item.pk, marks.get(str(item.pk))), errors)
            remark = _text(remarks.get(item.pk, remarks.get(str(item.pk), "")), 200, f"remark_{item.pk}",
                           _("备注"), errors)
            if mark is None:
                continue
            score = item_score(item, mark)
            totals[section.part] += score
            scores.append(ItemScore(member=member, item=item, mark=mark, score=score, remark=remark))
    if errors:
        raise DomainError(_("评分有误，请检查标红的项目。"), errors)
    ItemScore.objects.bulk_create(scores)
    member.base_total, member.feature_total = totals[Part.BASE], totals[Part.FEATURE]
    member.submitted_at = timezone.now()
    member.save(update_fields=["base_total", "feature_total", "submitted_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=assessment,
                 detail={"action": "score", "base": str(member.base_total), "feature": str(member.feature_total)})
    return member


@transaction.atomic
def assessment_sign(*, actor, assessment: Assessment, conclusion: str = "") -> Assessment:
    """签发: the panel's result, each part combined by the assessment's method, against the sheet's pass line."""
    assessment = Assessment.objects.select_for_update().select_related("sheet").get(pk=assessment.pk)
    ASSESSMENT.check(actor, assessment, "sign")
    errors: dict = {}
    conclusion = _text(conclusion, 500, "conclusion", _("评审意见"), errors)
    if errors:
        raise DomainError(_("评审意见有误。"), errors)
    members = selectors.panel(assessment=assessment)
    try:
        base = combine_scores([m.base_total for m in members], assessment.method)
        feature = combine_scores([m.feature_total for m in members], assessment.method)
    except ValueError as exc:
        raise ConflictError(str(exc), {"panel": [str(exc)]}) from None
    assessment.base_score, assessment.feature_score = base, feature
    assessment.passed = base is not None and base >= assessment.sheet.pass_line
    assessment.conclusion, assessment.status = conclusion, AssessmentStatus.SIGNED
    assessment.signed_by, assessment.signed_at = actor, timezone.now()
    assessment.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=assessment,
                 detail={"action": "sign", "base": str(base), "feature": str(feature)})
    return assessment


@transaction.atomic
def assessment_add_evidence(*, actor, assessment: Assessment, files) -> list[Evidence]:
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not (actor.can("targets.assess") and selectors.assessment_visible(user=actor, assessment=assessment)):
        raise Forbidden(_("只有考核组织者可以上传佐证材料。"))
    if assessment.status != AssessmentStatus.SCORING:
        raise ConflictError(_("该考核已签发，不能再上传材料。"), {"evidence": [_("已签发。")]})
    errors: dict = {}
    rows = _evidence_rows(files, errors)
    if not rows and not errors:
        errors["evidence"] = [_("请选择文件。")]
    if errors:
        raise DomainError(_("佐证材料有误。"), errors)
    saved = _store_evidence(rows, actor=actor, assessment=assessment)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=assessment, detail={"evidence": len(saved)})
    return saved


# --- trend snapshots -------------------------------------------------------------------------------------------

def snapshot_take(*, user, day: dt.date | None = None) -> int:
    """Record the figure of every computed target `user` (a 街道 leader) sees as of `day` (today), for the trend
    lines. A past day is computed as the figures stood then (the cohorts are fixed by date)."""
    day = day or timezone.localdate()
    memo_reset(user)
    written = 0
    for indicator in selectors.indicator_list(user=user).filter(source=Source.COMPUTED):
        committees = selectors.indicator_committees(user=user, indicator=indicator)
        if day < dt.date(indicator.start_year, 1, 1):
            continue
        actual, by_committee = selectors.indicator_figure(user=user, indicator=indicator, committees=committees,
                                                          as_of=day)
        with transaction.atomic():
            Snapshot.objects.update_or_create(indicator=indicator, committee=None, day=day,
                                              defaults={"value": actual})
            for node in committees:
                Snapshot.objects.update_or_create(indicator=indicator, committee=node, day=day,
                                                  defaults={"value": by_committee.get(node.pk)})
        written += 1
    return written


@shequ_task(label=gettext_lazy("指标趋势快照（每日）"))
def snapshot_nightly(since: str = "", due: str = "") -> int:
    """The nightly job: the figures every 街道 leader sees (a target is recorded once a day, the last write wins)."""
    return sum(snapshot_take(user=user) for user in selectors.snapshot_users())


def assessment_report(*, actor, assessment: Assessment) -> bytes:
    """评审结果 PDF of a signed assessment: the sheet with each item's mean points, every expert's totals, the
    combined result and the sign-off. Audited (it names the experts and their scores)."""
    if assessment.status != AssessmentStatus.SIGNED:
        raise ConflictError(_("考核签发后才能生成评审结果。"), {"status": [_("尚未签发。")]})
    layout = selectors.sheet_layout(sheet=assessment.sheet)
    members = selectors.panel(assessment=assessment)
    averages = selectors.item_means(assessment=assessment)
    pdf = render_result(assessment=assessment, layout=layout, panel=members, averages=averages, printed_by=actor)
    audit_record(actor=actor, action=AuditAction.EXPORT, obj=assessment, detail={"pdf": "result"})
    return pdf


# --- data-scored sheets (受理员月度考核, 大联动督查) ----------------------------------------------------------------

@transaction.atomic
def sheet_rules_update(*, actor, sheet: ScoreSheet, values: dict, pass_line=None) -> ScoreSheet:
    """A supervisor's change of a sheet's points and deductions: `values` = {item id: {"max_points", "deduction"}}
    (strings as posted). Every item is checked before any is saved; the change is audited with before/after."""
    sheet = ScoreSheet.objects.select_for_update().get(pk=sheet.pk)
    errors: dict = {}
    changes: list[dict] = []
    items = list(SheetItem.objects.filter(section__sheet=sheet).order_by("section__order", "order", "id"))
    updates = []
    for item in items:
        posted = values.get(item.pk) or values.get(str(item.pk)) or {}
        points = _decimal(posted.get("max_points", item.max_points), f"points_{item.pk}",
                          _("“%(i)s”分值") % {"i": item.title}, errors, minimum=Decimal("0.01"), maximum=Decimal(1000))
        deduction = item.deduction
        if item.rule == Rule.DEDUCTION:
            deduction = _decimal(posted.get("deduction", item.deduction if item.deduction is not None else ""),
                                 f"deduction_{item.pk}", _("“%(i)s”每次扣分") % {"i": item.title}, errors,
                                 maximum=Decimal(100))
        if points is None or (item.rule == Rule.DEDUCTION and deduction is None):
            continue
        if deduction is not None and item.rule == Rule.DEDUCTION and deduction > points and \
                not sheet.deduct_from_total:
            errors[f"deduction_{item.pk}"] = [_("“%(i)s”每次扣分不能超过该项分值。") % {"i": item.title}]
            continue
        if points != item.max_points or deduction != item.deduction:
            changes.append({"item": item.title, "max_points": [str(item.max_points), str(points)],
                            "deduction": [str(item.deduction), str(deduction)]})
            item.max_points, item.deduction = points, deduction
            updates.append(item)
    new_pass = sheet.pass_line
    if pass_line is not None and str(pass_line).strip() != "":
        total = sum((i.max_points for i in items), Decimal(0))
        new_pass = _decimal(pass_line, "pass_line", _("合格线"), errors, maximum=total)
    if errors:
        raise DomainError(next(iter(errors.values()))[0], errors)
    if new_pass != sheet.pass_line:
        changes.append({"pass_line": [str(sheet.pass_line), str(new_pass)]})
        sheet.pass_line = new_pass
        sheet.save(update_fields=["pass_line"])
    if updates:
        SheetItem.objects.bulk_update(updates, ["max_points", "deduction"])
    if changes:
        audit_record(actor=actor, action=AuditAction.CONFIG, obj=sheet, detail={"op": "change", "changes": changes})
    return sheet


def sheet_marks(*, sheet: ScoreSheet, marks: dict) -> tuple[list[tuple], Decimal]:
    """Check a mark for every item of `sheet` (points given, occurrences found, or yes/no) and score it:
    ([(item, mark, points)], total). With 扣分制 the deductions come off the sheet's full points and the total
    stops at 0. Refused (DomainError, one error per item field `item_<id>`) when any mark is missing or wrong."""
    errors: dict = {}
    rows = []
    layout = selectors.sheet_layout(sheet=sheet)
    for _section, items in layout:
        for item in items:
            mark = _mark(item, marks.get(item.pk, marks.get(str(item.pk))), errors)
            if mark is not None:
                rows.append((item, mark, item_score(item, mark)))
    if not rows and not errors:
        errors["sheet"] = [_("评分表“%(s)s”没有评分细则。") % {"s": sheet.name}]
    if errors:
        raise DomainError(next(iter(errors.values()))[0], errors)
    if sheet.deduct_from_total:
        full = sum((item.max_points for item, _m, _p in rows), Decimal(0))
        lost = sum(((item.deduction or Decimal(0)) * mark if item.rule == Rule.DEDUCTION else item.max_points - points
                    for item, mark, points in rows), Decimal(0))
        return rows, max(Decimal(0), full - lost)
    return rows, sum((points for _i, _m, points in rows), Decimal(0))


@transaction.atomic
def sheet_ensure(*, name: str, use: str, pass_line, sections, description: str = "") -> ScoreSheet:
    """A sheet by name with its sections and items, created once (the demo and the tests build theirs this way):
    `sections` = [(title, [(item title, requirement, max points, rule, deduction or None)])]."""
    sheet = ScoreSheet.objects.filter(name=name).first()
    if sheet is not None:
        return sheet
    sheet = ScoreSheet.objects.create(name=name, use=use, pass_line=Decimal(str(pass_line)), description=description)
    for order, (title, items) in enumerate(sections):
        section = SheetSection.objects.create(sheet=sheet, part=Part.BASE, title=title, order=order)
        SheetItem.objects.bulk_create([
            SheetItem(section=section, title=t, requirement=r, max_points=Decimal(str(p)), rule=rule,
                      deduction=Decimal(str(d)) if d is not None else None, order=i)
            for i, (t, r, p, rule, d) in enumerate(items)])
    return sheet


def clerk_sheet_ensure() -> ScoreSheet:
    """The acceptance centre's 受理员月度考核 sheet, created with today's rule when none is active."""
    from .config import clerk_sheet_ensure as ensure

    return ensure()
