"""The signed result of an assessment as a PDF (WeasyPrint, WenQuanYi Micro Hei for CJK)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from shequ.core.pdf import html_to_pdf


def render_result(*, assessment, layout, panel, averages, printed_by) -> bytes:
    context = {"a": assessment, "layout": layout, "panel": panel, "averages": averages, "printed_by": printed_by,
               "printed_at": timezone.now()}
    return html_to_pdf(render_to_string("targets/pdf/result.html", context))
