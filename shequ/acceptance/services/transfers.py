"""全市通办 transfers (收受分离): routing at intake, the paper batch and its courier, and the home centre's steps.

At intake (`transfer_for_intake`, one call from `case_intake` after the case is written) the applicant's home
centre is found from the registry (户籍/居住地) or from what the clerk read on the applicant's papers. A non-通办
item for an applicant of another 街道 is refused there with the reason; a 通办 item of the 收受分离 mode opens a
transfer: the scanned materials go at once, the paper in a batch (`batch_create`) with a hand-over sheet, then the
home centre receives, reviews and returns the result (sent → received → reviewed → result returned). Every step
is checked against `workflows.TRANSFER` under the transfer's lock and writes a `TransferEvent` and an audit row.

The case's clock counts from its acceptance here: nothing in this module touches `due_date`.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import idcard
from shequ.core.audit import audit_record
from shequ.core.choices import AuditAction, NodeKind
from shequ.core.errors import DomainError
from shequ.core.models import Node

from ..choices import CaseStatus, HomeBasis, ItemMode, TransferOutcome, TransferStatus
from ..models import Case, CaseEvent, Transfer, TransferBatch, TransferEvent
from ..workflows import TRANSFER, transfer_visible
from .common import actor_name, centre_for, clean_text, next_number

MAX_BATCH = 200


# --- the catalogue: flags that contradict each other -------------------------------------------------------------

def item_flag_conflicts(data: dict) -> dict[str, str]:
    """{field: message} for catalogue flags that cannot hold together. 收受分离 is a way of doing a 全市通办 item
    (the receiving centre forwards to the home centre), so it needs 全市通办; and a 即办件 is finished on the spot,
    so it cannot wait for another centre's review."""
    conflicts = {}
    if data.get("separated") and not data.get("tongban"):
        conflicts["separated"] = _("收受分离是全市通办事项的办理方式：未勾选“全市通办”的事项只受理本街道的申请人，"
                                   "没有需要转交户籍地/居住地中心的办件。")
    elif data.get("separated") and data.get("mode") == ItemMode.INSTANT:
        conflicts["separated"] = _("即办件当场办结，不能收受分离转户籍地/居住地中心审核；请改为承诺件或取消收受分离。")
    return conflicts


# --- intake -----------------------------------------------------------------------------------------------------

def home_centre_choices(*, exclude: Node | None = None) -> list[Node]:
    """The 街道 of this system a clerk may name as an applicant's home centre."""
    qs = Node.objects.filter(kind=NodeKind.SUBDISTRICT, is_active=True).order_by("path")
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return list(qs)


def _declared_home(home: dict | None) -> tuple[Node | None, str]:
    home = home or {}
    raw, outside = home.get("node"), home.get("outside")
    outside = clean_text(outside, field="home_outside", label=_("外区中心名称"), required=False, max_length=64)
    node = None
    if raw not in (None, ""):
        try:
            node = Node.objects.get(pk=int(raw), kind=NodeKind.SUBDISTRICT, is_active=True)
        except (Node.DoesNotExist, TypeError, ValueError):
            raise DomainError(_("所选户籍地/居住地街道不存在。"), {"home_centre": [_("请从列表中选择。")]}) from None
    if node is not None and outside:
        raise DomainError(_("户籍地/居住地只能选择本区街道或填写外区中心，不能同时填写。"),
                          {"home_outside": [_("与所选街道重复。")]})
    return node, outside


def resolve_home(*, centre: Node, id_number: str, committee: Node | None, hukou_type: str | None,
                 home: dict | None) -> tuple[Node | None, str, str] | None:
    """(home 街道 or None for an outside centre, its name, the basis) of an applicant, or None when the
    applicant belongs to this centre. The registry wins for a person with 户籍 where the registry has them; a
    person registered as 人户分离 or 外来 may show papers of another 户籍地, which the clerk then names."""
    from shequ.people import selectors as people

    declared_node, outside = _declared_home(home)
    registry = None
    if committee is not None and committee.parent_id:
        registry = (committee.parent, hukou_type)
    elif id_number:
        registry = people.resident_home(id_number=id_number)
    if registry is not None:
        node, hukou = registry
        declared = declared_node is not None or outside
        if hukou == "registered" and declared and declared_node != node:
            raise DomainError(
                _("居民库登记该申请人户籍在%(n)s，与所填户籍地/居住地不一致，请核对。") % {"n": node.name},
                {"home_centre": [_("与居民库登记不一致。")]})
        if not declared or declared_node == node:
            if node.pk == centre.pk:
                return None
            basis = HomeBasis.HUKOU if hukou == "registered" else HomeBasis.RESIDENCE
            return node, node.name, basis
    if declared_node is not None:
        return (None if declared_node.pk == centre.pk else (declared_node, declared_node.name, HomeBasis.DECLARED))
    if outside:
        return None, outside, HomeBasis.DECLARED
    return None


def transfer_for_intake(*, actor, case: Case, person: dict, home: dict | None) -> Transfer | None:
    """Route a case just written by `case_intake` (inside its transaction): refuse a non-通办 item for an
    applicant of another centre, open the transfer of a 收受分离 item. Returns the transfer, if any."""
    item = case.item
    if item.tongban and not item.separated:
        _declared_home(home)  # still refused when malformed, but routing changes nothing: no registry lookup
        return None
    resident = person.get("resident")
    found = resolve_home(centre=case.node, id_number=person.get("id_number") or "",
                         committee=person.get("committee"),
                         hukou_type=getattr(resident, "hukou_type", None), home=home)
    if found is None or case.status == CaseStatus.REJECTED:
        return None
    home_node, home_name, basis = found
    if not item.tongban:
        centre_name = home_name if home_node is None else _("%(n)s社区事务受理服务中心") % {"n": home_name}
        raise DomainError(
            _("“%(i)s”不是全市通办事项，只受理本街道的申请人；请告知申请人到其户籍地/居住地的%(c)s办理。"
              "如需出具不予受理决定，请选择“不予受理”。") % {"i": item.name, "c": centre_name},
            {"home_centre": [_("非全市通办事项只受理本街道的申请人。")]})
    if not item.separated:
        return None  # 直接受理: decided here like a local case
    scans = list(case.materials.filter(provided=True).values_list("name", flat=True))
    transfer = Transfer.objects.create(case=case, node=case.node, home_node=home_node, home_name=home_name,
                                       home_basis=basis, status=TransferStatus.PENDING, scans=scans,
                                       created_by=actor)
    _event(transfer, "open", "", actor=actor, note=home_name)
    return transfer


# --- steps ------------------------------------------------------------------------------------------------------

def _lock(transfer: Transfer) -> Transfer:
    return (Transfer.objects.select_for_update(of=("self",))
            .select_related("case", "case__item", "node", "home_node").get(pk=transfer.pk))


def _move(transfer: Transfer, action: str, *, actor) -> str:
    step = TRANSFER.check(actor, transfer, action)
    previous = transfer.status
    transfer.status = step.target
    return previous


def _event(transfer: Transfer, action: str, previous: str, *, actor, note: str = "", detail: dict | None = None):
    TransferEvent.objects.create(transfer=transfer, action=action, from_status=previous or "",
                                 to_status=transfer.status, actor=actor, actor_name=actor_name(actor), note=note)
    audit_record(actor=actor, action=AuditAction.CREATE if action == "open" else AuditAction.TRANSITION,
                 obj=transfer, detail={"op": action, "from": previous or "", "to": transfer.status,
                                       "case": transfer.case.number, **(detail or {})})


def _courier(name, phone) -> tuple[str, str]:
    name = clean_text(name, field="courier_name", label=_("交接/快递人员姓名"), max_length=32)
    phone = (phone or "").strip()
    if not phone:
        raise DomainError(_("请填写交接/快递人员的联系电话。"), {"courier_phone": [_("必填。")]})
    try:
        phone = idcard.normalize_phone(phone)
    except ValueError as exc:
        raise DomainError(str(exc), {"courier_phone": [str(exc)]}) from None
    return name, phone


@transaction.atomic
def batch_create(*, actor, transfers, courier_name: str, courier_phone: str, note: str = "") -> TransferBatch:
    """Send the paper of several transfers to one home centre in one batch, handed to a courier."""
    ids = []
    for t in transfers or ():
        try:
            ids.append(int(getattr(t, "pk", t)))
        except (TypeError, ValueError):
            raise DomainError(_("所选办件无效。"), {"transfers": [_("编号无效。")]}) from None
    if not ids:
        raise DomainError(_("请至少勾选一件待寄送的办件。"), {"transfers": [_("请至少勾选一项。")]})
    if len(ids) > MAX_BATCH:
        raise DomainError(_("一个批次最多%(n)d件。") % {"n": MAX_BATCH}, {"transfers": [_("数量过多。")]})
    courier_name, courier_phone = _courier(courier_name, courier_phone)
    note = clean_text(note, field="note", label=_("备注"), required=False, max_length=200)
    locked = list(Transfer.objects.select_for_update(of=("self",)).filter(pk__in=set(ids))
                  .select_related("case", "case__item", "node", "home_node").order_by("pk"))
    # A transfer the actor may not see is answered exactly like one that does not exist.
    if len(locked) != len(set(ids)) or any(transfer_visible(actor, t) is not None for t in locked):
        raise DomainError(_("所选办件不存在。"), {"transfers": [_("办件不存在。")]})
    previous = {t.pk: _move(t, "send", actor=actor) for t in locked}  # 404/403/409 for any transfer refused
    homes = {(t.home_node_id, t.home_name) for t in locked}
    if len(homes) > 1:
        raise DomainError(_("一个批次只能寄往同一个户籍地/居住地中心，请按接收中心分批。"),
                          {"transfers": [_("接收中心不一致。")]})
    first, node = locked[0], centre_for(actor)
    now = timezone.now()
    seq = next_number(node=node, key="XFER", day=timezone.localdate(now))
    batch = TransferBatch.objects.create(
        number=f"ZB{now:%y%m%d}{node.code[6:9]}{seq:03d}", node=first.node, home_node=first.home_node,
        home_name=first.home_name, courier_name=courier_name, courier_phone=courier_phone,
        courier_phone_masked=idcard.mask_phone(courier_phone), note=note, created_by=actor, created_at=now)
    for t in locked:
        t.batch, t.sent_at = batch, now
        t.save(update_fields=["status", "batch", "sent_at", "updated_at"])
        _event(t, "send", previous[t.pk], actor=actor, note=batch.number, detail={"batch": batch.number})
    return batch


@transaction.atomic
def transfer_send(*, actor, transfer: Transfer, courier_name: str = "", courier_phone: str = "",
                  note: str = "") -> Transfer:
    """Send one case's paper alone (a batch of one)."""
    batch = batch_create(actor=actor, transfers=[transfer], courier_name=courier_name, courier_phone=courier_phone,
                         note=note)
    return batch.transfers.get()


@transaction.atomic
def transfer_receive(*, actor, transfer: Transfer, note: str = "") -> Transfer:
    """签收: the home centre has the paper (for an outside centre: it reported so)."""
    transfer = _lock(transfer)
    previous = _move(transfer, "receive", actor=actor)
    note = clean_text(note, field="note", label=_("说明"), required=False, max_length=200)
    transfer.received_at, transfer.received_by_name = timezone.now(), actor_name(actor)
    transfer.save(update_fields=["status", "received_at", "received_by_name", "updated_at"])
    _event(transfer, "receive", previous, actor=actor, note=note)
    return transfer


@transaction.atomic
def transfer_review(*, actor, transfer: Transfer, outcome: str = "", note: str = "") -> Transfer:
    """审核: the home centre's decision (审核通过 / 不予通过, the latter with its reason)."""
    transfer = _lock(transfer)
    previous = _move(transfer, "review", actor=actor)
    if outcome not in TransferOutcome.values:
        raise DomainError(_("请选择审核结果。"), {"outcome": [_("审核结果无效。")]})
    note = clean_text(note, field="note", label=_("审核意见"), required=outcome == TransferOutcome.REFUSED,
                      max_length=500)
    transfer.outcome, transfer.review_note, transfer.reviewed_at = outcome, note, timezone.now()
    transfer.save(update_fields=["status", "outcome", "review_note", "reviewed_at", "updated_at"])
    _event(transfer, "review", previous, actor=actor, note=note, detail={"outcome": outcome})
    return transfer


@transaction.atomic
def transfer_return_result(*, actor, transfer: Transfer, result_note: str = "") -> Transfer:
    """回传结果: the result comes back; the case here takes the home centre's decision and goes on to 办结 and
    出件 at this centre's window."""
    transfer = _lock(transfer)
    previous = _move(transfer, "return_result", actor=actor)
    result_note = clean_text(result_note, field="result_note", label=_("办理结果"), max_length=200)
    now = timezone.now()
    transfer.result_note, transfer.returned_at = result_note, now
    transfer.save(update_fields=["status", "result_note", "returned_at", "updated_at"])
    _event(transfer, "return", previous, actor=actor, note=result_note)
    case = Case.objects.select_for_update(of=("self",)).get(pk=transfer.case_id)
    if case.status in (CaseStatus.ACCEPTED, CaseStatus.REVIEWING):
        approved = transfer.outcome == TransferOutcome.APPROVED
        before = case.status
        case.status = CaseStatus.APPROVED if approved else CaseStatus.REFUSED
        case.decided_at = now
        case.decision_reason = _("%(h)s审核：%(n)s") % {"h": transfer.home_name,
                                                      "n": transfer.review_note or transfer.get_outcome_display()}
        case.result_note = result_note
        case.save(update_fields=["status", "decided_at", "decision_reason", "result_note", "updated_at"])
        CaseEvent.objects.create(case=case, action="approve" if approved else "refuse", from_status=before,
                                 to_status=case.status, actor=actor, actor_name=actor_name(actor),
                                 note=case.decision_reason, detail={"transfer": transfer.pk})
        audit_record(actor=actor, action=AuditAction.TRANSITION, obj=case,
                     detail={"op": "transfer_result", "from": before, "to": case.status})
    return transfer


@transaction.atomic
def transfer_cancel(*, actor, transfer: Transfer, reason: str = "") -> Transfer:
    """撤回: a transfer not yet sent is withdrawn (the case was terminated, or routed by mistake)."""
    transfer = _lock(transfer)
    previous = _move(transfer, "cancel", actor=actor)
    reason = clean_text(reason, field="reason", label=_("撤回原因"), max_length=200)
    transfer.save(update_fields=["status", "updated_at"])
    _event(transfer, "cancel", previous, actor=actor, note=reason)
    return transfer


def batch_print(*, actor, batch: TransferBatch) -> bytes:
    """The hand-over sheet (材料交接单) of a batch as a PDF; printing it is audited (it lists applicants)."""
    from ..pdf import render_handover

    pdf = render_handover(batch=batch, printed_by=actor)
    audit_record(actor=actor, action=AuditAction.PRINT, obj=batch, detail={"batch": batch.number})
    return pdf
