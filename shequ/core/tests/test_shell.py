from django.utils import translation
"""The UI shell and small core services: home counters, notifications, outbound messages, field encryption,
template filters and the health check."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.template import Context, Template
from django.test import Client

from shequ.core import crypto, services
from shequ.core.messaging import MemoryMessageBackend
from shequ.core.models import Notification


# --- home page -----------------------------------------------------------------------------------------------

def _counter_labels(response):
    return {str(counter.label): count for counter, count in response.context["counters"]}


def test_it_shows_the_secadmin_the_number_of_locked_accounts(client_as, personas):
    for _ in range(5):
        Client().post("/accounts/login/", {"username": "clerk", "password": "wrong"})
    counters = _counter_labels(client_as(personas["secadmin"]).get("/"))
    assert counters["被锁定的账号"] == 1
    assert "今日越权/拒绝事件" not in counters


def test_it_shows_the_auditor_todays_refusals(client_as, personas):
    client_as(personas["clerk"]).get("/audit/")
    client_as(personas["dunhua"]).get("/users/")
    counters = _counter_labels(client_as(personas["auditor"]).get("/"))
    assert counters["今日越权/拒绝事件"] == 2
    assert "被锁定的账号" not in counters


def test_it_greets_the_user_with_their_role(client_as, personas):
    html = client_as(personas["leader"]).get("/").content.decode()
    assert "测试leader，您好" in html and "街道领导" in html


def test_it_sends_anonymous_visitors_to_login(db):
    response = Client().get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    page = Client().get("/accounts/login/")
    assert page.status_code == 200 and "连续5次密码错误将锁定账号30分钟" in page.content.decode()


def test_it_redirects_a_signed_in_user_away_from_the_login_page(client_as, personas):
    assert client_as(personas["clerk"]).get("/accounts/login/")["Location"] == "/"


# --- notifications -------------------------------------------------------------------------------------------

def test_it_writes_notifications_only_when_the_transaction_commits(personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[personas["clerk"], None], title="新案件", body="请处理", link="/")
    assert Notification.objects.filter(recipient=personas["clerk"], title="新案件").count() == 1
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            services.notify(recipients=[personas["clerk"]], title="回滚", body="")
            raise RuntimeError("rolled back")
    assert not Notification.objects.filter(title="回滚").exists()


def test_it_sends_messages_through_the_configured_backend(personas, settings, django_capture_on_commit_callbacks):
    settings.SHEQU_MESSAGE_BACKEND = "shequ.core.messaging.MemoryMessageBackend"
    MemoryMessageBackend.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[personas["clerk"]], title="办结提醒", body="明天到期", send_message=True)
    assert MemoryMessageBackend.outbox == [{"to": "clerk", "subject": "办结提醒", "body": "明天到期"}]
    MemoryMessageBackend.outbox.clear()


def test_it_logs_messages_with_the_default_backend(personas, caplog, django_capture_on_commit_callbacks):
    with caplog.at_level("INFO", logger="shequ.messages"), django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[personas["clerk"]], title="提醒", body="内容", send_message=True)
    assert "to=clerk" in caplog.text and "提醒" in caplog.text


def test_it_shows_the_inbox_and_marks_messages_read(client_as, personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[personas["clerk"]], title="第一条")
        services.notify(recipients=[personas["clerk"]], title="第二条")
        services.notify(recipients=[personas["leader"]], title="别人的")
    c = client_as(personas["clerk"])
    html = c.get("/inbox/").content.decode()
    assert "第一条" in html and "第二条" in html and "别人的" not in html
    first = Notification.objects.get(title="第一条")
    assert c.post("/inbox/read/", {"id": [str(first.pk), "x"]}).status_code == 302
    assert Notification.objects.filter(recipient=personas["clerk"], read_at__isnull=True).count() == 1
    c.post("/inbox/read/")
    assert not Notification.objects.filter(recipient=personas["clerk"], read_at__isnull=True).exists()
    assert Notification.objects.get(title="别人的").read_at is None
    # someone else's id is ignored
    other = Notification.objects.get(title="别人的")
    c.post("/inbox/read/", {"id": [str(other.pk)]})
    assert Notification.objects.get(pk=other.pk).read_at is None


# --- encryption and hashing ---------------------------------------------------------------------------------

def test_it_encrypts_and_decrypts_values():
    token = crypto.encrypt("11010519491231002X")
    assert "11010519491231002X" not in token
    assert crypto.decrypt(token) == "11010519491231002X"
    assert crypto.encrypt("same") != crypto.encrypt("same")  # randomised
    with pytest.raises(ValueError):
        crypto.decrypt("gAAAAAB-not-a-token")


def test_it_hashes_normalised_values_for_exact_search():
    assert crypto.keyed_hash("11010519491231002x") == crypto.keyed_hash(" 11010519491231002X ")
    assert crypto.keyed_hash("11010519491231002X") != crypto.keyed_hash("53010219200508011X")
    assert len(crypto.keyed_hash("x")) == 64


# --- template filters and health ------------------------------------------------------------------------------

def test_it_formats_dates_the_chinese_way():
    template = Template("{% load shequ %}{{ d|cn_date }}|{{ t|cn_datetime }}|{{ d|weekday_cn }}|{{ t|cn_date }}")
    moment = dt.datetime(2026, 9, 30, 16, 5, tzinfo=dt.timezone.utc)  # 10-01 00:05 in Shanghai
    out = template.render(Context({"d": dt.date(2026, 10, 1), "t": moment}))
    assert out == "2026年10月1日|2026年10月1日 00:05|周四|2026年10月1日"
    assert Template("{% load shequ %}{{ x|cn_date }}").render(Context({"x": None})) == ""
    with translation.override("en"):
        out = template.render(Context({"d": dt.date(2026, 10, 1), "t": moment}))
    assert out == "1 Oct 2026|1 Oct 2026 00:05|Thu|1 Oct 2026"


def test_it_answers_the_health_check(db):
    response = Client().get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"
    assert connection.vendor in ("sqlite", "postgresql")


def test_it_sets_security_headers_on_pages(client_as, personas):
    response = client_as(personas["clerk"]).get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cache-Control"] == "no-store"
    assert "script-src 'self'" in response["Content-Security-Policy"]
