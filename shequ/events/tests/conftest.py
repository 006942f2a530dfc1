import datetime as dt
import os
import shutil
import sqlite3
import tempfile

import pytest
from django.utils import timezone

from shequ.core.choices import Role
from shequ.core.testing import make_user


@pytest.fixture
def event(tree, personas):
    """A 敦化路 event with two places and one wait-list place, a week ahead."""
    from shequ.events import services

    start = timezone.now() + dt.timedelta(days=7)
    return services.event_create(actor=personas["dunhua"], title="敦化路读书会", node=tree["dunhua"],
                                 organiser="敦化路居委会", start=start, end=start + dt.timedelta(hours=2),
                                 capacity=2, waitlist_limit=1, venue="敦化路1号活动室")


@pytest.fixture
def residents(db):
    return [make_user(Role.RESIDENT, username=f"res{i}") for i in range(6)]


@pytest.fixture
def threaded_db(transactional_db):
    """Worker threads on one database: an in-memory SQLite test database is copied to a file first (its shared
    cache answers concurrent writers with "table is locked" instead of waiting); PostgreSQL needs nothing."""
    from django.db import connection, connections

    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield None
        return
    connection.ensure_connection()
    folder = tempfile.mkdtemp(prefix="events-threads-")
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
