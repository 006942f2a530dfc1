"""Fixtures of the acceptance tests: a small centre in 延吉新村街道 (two categories, three windows, items with
key and acceptable-missing materials), extra personas, and helpers to run code in other threads against a real
database file."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import tempfile
import zoneinfo

import pytest

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=10, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=SH)


@pytest.fixture
def centre(tree, personas):
    from shequ.acceptance.testing import build_centre

    return build_centre(tree, personas)


@pytest.fixture
def residents(tree, personas):
    from shequ.core.testing import make_resident

    return {
        "dunhua": make_resident(personas["dunhua"], tree["dunhua"], name="张阿姨"),
        "yinxing": make_resident(personas["yinxing"], tree["yinxing"], name="李先生"),
    }


def visitor(name="王访客", seed=7):
    from shequ.core.testing import valid_id_number

    return {"name": name, "id_number": valid_id_number(seed=seed), "phone": "13800138000"}


def intake(centre, *, decision="accept", item=None, provided=None, **kwargs):
    """Register a case for a visitor with the given materials (default: all of them)."""
    from shequ.acceptance import services

    item = item or centre["dibao"]
    if provided is None:
        provided = [m.pk for m in item.materials.all()]
    kwargs.setdefault("applicant", visitor())
    return services.case_intake(actor=kwargs.pop("actor", centre["clerk"]), item=item, decision=decision,
                                provided=provided, **kwargs)


# --- threads against a real database ---------------------------------------------------------------------

@pytest.fixture
def threaded_db(transactional_db):
    """Worker threads need their own connections to one database. The suite's in-memory SQLite (shared cache)
    answers concurrent writers with "database table is locked" instead of waiting, so for SQLite the test
    database is copied into a file and new connections (the worker threads') open that file, with the
    project's real settings (WAL, IMMEDIATE transactions, busy timeout). PostgreSQL needs nothing."""
    from django.db import connection, connections

    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield None
        return
    connection.ensure_connection()
    folder = tempfile.mkdtemp(prefix="acceptance-threads-")
    path = os.path.join(folder, "threads.sqlite3")
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    settings_dict = connections.settings["default"]
    previous = settings_dict["NAME"]
    settings_dict["NAME"] = path
    try:
        yield path
    finally:
        settings_dict["NAME"] = previous
        shutil.rmtree(folder, ignore_errors=True)


def in_threads(fn, count: int, *args) -> list:
    """Run fn(index, *args) in `count` threads released at the same moment; return results or exceptions."""
    from shequ.core.testing import run_threads

    return run_threads(fn, count, *args, timeout=60)


def in_thread(fn):
    """Run one function in a fresh thread (and so on a fresh connection) and return its result."""
    return in_threads(lambda _i: fn(), 1)[0]


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    """Pairing and public-review guesses are counted in the cache; each test starts from zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
