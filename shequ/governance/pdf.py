"""A meeting's minutes as a PDF (WeasyPrint, WenQuanYi Micro Hei for CJK)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from shequ.core.pdf import html_to_pdf


def render_minutes(*, meeting, agenda, attendance, tasks, printed_by) -> bytes:
    context = {"m": meeting, "agenda": agenda, "attendance": attendance, "tasks": tasks, "printed_by": printed_by,
               "printed_at": timezone.now()}
    return html_to_pdf(render_to_string("governance/pdf/minutes.html", context))
