"""Fixtures of the security tests: one `world` per module, built inside a transaction that is rolled back when
the module is done, with the clock frozen on a working Tuesday of 2026. Each test still runs in its own
savepoint (pytest-django), so nothing a test does reaches the next one."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    import time_machine
    from django.core.cache import caches
    from django.db import transaction

    from shequ.grid import spatial

    from .world import START, build_world

    with django_db_blocker.unblock(), time_machine.travel(START, tick=False):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            spatial.clear()
            caches["local"].clear()
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            spatial.clear()
            caches["local"].clear()
