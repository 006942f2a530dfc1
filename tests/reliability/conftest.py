"""Fixtures of the reliability suite ("loses nothing"): real transactions in worker threads, scratch PostgreSQL
databases, a real gunicorn server, and a place to record measured figures.

- `shared_db`: a database that worker threads share. PostgreSQL: the test database as is. SQLite: the suite's
  in-memory database (whose shared cache answers a second writer with "table is locked" instead of waiting) is
  copied, on first use, into a WAL file that every new connection then opens with the project's real settings
  (IMMEDIATE transactions, busy timeout). After the first `run`, do every database access through `run` /
  `run_many`: the main thread's connection still points at the in-memory database.
- `scratch_pg()`: a PostgreSQL database with a unique name, always dropped (also on failure).
- `server_db`: a migrated database of its own for a server process (PostgreSQL: copied from a template that
  `manage.py migrate` built once per session in a subprocess; SQLite: a file copy of the migrated test database),
  seeded by `server_seed.py` in a subprocess.
- `gunicorn`: start/kill/restart a real gunicorn (its own process group, so SIGKILL reaches master and workers
  and nothing else).
- `figure(name, value)`: record a measured figure; printed at the end and saved to var/reliability/.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from shequ.grid.testing import DUNHUA, report as grid_report  # noqa: F401 (for the tests)

BASE_DIR = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
PREFIX = "shequ_reliab"
_FIGURES: dict[str, object] = {}


# --- figures -------------------------------------------------------------------------------------------------

@pytest.fixture
def figure():
    def record(name: str, value, unit: str = ""):
        _FIGURES[name] = f"{value} {unit}".strip() if unit else value
    return record


def pytest_terminal_summary(terminalreporter):
    if not _FIGURES:
        return
    from django.db import connection

    vendor = connection.vendor
    terminalreporter.section(f"reliability figures ({vendor})")
    for name, value in sorted(_FIGURES.items()):
        terminalreporter.write_line(f"{name}: {value}")
    out = BASE_DIR / "var" / "reliability"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"figures-{vendor}.json").write_text(json.dumps(_FIGURES, ensure_ascii=False, indent=1, default=str))


# --- threads against one database (shequ.core.testing.run_threads) -------------------------------------------

class SharedDB:
    def __init__(self):
        from django.db import connection

        self.vendor = connection.vendor
        self.path: str | None = None
        self._folder: str | None = None
        self._previous = None

    def _prepare(self):
        from django.db import connection, connections

        if self.path is not None or self.vendor != "sqlite" or not connection.is_in_memory_db():
            return
        connection.ensure_connection()
        self._folder = tempfile.mkdtemp(prefix="shequ-reliab-")
        self.path = os.path.join(self._folder, "shared.sqlite3")
        target = sqlite3.connect(self.path)
        connection.connection.backup(target)
        target.close()
        settings_dict = connections.settings["default"]
        self._previous = settings_dict["NAME"]
        settings_dict["NAME"] = self.path

    def run(self, fn, *args, **kwargs):
        """fn(*args, **kwargs) in a fresh thread (a fresh connection); its exception is raised here."""
        self._prepare()
        from shequ.core.testing import run_threads

        result = run_threads(lambda _i: fn(*args, **kwargs), 1)[0]
        if isinstance(result, BaseException):
            raise result
        return result

    def run_many(self, fn, count: int, *args, timeout: float = 120) -> list:
        self._prepare()
        from shequ.core.testing import run_threads

        return run_threads(fn, count, *args, timeout=timeout)

    def close(self):
        from django.db import connections

        if self._previous is not None:
            connections.settings["default"]["NAME"] = self._previous
        if self._folder:
            shutil.rmtree(self._folder, ignore_errors=True)


@pytest.fixture
def shared_db(transactional_db):
    db = SharedDB()
    try:
        yield db
    finally:
        db.close()


@pytest.fixture(scope="session", autouse=True)
def _fast_postgresql_flush(django_db_setup, django_db_blocker):
    """The tests here commit (threads, processes), so each ends with Django's flush, which on PostgreSQL is one
    TRUNCATE of ~100 tables: ~2.5 s per test on this machine (new files for every table). For the tests of this
    directory it becomes a DELETE of every table with triggers off (session_replication_role = replica, so
    superuser only) that keeps the content types and permissions, so the post-migrate step that follows finds
    them and writes nothing: ~0.1 s. The switch is by test id (PYTEST_CURRENT_TEST, still set during the
    teardown that flushes), so tests elsewhere in the same session keep Django's TRUNCATE."""
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        superuser = cursor.fetchone()[0]
    if not superuser:
        yield
        return
    ops_class = type(connection.ops)
    original = ops_class.sql_flush
    keep = {"django_content_type", "auth_permission", "django_migrations"}
    here = str(Path(__file__).parent.relative_to(BASE_DIR)) + "/"

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or not os.environ.get("PYTEST_CURRENT_TEST", "").startswith(here):
            return original(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        quote = self.quote_name
        return ["SET LOCAL session_replication_role = replica",
                *[f"DELETE FROM {quote(t)}" for t in tables if t not in keep]]

    ops_class.sql_flush = sql_flush
    try:
        yield
    finally:
        ops_class.sql_flush = original


# --- domain builders -----------------------------------------------------------------------------------------

@pytest.fixture
def centre(tree, personas):
    """The acceptance centre of the acceptance tests (categories A/B, windows, items with materials)."""
    from django.core.cache import cache

    from shequ.acceptance.testing import build_centre

    cache.clear()
    return build_centre(tree, personas)


@pytest.fixture
def grid_env(tree, personas):
    """The grid catalogue, centre staff, a 城管 handler and a 敦化路 work station (as in the grid tests). The
    tree's nodes are also under `node_<name>` (`dunhua` is the committee worker, `node_dunhua` the committee)."""
    from django.core.cache import cache

    from shequ.core.choices import Role
    from shequ.core.testing import make_user
    from shequ.grid import spatial
    from shequ.grid.testing import build_grid_centre

    spatial.clear()
    cache.clear()
    station, users = build_grid_centre(tree)
    sub = tree["sub"]
    for key, role in (("operator2", Role.OPS_OPERATOR), ("dispatcher2", Role.DISPATCHER),
                      ("inspector2", Role.INSPECTOR)):
        users[key] = make_user(role, [sub], username=key)
    yield {**tree, **personas, **users, **{f"node_{k}": v for k, v in tree.items()}, "station": station}
    spatial.clear()


def applicant(seed: int) -> dict:
    from shequ.core.testing import valid_id_number

    return {"name": "王访客", "id_number": valid_id_number(seed=seed), "phone": "13800138000"}


class FailEvery:
    """Wraps a function so that about one call in `every` raises (deterministically: calls number k with
    k % every == phase), to inject failures after a number has been allocated."""

    def __init__(self, fn, every: int = 10, phase: int = 3):
        self.fn, self.every, self.phase = fn, every, phase
        self.calls = 0
        self.raised = 0
        self._lock = threading.Lock()

    def __call__(self, *args, **kwargs):
        with self._lock:
            self.calls += 1
            fail = self.calls % self.every == self.phase
            if fail:
                self.raised += 1
        if fail:
            raise InjectedFailure(f"injected failure #{self.raised}")
        return self.fn(*args, **kwargs)


class InjectedFailure(RuntimeError):
    pass


# --- PostgreSQL scratch databases ---------------------------------------------------------------------------

def pg_settings() -> dict:
    from django.conf import settings

    s = settings.DATABASES["default"]
    return {"host": s.get("HOST") or "127.0.0.1", "port": str(s.get("PORT") or 5432),
            "user": s.get("USER") or "postgres", "password": s.get("PASSWORD") or ""}


def pg_url(name: str) -> str:
    p = pg_settings()
    auth = p["user"] + (f":{p['password']}" if p["password"] else "")
    return f"postgres://{auth}@{p['host']}:{p['port']}/{name}"


def pg_connect(dbname: str = "postgres", **kw):
    import psycopg

    p = pg_settings()
    return psycopg.connect(host=p["host"], port=p["port"], user=p["user"], password=p["password"] or None,
                           dbname=dbname, **kw)


def _drop(name: str) -> None:
    with pg_connect(autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _drop_leftovers() -> None:
    """Scratch databases of an earlier run whose process is gone (the pid is part of the name)."""
    with pg_connect(autocommit=True) as conn:
        names = [r[0] for r in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                                            [PREFIX + "\\_%"]).fetchall()]
    for name in names:
        try:
            pid = int(name[len(PREFIX) + 1:].split("_")[0])
        except ValueError:
            continue
        if pid != os.getpid() and not Path(f"/proc/{pid}").exists():
            _drop(name)


@contextlib.contextmanager
def scratch_pg(template: str | None = None, tag: str = "x"):
    """A new PostgreSQL database (empty, or a copy of `template`); dropped on exit whatever happens."""
    name = f"{PREFIX}_{os.getpid()}_{tag}_{secrets.token_hex(3)}"
    with pg_connect(autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    try:
        yield name
    finally:
        _drop(name)


def requires_postgresql():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: run the suite with DATABASE_URL=postgres://… (CI runs it on both databases)")


def manage_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH", "PYTEST_CURRENT_TEST")}
    env.update({"DJANGO_SETTINGS_MODULE": "shequ.test_settings", "SHEQU_DEV_SECRETS": "1", "PYTHONUNBUFFERED": "1"})
    env.update(extra)
    return env


def manage(*args, env: dict, timeout: float = 300) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True,
                            text=True, timeout=timeout)
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="session")
def pg_template(django_db_setup):
    """A PostgreSQL database migrated once per session by `manage.py migrate` in a subprocess; scratch databases
    for server processes are created from it (CREATE DATABASE … TEMPLATE), which takes well under a second."""
    from django.db import connection

    if connection.vendor != "postgresql":
        yield None
        return
    _drop_leftovers()
    with scratch_pg(tag="tpl") as name:
        started = time.perf_counter()
        manage("migrate", "--no-input", "-v0", env=manage_env(DATABASE_URL=pg_url(name)))
        _FIGURES["postgresql migrate (template, s)"] = round(time.perf_counter() - started, 1)
        yield name


class ServerDB:
    """A database of its own for a server process: `env` for subprocesses, `query` for raw SQL checks."""

    def __init__(self, vendor: str, *, name: str | None = None, path: str | None = None):
        self.vendor, self.name, self.path = vendor, name, path
        self.env = manage_env(DATABASE_URL=pg_url(name), DB_CONN_MAX_AGE="60") if vendor == "postgresql" else \
            manage_env(SQLITE_PATH=path)
        self.seed: dict = {}

    @contextlib.contextmanager
    def connect(self):
        if self.vendor == "postgresql":
            with pg_connect(self.name, autocommit=True) as conn:
                yield conn
        else:
            conn = sqlite3.connect(self.path, timeout=20, isolation_level=None)  # autocommit
            try:
                yield conn
            finally:
                conn.close()

    def query(self, sql: str, params=()) -> list[tuple]:
        if self.vendor == "sqlite":
            sql = sql.replace("%s", "?")
        with self.connect() as conn:
            cursor = conn.execute(sql, params)
            return list(cursor.fetchall()) if cursor.description else []


@pytest.fixture
def server_db(request, transactional_db):
    """A migrated, seeded database of its own for a gunicorn server (see the module docstring)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        template = request.getfixturevalue("pg_template")
        with scratch_pg(template=template, tag="srv") as name:
            db = ServerDB("postgresql", name=name)
            _seed(db)
            yield db
    else:
        folder = tempfile.mkdtemp(prefix="shequ-reliab-srv-")
        try:
            path = os.path.join(folder, "server.sqlite3")
            connection.ensure_connection()
            target = sqlite3.connect(path)
            connection.connection.backup(target)  # the schema `migrate` built for the test database
            target.execute("PRAGMA journal_mode=WAL")
            target.close()
            db = ServerDB("sqlite", path=path)
            _seed(db)
            yield db
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def _seed(db: ServerDB) -> None:
    result = subprocess.run([sys.executable, "-m", "tests.reliability.server_seed"], cwd=BASE_DIR, env=db.env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"seeding failed:\n{result.stdout}\n{result.stderr}"
    db.seed = json.loads(result.stdout.strip().splitlines()[-1])


# --- a real gunicorn -----------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """A gunicorn master in its own process group (start_new_session), so a SIGKILL of the group reaches the
    master and its workers and nothing else."""

    def __init__(self, env: dict, *, workers: int = 2, threads: int = 1, log: Path, config: str | None = None):
        self.env, self.workers, self.threads, self.log, self.config = env, workers, threads, log, config
        self.proc: subprocess.Popen | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 45) -> float:
        self.port = free_port()
        cmd = [str(VENV_BIN / "gunicorn"), "shequ.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
               "--workers", str(self.workers), "--timeout", "60", "--graceful-timeout", "2"]
        if self.threads > 1:
            cmd += ["--worker-class", "gthread", "--threads", str(self.threads)]
        if self.config:
            cmd += ["--config", self.config]
        started = time.perf_counter()
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(cmd, cwd=BASE_DIR, env=self.env, stdout=log, stderr=log,
                                         start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"gunicorn exited with {self.proc.returncode}:\n{self.log.read_text()[-3000:]}")
            try:
                status, _h, _b = request("GET", self.url + "/healthz", timeout=2)
                if status == 200:
                    return time.perf_counter() - started
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise AssertionError(f"gunicorn did not answer within {timeout}s:\n{self.log.read_text()[-3000:]}")

    def _group_alive(self) -> bool:
        pgid = self.proc.pid
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[2]) == pgid and fields[0] != "Z":
                    return True
        return False

    def kill9(self) -> None:
        """SIGKILL to the master and every worker at once (the group created for this server)."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)
        deadline = time.monotonic() + 10
        while self._group_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not self._group_alive(), "a gunicorn worker survived SIGKILL"

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None and not self._group_alive():
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        deadline = time.monotonic() + 10
        while self._group_alive() and time.monotonic() < deadline:
            time.sleep(0.05)


@pytest.fixture
def gunicorn(tmp_path):
    """gunicorn(server_db, workers=2, threads=1, env={…}, config=…) → a started server; every server is stopped
    at teardown."""
    servers: list[Gunicorn] = []

    def start(db: ServerDB, env: dict | None = None, **kw) -> Gunicorn:
        server = Gunicorn({**db.env, **(env or {})}, log=tmp_path / f"gunicorn-{len(servers)}.log", **kw)
        servers.append(server)
        server.start()
        return server

    yield start
    for server in servers:
        server.stop()


def request(method: str, url: str, body=None, headers: dict | None = None, timeout: float = 15):
    """(status, headers, parsed JSON or raw bytes). Raises OSError subclasses on connection failures."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        data = None
        headers = dict(headers or {})
        if body is not None and not isinstance(body, (bytes, str)):
            data = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        elif body is not None:
            data = body.encode() if isinstance(body, str) else body
        conn.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), body=data, headers=headers)
        response = conn.getresponse()
        raw = response.read()
        content_type = response.getheader("Content-Type", "")
        payload = json.loads(raw) if raw and "json" in content_type else raw
        merged: dict[str, str] = {}
        for name, value in response.getheaders():  # repeated headers (Set-Cookie) joined as http.client does
            merged[name] = f"{merged[name]}, {value}" if name in merged else value
        return response.status, merged, payload
    finally:
        conn.close()


def intake_case(centre, *, seed: int, decision: str = "accept", actor=None):
    """An acceptance case taken in at the window with every material (a 承诺件 of 民政, so it awaits review)."""
    from shequ.acceptance import services

    item = centre["dibao"]
    return services.case_intake(actor=actor or centre["clerk"], item=item, decision=decision,
                                provided=[m.pk for m in item.materials.all()], applicant=applicant(seed))
