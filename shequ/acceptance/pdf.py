"""Printable documents of a case as real PDFs (WeasyPrint, WenQuanYi Micro Hei for fast CJK subsetting)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from shequ.core.pdf import html_to_pdf  # noqa: F401 (the documents below and the views use it)

from .choices import CaseStatus

TEMPLATES = {
    "receipt": "acceptance/pdf/receipt.html",
    "notice": "acceptance/pdf/notice.html",
    "rongque": "acceptance/pdf/rongque.html",
    "refusal": "acceptance/pdf/refusal.html",
    "lapse": "acceptance/pdf/lapse.html",
}




def _district(case) -> str:
    parent = case.node.parent
    return parent.name if parent else case.node.name


def remedies(case) -> dict:
    """Where a refusal can be challenged: the 复议 body and the court, from the settings (Shanghai centralises
    first-instance administrative cases against district departments in one court), never written in a
    template."""
    from django.conf import settings

    district = _district(case)
    return {"review_body": settings.ACCEPTANCE_REVIEW_BODY.replace("{district}", district),
            "court": settings.ACCEPTANCE_ADMIN_COURT.replace("{district}", district)}


def render_case_document(*, case, kind: str, printed_by) -> bytes:
    materials = list(case.materials.all())
    intake_missing = [m for m in materials if not m.requested_by_backoffice and (not m.provided or m.supplemented)]
    context = {
        "case": case, "kind": kind, "item": case.item, "department": case.department, "node": case.node,
        "district": _district(case), "materials": materials,
        "received": [m for m in materials if m.provided and not m.requested_by_backoffice],
        "intake_missing": intake_missing,
        "still_missing": [m for m in materials if not m.provided],
        "printed_by": printed_by, "printed_at": timezone.now(),
        "is_rejected": case.status == CaseStatus.REJECTED,
        "centre_name": f"{case.node.name}社区事务受理服务中心",
        "situations": case.situations or [],
        **remedies(case),
    }
    return html_to_pdf(render_to_string(TEMPLATES[kind], context))


def render_ticket(*, ticket, ahead: int, estimate: int) -> bytes:
    context = {"t": ticket, "ahead": ahead, "estimate": estimate,
               "centre_name": f"{ticket.node.name}社区事务受理服务中心"}
    return html_to_pdf(render_to_string("acceptance/pdf/ticket.html", context))


def render_handover(*, batch, printed_by) -> bytes:
    """The hand-over sheet of a paper batch (全市通办纸质材料交接单)."""
    rows = list(batch.transfers.select_related("case", "case__item").order_by("case__number"))
    home = batch.home_name if batch.home_node_id is None else f"{batch.home_name}社区事务受理服务中心"
    context = {"batch": batch, "case": {"number": batch.number}, "rows": rows, "home_centre": home, "printed_by": printed_by,
               "printed_at": timezone.now(), "centre_name": f"{batch.node.name}社区事务受理服务中心"}
    return html_to_pdf(render_to_string("acceptance/pdf/handover.html", context))
