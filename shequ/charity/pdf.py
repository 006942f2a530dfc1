"""捐赠收据 as a real PDF (WeasyPrint, WenQuanYi Micro Hei for CJK), like the acceptance centre's documents."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from shequ.core.pdf import html_to_pdf


def render_receipt(*, donation, lines, printed_by) -> bytes:
    context = {"d": donation, "lines": lines, "supermarket": donation.supermarket,
               "facility": donation.supermarket.facility, "printed_by": printed_by, "printed_at": timezone.now()}
    return html_to_pdf(render_to_string("charity/pdf/receipt.html", context))
