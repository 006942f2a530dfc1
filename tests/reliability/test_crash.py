"""Crash: a real gunicorn (master + 2 workers) on a database of its own takes a burst of API writes — residents
and grid cases, each POST with its own Idempotency-Key — and is killed with SIGKILL (master and workers at
once) in the middle of it. A grid report is slowed down inside its transaction (a test-only gunicorn hook), so
the kill lands in open transactions whose case number is already allocated. After a restart:

- every write that got a 2xx reply is there, as it was acknowledged (acknowledged = durable);
- nothing is half-written: every grid case has its report event and audit row, every resident its audit row,
  every stored Idempotency-Key its response;
- the client retries every request that got no reply with the same key: each is then answered, a write that
  had committed is replayed rather than made twice, so there is exactly one object per request;
- case numbers stay gapless across the crash (a new burst after the restart continues them);
- SQLite: `PRAGMA integrity_check` is ok and no foreign key is dangling; PostgreSQL: the server rolled back the
  killed transactions (pg_stat_database), and amcheck finds the indexes sound where the extension exists.

PostgreSQL itself is not crashed here (it is a shared server); SQLite's writer is: the killed workers are the
processes that had the database file open.
"""

import threading
import time
import uuid
from pathlib import Path

import pytest

from .conftest import DUNHUA, request

pytestmark = pytest.mark.django_db(transaction=True)
CLIENTS = 6
ACK_BEFORE_KILL = 30


def _new_request(seed: dict, index: int, k: int) -> dict:
    from shequ.core.testing import valid_id_number

    key = str(uuid.uuid4())
    if (index + k) % 2:
        return {"key": key, "kind": "resident", "url": "/api/v1/residents/", "token": seed["tokens"]["dunhua"],
                "body": {"name": "崩溃测试", "id_number": valid_id_number(), "committee": seed["committee"],
                         "address": "敦化路1号", "note": key}}
    return {"key": key, "kind": "grid", "url": "/api/v1/grid/cases/", "token": seed["tokens"]["inspector"],
            "body": {"category": "E0102", "description": f"崩溃测试 {key}", "lat": DUNHUA[0], "lng": DUNHUA[1],
                     "address": "敦化路100号"}}


def _send(base: str, req: dict, timeout: float = 20):
    return request("POST", base + req["url"], req["body"], {"Authorization": f"Token {req['token']}",
                                                             "Idempotency-Key": req["key"]}, timeout=timeout)


def _burst(base: str, seed: dict, *, until, stop: threading.Event) -> list[dict]:
    """CLIENTS threads send writes until `stop`; a client whose request fails (no reply) stops, as a client
    whose server went away does. Every request is returned with its outcome."""
    done: list[dict] = []
    lock = threading.Lock()

    def client(index):
        k = 0
        while not stop.is_set():
            req = _new_request(seed, index, k)
            k += 1
            try:
                status, headers, payload = _send(base, req)
                req.update(status=status, reply=payload, replayed=headers.get("Idempotency-Replayed"))
            except OSError as exc:  # reset or refused: the reply, if any, is lost
                req.update(status=None, error=type(exc).__name__)
            with lock:
                done.append(req)
                until(done)
            if req["status"] is None:
                return

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads)
    return done


def _acked(req) -> bool:
    return req.get("status") is not None and 200 <= req["status"] < 300


def _xact_rollbacks(db) -> int:
    return db.query("SELECT xact_rollback FROM pg_stat_database WHERE datname = %s", [db.name])[0][0]


def test_it_keeps_every_acknowledged_write_when_the_server_is_killed_mid_burst(server_db, gunicorn, tmp_path,
                                                                             figure):
    seed = server_db.seed
    hooks = str(Path(__file__).with_name("gunicorn_test_hooks.py"))
    slow = {"SHEQU_TEST_SLOW_REPORT_MS": "80"}
    server = gunicorn(server_db, workers=2, config=hooks, env=slow)
    rollbacks_before = _xact_rollbacks(server_db) if server_db.vendor == "postgresql" else 0

    stop = threading.Event()
    killed_at = {}

    def kill_when_enough(done):
        if not stop.is_set() and sum(map(_acked, done)) >= ACK_BEFORE_KILL:
            stop.set()
            killed_at["t"] = time.perf_counter()
            server.kill9()

    first = _burst(server.url, seed, until=kill_when_enough, stop=stop)
    assert killed_at, f"the burst never reached {ACK_BEFORE_KILL} acknowledged writes: {first[:3]}"
    unexpected = [r for r in first if r["status"] is not None and not _acked(r)]
    assert not unexpected, [(r["status"], r.get("reply")) for r in unexpected][:5]
    lost_replies = [r for r in first if r["status"] is None]
    acked_before = sum(map(_acked, first))

    restart = time.perf_counter()
    server = gunicorn(server_db, workers=2, config=hooks, env=slow)
    figure(f"crash ({server_db.vendor}): gunicorn restart after SIGKILL (s)", round(time.perf_counter() - restart, 1))
    if server_db.vendor == "postgresql":
        figure("crash (postgresql): transactions the server rolled back for the killed workers",
               _xact_rollbacks(server_db) - rollbacks_before)

    replayed = rerun = 0
    for req in lost_replies:  # the client retries what got no reply, with the same key and body
        for _attempt in range(5):
            try:
                status, headers, payload = _send(server.url, req)
            except OSError:
                time.sleep(0.5)
                continue
            assert 200 <= status < 300, (status, payload)
            req.update(status=status, reply=payload, replayed=headers.get("Idempotency-Replayed"))
            replayed += req["replayed"] == "true"
            rerun += req["replayed"] is None
            break
        assert _acked(req), f"request {req['key']} could not be completed after the restart"

    enough = threading.Event()
    second = _burst(server.url, seed, until=lambda done: len(done) >= 12 and enough.set(), stop=enough)
    assert all(_acked(r) for r in second), [(r.get("status"), r.get("reply")) for r in second if not _acked(r)][:5]
    server.stop()
    figure(f"crash ({server_db.vendor}): writes acknowledged before SIGKILL / replies lost in flight / of those "
           "committed (replayed on retry) / not committed (re-run on retry)",
           f"{acked_before} / {len(lost_replies)} / {replayed} / {rerun}")

    _verify(server_db, first + second)


def _verify(db, requests: list[dict]) -> None:
    residents = {r["key"]: r for r in requests if r["kind"] == "resident"}
    grid = {r["key"]: r for r in requests if r["kind"] == "grid"}

    # Every acknowledged write is there, once, as acknowledged.
    stored_residents = {}
    for pk, note in db.query("SELECT id, note FROM people_resident"):
        assert note not in stored_residents, f"two residents for request {note}"
        stored_residents[note] = pk
    assert set(stored_residents) == set(residents), "residents without a request, or requests without a resident"
    for key, req in residents.items():
        assert req["reply"]["id"] == stored_residents[key]
    stored_cases = {}
    for pk, number, description in db.query("SELECT id, number, description FROM grid_case"):
        key = description.removeprefix("崩溃测试 ")
        assert key not in stored_cases, f"two grid cases for request {key}"
        stored_cases[key] = (pk, number)
    assert set(stored_cases) == set(grid), "grid cases without a request, or requests without a case"
    for key, req in grid.items():
        assert (req["reply"]["id"], req["reply"]["number"]) == stored_cases[key]

    # Nothing half-written.
    reports = dict(db.query("SELECT case_id, COUNT(*) FROM grid_caseevent WHERE action = 'report' GROUP BY case_id"))
    audited = {(t, int(i)) for t, i in db.query(
        "SELECT object_type, object_id FROM core_auditlog WHERE action = 'create' "
        "AND object_type IN ('grid.case', 'people.resident')")}
    for pk, _number in stored_cases.values():
        assert reports.get(pk) == 1 and ("grid.case", pk) in audited, f"grid case {pk} is half-written"
    for pk in stored_residents.values():
        assert ("people.resident", pk) in audited, f"resident {pk} has no audit row"
    keys = db.query("SELECT key, done, status_code FROM core_idempotencykey")
    assert len(keys) == len(requests) and all(done and 200 <= code < 300 for _k, done, code in keys)

    # Numbering gapless across the crash.
    seqs: dict[str, list[int]] = {}
    for _pk, number in stored_cases.values():
        prefix, seq = number.rsplit("-", 1)
        seqs.setdefault(prefix, []).append(int(seq))
    counters = dict(db.query("SELECT day, value FROM grid_casecounter"))
    for prefix, values in seqs.items():
        assert sorted(values) == list(range(1, len(values) + 1)), f"gaps or duplicates in {prefix}"
        assert counters[prefix] == len(values)

    # The database itself.
    if db.vendor == "sqlite":
        assert db.query("PRAGMA integrity_check") == [("ok",)]
        assert db.query("PRAGMA foreign_key_check") == []
    elif db.query("SELECT 1 FROM pg_available_extensions WHERE name = 'amcheck'"):
        db.query("CREATE EXTENSION IF NOT EXISTS amcheck")
        checked = db.query(
            "SELECT c.relname, bt_index_check(c.oid, true) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_class t ON t.oid = i.indrelid JOIN pg_am a ON a.oid = c.relam WHERE a.amname = 'btree' "
            "AND c.relkind = 'i' AND (t.relname IN ('grid_case', 'grid_caseevent', 'grid_casecounter', "
            "'people_resident', 'core_auditlog', 'core_idempotencykey') OR t.relname ~ "
            "'^(grid_case|core_auditlog)_(y[0-9]{4}|default)$')")  # a partitioned table's indexes: on its partitions
        assert len(checked) >= 6  # bt_index_check raises on a corrupt index
