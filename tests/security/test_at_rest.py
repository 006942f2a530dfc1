"""Personal data at rest (issue 10): after the flows that handle full ID numbers and phones — residents created,
edited, imported and revealed (with an idempotent replay), an acceptance case, grid reports and a 12345 order with
the caller's phone, a resident's sign-up, bind and log-ins on /m/ — no full ID number or phone is left in clear
text anywhere Shequ keeps data: any text or binary column of any table (read with raw SQL, the sessions and the
database cache decoded), the cache backends, the files under PRIVATE_ROOT and MEDIA_ROOT (workbooks opened) and
the log output."""

from __future__ import annotations

import base64
import datetime as dt
import io
import logging
import pickle
import re
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection

from shequ.core.testing import make_resident, valid_id_number

pytestmark = pytest.mark.django_db

IDS = {key: valid_id_number(seed=900 + n) for n, key in enumerate(
    ("api", "service", "edited", "import", "import_bad", "pending", "applicant", "agent", "archive"))}
PHONES = {key: f"1376012{n:04d}" for n, key in enumerate(
    ("api", "service", "edited", "import", "applicant", "open311", "staff_report", "hotline", "portal", "portal_bad",
     "review"))}
SECRETS = [*IDS.values(), *PHONES.values()]
DUNHUA = (31.2775, 121.5325)


# --- where the scan looks ------------------------------------------------------------------------------------------

def _texts(value) -> list[str]:
    """A stored value as the texts it can be read as."""
    if value is None or isinstance(value, (int, float)):
        return []
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, bytes):
        return [value.decode("utf-8", "replace"), value.decode("latin-1")]
    return [str(value)]


def _unpickled(blob: bytes) -> str:
    try:
        return repr(pickle.loads(blob))  # noqa: S301 - our own cache entries
    except Exception:  # noqa: BLE001 - not a pickle: the bytes themselves are scanned
        return ""


def database_texts():
    from django.contrib.sessions.backends.db import SessionStore

    cache_tables = {c["LOCATION"] for c in settings.CACHES.values() if c["BACKEND"].endswith("DatabaseCache")}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - names from the introspection
            columns = [c[0] for c in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row):
                    where = f"table {table}.{column}"
                    for text in _texts(value):
                        yield where, text
                    if table == "django_session" and column == "session_data":
                        yield where + " (decoded)", repr(SessionStore().decode(value))
                    if table in cache_tables and column == "value":
                        yield where + " (decoded)", _unpickled(base64.b64decode(value))


def cache_texts():
    for alias in settings.CACHES:
        backend = caches[alias]
        store = getattr(backend, "_cache", None)
        if store is None:
            continue  # the database cache is read with the database
        for key, blob in list(store.items()):
            yield f"cache {alias} key", str(key)
            yield f"cache {alias} {key}", _unpickled(blob) + blob.decode("latin-1")


def file_texts():
    for root in {Path(settings.SHEQU_PRIVATE_ROOT), Path(settings.MEDIA_ROOT)}:
        if not root.exists():
            continue
        for path in root.rglob("*"):
            if not path.is_file():
                continue
            data = path.read_bytes()
            yield f"file {path}", data.decode("latin-1") + data.decode("utf-8", "replace")
            if zipfile.is_zipfile(io.BytesIO(data)):
                with zipfile.ZipFile(io.BytesIO(data)) as archive:
                    for name in archive.namelist():
                        yield f"file {path}!{name}", archive.read(name).decode("utf-8", "replace")


def hits(sources) -> list[str]:
    pattern = re.compile("|".join(re.escape(s) for s in SECRETS), re.IGNORECASE)
    found = []
    for where, text in sources:
        for match in pattern.finditer(text or ""):
            found.append(f"{where}: …{text[max(match.start() - 60, 0):match.end() + 20]}…")
    return found


@pytest.fixture
def log_output(caplog):
    """Everything logged while the flows run: the records themselves and what the configured handlers write."""
    stream = io.StringIO()
    handlers = {h for name in ("shequ", "django", "django.request", "django.server") for h in
                logging.getLogger(name).handlers if isinstance(h, logging.StreamHandler)}
    previous = {h: h.setStream(stream) for h in handlers}
    levels = {name: logging.getLogger(name).level for name in ("shequ", "django.request")}
    for name in levels:
        logging.getLogger(name).setLevel(logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    yield lambda: [("log records", "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records)),
                   ("log output", stream.getvalue())]
    for handler, old in previous.items():
        handler.setStream(old)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


# --- the flows -----------------------------------------------------------------------------------------------------

def _residents(tree, personas, client_as, api_as):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    from shequ.core.tasks import run_ready_tasks

    worker = personas["dunhua"]
    api = api_as(worker)
    body = {"name": "张建国", "id_number": IDS["api"], "phone": PHONES["api"], "committee": tree["dunhua"].code,
            "address": "敦化路1号101室", "household": "DH-0001", "relation": "head"}
    for _ in range(2):  # an idempotent create, replayed
        answer = api.post("/api/v1/residents/", body, format="json", HTTP_IDEMPOTENCY_KEY="create-zhang")
        assert answer.status_code == 201, answer.content
    zhang = answer.json()["id"]
    for _ in range(2):  # a reveal sent twice with the same key
        answer = api.post(f"/api/v1/residents/{zhang}/reveal/", {"reason": "办理低保核对身份"}, format="json",
                          HTTP_IDEMPOTENCY_KEY="reveal-zhang")
        assert answer.status_code == 200 and answer.json()["id_number"] == IDS["api"]
    li = make_resident(worker, tree["dunhua"], name="李秀英", id_number=IDS["service"], phone=PHONES["service"])
    web = client_as(worker)
    assert web.post(f"/people/{li.pk}/reveal/", {"reason": "核对身份"}).status_code == 200
    edit = {"name": "李秀英", "id_number": IDS["edited"], "phone": PHONES["edited"], "committee": tree["dunhua"].pk,
            "address": "敦化路2号", "household_number": "", "relation": "", "hukou_type": "registered", "note": "",
            "version": li.version}
    assert web.post(f"/people/{li.pk}/edit/", edit).status_code == 302
    assert web.get("/people/", {"q": PHONES["edited"]}).status_code == 200  # a search by phone
    assert web.get("/people/", {"q": IDS["edited"]}).status_code == 200

    def sheet(rows):
        wb = Workbook()
        wb.active.append(["姓名", "身份证号", "居委会", "居住地址", "联系电话", "性别", "出生日期", "户号", "与户主关系",
                          "户籍类型", "标签", "备注"])
        for row in rows:
            wb.active.append(row)
        out = io.BytesIO()
        wb.save(out)
        return SimpleUploadedFile("居民.xlsx", out.getvalue())

    rows = [["王芳", IDS["import"], "敦化路居委会", "敦化路3号", PHONES["import"], "", "", "", "", "", "", ""],
            ["赵强", IDS["import_bad"], "敦化路居委会", "敦化路4号", "12345", "", "", "", "", "", "", ""]]
    assert web.post("/people/import/", {"file": sheet(rows)}).status_code == 302
    assert run_ready_tasks() == 1  # parsed and finished: the file is gone, the masked error report stays
    pending = [["孙丽", IDS["pending"], "敦化路居委会", "敦化路5号", "", "", "", "", "", "", "", ""]]
    assert web.post("/people/import/", {"file": sheet(pending)}).status_code == 302  # left queued: at rest
    from shequ.core.models import Job

    for job in Job.objects.all():
        web.get(f"/people/import/{job.pk}/")
        web.get(f"/people/import/{job.pk}/errors/")


def _acceptance(tree, personas, client_as):
    from shequ.acceptance import services
    from shequ.acceptance.testing import build_centre

    centre = build_centre(tree, personas)
    item = centre["dibao"]
    case = services.case_intake(actor=centre["clerk"], item=item, decision="accept",
                                provided=[m.pk for m in item.materials.all()],
                                applicant={"name": "周玉兰", "id_number": IDS["applicant"],
                                           "phone": PHONES["applicant"]},
                                agent={"name": "周明", "id_number": IDS["agent"], "relation": "子女", "authorized": True})
    client_as(centre["clerk"]).get(f"/acceptance/cases/{case.pk}/")
    return centre, case


def _grid(tree, client_as):
    from django.test import Client

    from shequ.grid import services, spatial
    from shequ.grid.testing import build_grid_centre

    spatial.clear()
    _station, users = build_grid_centre(tree)
    _client, key = services.open311_client_issue(actor=None, name="随申办", jurisdiction=tree["sub"])
    answer = Client().post("/open311/v2/requests.json", {
        "api_key": key, "service_code": "E0102", "lat": DUNHUA[0], "long": DUNHUA[1], "first_name": "王",
        "phone": PHONES["open311"], "email": "wang@example.cn", "description": "楼道堆放杂物，影响通行"})
    assert answer.status_code == 200, answer.content
    Client().get("/open311/v2/requests.json", {"phone": PHONES["open311"]})
    category = services.active_category("E0102")
    services.case_report(actor=users["inspector"], category=category, source="patrol", description="暴露垃圾",
                         lat=DUNHUA[0], lng=DUNHUA[1], reporter_name="陈军", reporter_contact=PHONES["staff_report"])
    order = services.hotline_receive(actor=users["operator"], subdistrict=tree["sub"], data={
        "order_no": "SH-AR-1", "hotline_type": "投诉", "title": "噪声扰民", "content": "夜间施工噪声扰民",
        "caller_name": "刘女士", "caller_phone": PHONES["hotline"], "address": "敦化路6号",
        "lat": DUNHUA[0], "lng": DUNHUA[1], "category": "E0102"})
    services.hotline_sign(actor=users["operator"], order=order)
    client_as(users["operator"]).get(f"/grid/hotline/{order.pk}/")
    client_as(users["operator"]).get("/grid/hotline/", {"q": PHONES["hotline"]})


def _portal(tree, personas, case, log, on_commit):
    from django.test import Client

    resident = make_resident(personas["dunhua"], tree["dunhua"], name="陈桂芳", id_number=IDS["archive"],
                             phone=PHONES["review"])
    phone = PHONES["portal"]
    client = Client()
    assert client.get("/m/signup/").status_code == 200
    with on_commit(execute=True):  # the code is sent (through the configured log backend) on commit
        client.post("/m/signup/code/", {"phone": phone})
    sent = re.findall(r"验证码是(\d{6})", "\n".join(text for _w, text in log()))
    assert sent, "the sign-up code was not sent"
    answer = client.post("/m/signup/", {"phone": phone, "code": sent[-1], "password": "Yanji-2026-ok!",
                                        "password2": "Yanji-2026-ok!"})
    assert answer.status_code == 302, answer.content.decode()[:500]
    client.post("/m/bind/", {"name": "陈桂芳", "id_number": IDS["archive"], "consent": "on"})
    client.post("/accounts/logout/")
    failed = Client()
    failed.post("/m/login/", {"username": phone, "password": "wrong-password"})  # a failed log-in
    failed.post("/m/login/", {"username": PHONES["portal_bad"], "password": "wrong-password"})  # an unknown number
    Client().post("/m/lookup/", {"number": case.number, "id_tail": IDS["applicant"][-6:]})
    return resident


def test_no_full_id_number_or_phone_is_kept_in_clear_anywhere(tree, personas, client_as, api_as, log_output,
                                                               django_capture_on_commit_callbacks):
    on_commit = django_capture_on_commit_callbacks
    with on_commit(execute=True):
        _residents(tree, personas, client_as, api_as)
    with on_commit(execute=True):
        _centre, case = _acceptance(tree, personas, client_as)
    with on_commit(execute=True):
        _grid(tree, client_as)
    _portal(tree, personas, case, log_output, on_commit)
    # The flows did handle the values: the scan would see them if they were stored in clear.
    from shequ.people.models import Resident

    assert Resident.objects.filter(phone_hash__gt="").count() >= 4
    found = (hits(database_texts()) + hits(cache_texts()) + hits(file_texts()) + hits(log_output()))
    assert not found, "personal data in clear:\n" + "\n".join(found[:40])


def test_the_scan_finds_a_value_stored_in_clear(tree, personas, log_output):
    """The scan itself can fail: a phone written in clear to a column, the cache, a file or the log is found."""
    from shequ.core.models import Node

    Node.objects.filter(pk=tree["dunhua"].pk).update(name=f"敦化路 {PHONES['api']}")
    caches["local"].set("probe", {"id": IDS["api"]})
    private = Path(settings.SHEQU_PRIVATE_ROOT) / "probe"
    private.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", f"<t>{IDS['import']}</t>")
    (private / "probe.xlsx").write_bytes(buffer.getvalue())
    try:
        logging.getLogger("probe").warning("caller %s", PHONES["hotline"])  # outside the filtered loggers
        assert hits(database_texts()) and hits(cache_texts()) and hits(log_output())
        assert any("probe.xlsx!xl/sharedStrings.xml" in h for h in hits(file_texts()))
    finally:
        (private / "probe.xlsx").unlink()
        private.rmdir()
        caches["local"].delete("probe")


def _encrypted_values() -> list[str]:
    """Every value a model keeps in an encrypted field, read back through the ORM (so in clear here), that is long
    enough to be recognised: ID numbers, phones, health readings of the demo."""
    from django.apps import apps

    from shequ.core.crypto import EncryptedCharField

    values = set()
    for model in apps.get_models():
        fields = [f.name for f in model._meta.get_fields() if isinstance(f, EncryptedCharField)]
        if not fields:
            continue
        for row in model.objects.values_list(*fields):
            values.update(v for v in row if isinstance(v, str) and len(v) >= 11 and v.isalnum())
    return sorted(values)


@pytest.mark.django_db(transaction=True)
def test_no_encrypted_value_of_a_demo_build_is_kept_in_clear(settings, tmp_path):
    """After the demo of every module is built (small), none of the values its models encrypt — residents' ID
    numbers and phones, applicants', callers', donors', doctors' numbers — appears in clear in any table, cache
    or private file."""
    import time_machine

    from tests.small_demo import seed_small_demo

    settings.SHEQU_PRIVATE_ROOT = str(tmp_path / "private")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with time_machine.travel(dt.datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        seed_small_demo()
    secrets = _encrypted_values()
    assert len(secrets) > 150  # the residents' ID numbers alone
    pattern = re.compile("|".join(re.escape(s) for s in secrets), re.IGNORECASE)
    found = []
    for where, text in (*database_texts(), *cache_texts(), *file_texts()):
        for match in pattern.finditer(text or ""):
            found.append(f"{where}: …{text[max(match.start() - 60, 0):match.end() + 20]}…")
    assert not found, f"{len(found)} encrypted values in clear:\n" + "\n".join(found[:40])
