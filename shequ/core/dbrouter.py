"""Reads on PostgreSQL streaming replicas (`DATABASE_REPLICA_URLS`), writes and the reads that must see them on
the primary.

A read goes to a replica only when all of these hold, and to the primary otherwise:
- it is made while serving a safe request (GET, HEAD, OPTIONS) or inside `replica_reads()` (background figures);
- the request has not written anything yet (a write to a coordination table below does not count), is not inside
  a transaction on the primary, and the client has not written within `DATABASE_PRIMARY_PIN_SECONDS` (the
  `ReplicaMiddleware` pins it with a cookie after a write, so a resident who has just booked sees the booking on
  the next page);
- the model is not one of the coordination tables (sessions, accounts and tokens, lockouts, the cache, the task
  queue, numbering and idempotency records), which are always read where they are written;
- a replica is up and its lag, measured every `HEALTH_SECONDS` per process, is within
  `DATABASE_REPLICA_MAX_LAG` seconds.

With no replica configured (every SQLite installation) the router answers None and Django uses "default".
"""

from __future__ import annotations

import contextlib
import contextvars
import random
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

HEALTH_SECONDS = 5  # how long a measured lag is trusted, per process
DOWN_SECONDS = 30  # how long a replica that failed is left alone before it is tried again

# Tables that coordinate users and processes: read where they are written, never from a replica.
PRIMARY_APPS = {"sessions", "auth", "axes", "django_cache", "django_tasks_database", "otp_totp", "otp_static",
                "contenttypes", "admin"}
PRIMARY_MODELS = {("core", "user"), ("core", "apitoken"), ("core", "idempotencykey"), ("core", "scheduledrun"),
                  ("core", "taskrun"), ("core", "job"), ("core", "adminreset"), ("core", "signedlog")}


@dataclass
class _State:
    eligible: bool = False  # reads of this context may go to a replica
    wrote: bool = False  # something was written in this context: read it back from the primary
    used: str = ""  # the replica this context read from, if any
    failed: BaseException | None = None  # a database error raised while this context read from a replica


_state: contextvars.ContextVar[_State | None] = contextvars.ContextVar("shequ_replica_state", default=None)


def replica_aliases() -> list[str]:
    return list(getattr(settings, "DATABASE_REPLICAS", ()))


@contextlib.contextmanager
def replica_reads(eligible: bool = True):
    """Reads inside may go to a replica (a request's safe method, a background figure); a write inside sends the
    rest back to the primary."""
    token = _state.set(_State(eligible=eligible))
    try:
        yield _state.get()
    finally:
        _state.reset(token)


def _record_failure(sender, request=None, **kwargs) -> None:
    """`got_request_exception`: a database error while a replica served the request, for `ReplicaMiddleware`."""
    import sys

    from django.db import Error as DatabaseError

    state = _state.get()
    exc = sys.exc_info()[1]
    if state is not None and state.used and isinstance(exc, DatabaseError):
        state.failed = exc


def _connect_signals() -> None:
    from django.core.signals import got_request_exception

    got_request_exception.connect(_record_failure, dispatch_uid="shequ.core.dbrouter.failure")


_connect_signals()


def mark_written() -> None:
    state = _state.get()
    if state is not None:
        state.wrote = True


# --- replica health ------------------------------------------------------------------------------------------------

_health: dict[str, tuple[float, float | None]] = {}  # alias -> (checked at, lag in seconds or None when down)
_health_lock = threading.Lock()

_LAG_SQL = """
SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text,
       COALESCE(EXTRACT(EPOCH FROM (clock_timestamp() - pg_last_xact_replay_timestamp())), 0)
"""


def measure_lag(alias: str) -> float | None:
    """Seconds the replica is behind the primary (0 when it has replayed everything the primary wrote), or None
    when it cannot be reached or is not a replica of it."""
    try:
        with connections[alias].cursor() as cur:
            cur.execute(_LAG_SQL)
            in_recovery, replayed, since_last = cur.fetchone()
        if not in_recovery:
            # A promoted or standalone server (and the test mirror): nothing to wait for.
            return 0.0
        with connections[DEFAULT_DB_ALIAS].cursor() as cur:
            cur.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s::pg_lsn)", [replayed])
            behind_bytes = cur.fetchone()[0]
        return 0.0 if behind_bytes is not None and behind_bytes <= 0 else float(since_last)
    except Exception:  # noqa: BLE001 — any failure to measure is a replica not to read from
        with contextlib.suppress(Exception):
            connections[alias].close()
        return None


def replica_lag(alias: str, *, fresh: bool = False) -> float | None:
    now = time.monotonic()
    checked = _health.get(alias)
    if checked is not None and not fresh:
        at, lag = checked
        if now - at < (DOWN_SECONDS if lag is None else HEALTH_SECONDS):
            return lag
    with _health_lock:
        lag = measure_lag(alias)
        _health[alias] = (time.monotonic(), lag)
    return lag


def mark_down(alias: str) -> None:
    _health[alias] = (time.monotonic(), None)
    with contextlib.suppress(Exception):
        connections[alias].close()


def healthy_replica() -> str | None:
    bound = settings.DATABASE_REPLICA_MAX_LAG
    usable = [a for a in replica_aliases() if (lag := replica_lag(a)) is not None and lag <= bound]
    return random.choice(usable) if usable else None


def replicas_status() -> list[dict]:
    """Each configured replica with its measured lag, for the operations page (measured now)."""
    rows = []
    for alias in replica_aliases():
        lag = replica_lag(alias, fresh=True)
        rows.append({"alias": alias, "host": connections.databases[alias].get("HOST", ""),
                     "port": connections.databases[alias].get("PORT", ""), "lag": lag, "up": lag is not None,
                     "within_bound": lag is not None and lag <= settings.DATABASE_REPLICA_MAX_LAG})
    return rows


# --- the router ----------------------------------------------------------------------------------------------------

def _primary_only(model) -> bool:
    meta = model._meta
    return meta.app_label in PRIMARY_APPS or (meta.app_label, meta.model_name) in PRIMARY_MODELS


def _in_transaction() -> bool:
    """Inside a transaction on the primary (a service at work): its reads must see its own state. The test
    runner's own wrapping transactions do not count."""
    conn = connections[DEFAULT_DB_ALIAS]
    return conn.in_atomic_block and any(not getattr(a, "_from_testcase", False) for a in conn.atomic_blocks)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if not replica_aliases():
            return None
        state = _state.get()
        if state is None or not state.eligible or state.wrote or _primary_only(model) or _in_transaction():
            return DEFAULT_DB_ALIAS
        if state.used:
            return state.used  # one request reads one replica: its pages agree with themselves
        alias = healthy_replica()
        if alias is None:
            return DEFAULT_DB_ALIAS
        state.used = alias
        return alias

    def db_for_write(self, model, **hints):
        if replica_aliases():
            # A write to a coordination table (the session's last-seen time, a token's last use) changes nothing
            # that is read from a replica: the request's other reads, and the client's next pages, may stay there.
            if not _primary_only(model):
                mark_written()
            return DEFAULT_DB_ALIAS
        return None

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replicas hold the primary's rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # Replicas receive the schema by streaming replication.
        return db == DEFAULT_DB_ALIAS or db not in replica_aliases()

