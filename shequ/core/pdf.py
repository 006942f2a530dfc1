"""One way to turn a rendered template into a PDF (WeasyPrint, WenQuanYi Micro Hei for fast CJK subsetting), for
every module's printable documents, and the warm-up that makes the first PDF after a start as fast as the next.

The first PDF in a process costs 2–3 s (importing WeasyPrint, loading fontconfig and the CJK font); the web server
and the worker warm it in a background thread as they start, so a clerk's first receipt of the day takes ~0.1 s."""

from __future__ import annotations

import logging
import threading

from django.conf import settings

log = logging.getLogger(__name__)

WARM_UP_HTML = ('<html><body style="font-family: \'WenQuanYi Micro Hei\', sans-serif">'
                '社区事务受理服务中心 受理回执 0123456789</body></html>')


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def warm_up() -> None:
    try:
        html_to_pdf(WARM_UP_HTML)
    except Exception:  # a missing font must not stop the server; the first real PDF will say what is wrong
        log.warning("PDF warm-up failed", exc_info=True)


def warm_up_in_background() -> threading.Thread:
    thread = threading.Thread(target=warm_up, name="pdf-warm-up", daemon=True)
    thread.start()
    return thread
