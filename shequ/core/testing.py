"""Builders shared by every app's tests. State is built through the same services the product uses."""

from __future__ import annotations

import datetime as dt
import itertools
import random

from django.test import Client

from . import services
from .choices import NodeKind, Role
from .idcard import check_char
from .models import Department, Node, User

PASSWORD = "Test#Passw0rd!"
_counter = itertools.count(1)


def build_tree() -> dict:
    """杨浦区 → 延吉新村街道 → 敦化路 / 控江路645弄 居委会, one grid each, plus a second 街道 for isolation tests."""
    district = services.node_create(actor=None, kind=NodeKind.DISTRICT, code="310110000000", name="杨浦区")
    sub = services.node_create(actor=None, kind=NodeKind.SUBDISTRICT, code="310110015000", name="延吉新村街道",
                               parent=district)
    other_sub = services.node_create(actor=None, kind=NodeKind.SUBDISTRICT, code="310110016000", name="殷行街道",
                                     parent=district)
    dunhua = services.node_create(actor=None, kind=NodeKind.COMMITTEE, code="310110015001", name="敦化路居委会",
                                  parent=sub)
    kongjiang = services.node_create(actor=None, kind=NodeKind.COMMITTEE, code="310110015002",
                                     name="控江路645弄居委会", parent=sub)
    yinxing = services.node_create(actor=None, kind=NodeKind.COMMITTEE, code="310110016001", name="殷行一村居委会",
                                   parent=other_sub)
    square = lambda x0, y0: {"type": "Polygon", "coordinates": [[[x0, y0], [x0 + 0.005, y0], [x0 + 0.005, y0 + 0.005],  # noqa: E731
                                                                  [x0, y0 + 0.005], [x0, y0]]]}
    grid_d = services.node_create(actor=None, kind=NodeKind.GRID, code="31011001500101", name="敦化第1网格",
                                  parent=dunhua, geometry=square(121.530, 31.275))
    grid_k = services.node_create(actor=None, kind=NodeKind.GRID, code="31011001500201", name="控江第1网格",
                                  parent=kongjiang, geometry=square(121.535, 31.275))
    minzheng = Department.objects.create(code="MZ", name="杨浦区民政局", short_name="民政", node=district)
    chengguan = Department.objects.create(code="CGZF", name="城管执法中队", short_name="城管执法", node=district)
    return {"district": district, "sub": sub, "other_sub": other_sub, "dunhua": dunhua, "kongjiang": kongjiang,
            "yinxing": yinxing, "grid_dunhua": grid_d, "grid_kongjiang": grid_k, "minzheng": minzheng,
            "chengguan": chengguan}


def make_user(role: str, nodes: list[Node] = (), department: Department | None = None,
              username: str | None = None) -> User:
    username = username or f"{role}{next(_counter)}"
    user = services.user_create(actor=None, username=username, full_name=f"测试{username}", role=role,
                                password=PASSWORD, nodes=list(nodes), department=department,
                                password_is_temporary=False)
    return user


def login(client: Client, user: User) -> Client:
    """Log a test client in; administrator roles also get a verified second factor."""
    client.force_login(user)
    if user.role in (Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR):
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def valid_id_number(birth: dt.date | None = None, male: bool = True, seed: int | None = None) -> str:
    """A valid ID number. Without a seed each call gives a new number (a counter); with a seed the same seed
    gives the same number. The two families use different area codes so they never collide."""
    if seed is None:
        n = next(_counter)
        area, birth = "310110", birth or dt.date(1940, 1, 1) + dt.timedelta(days=(n * 37) % 25000)
        seq = (n // 25000 * 7 + n) % 500
    else:
        rng = random.Random(seed)
        area, birth = "310109", birth or dt.date(1940 + rng.randint(0, 60), rng.randint(1, 12), rng.randint(1, 28))
        seq = rng.randint(0, 499)
    body = f"{area}{birth:%Y%m%d}{seq * 2 + (1 if male else 0):03d}"
    return body + check_char(body)


def make_resident(actor: User, committee: Node, name: str = "张三", **data):
    from shequ.people.services import resident_create

    payload = {"name": name, "id_number": data.pop("id_number", None) or valid_id_number(),
               "address": data.pop("address", "延吉东路100弄1号101室"), **data}
    tags = payload.pop("tags", [])
    household_number = payload.pop("household_number", "")
    return resident_create(actor=actor, data=payload, committee=committee, household_number=household_number,
                           tags=tags)


def run_threads(fn, count: int, *args, timeout: float = 120) -> list:
    """Run fn(index, *args) in `count` threads released at the same moment; each thread has (and closes) its own
    database connection. Returns each thread's result or the exception it raised."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index):
        try:
            barrier.wait()
            results[index] = fn(index, *args)
        except BaseException as exc:  # collected and asserted on by the test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads), f"a worker thread is still running after {timeout}s"
    return results
