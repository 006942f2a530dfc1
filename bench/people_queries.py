"""Residents registry latency at scale (run bench/people_build.py first). Server time through the full Django
stack (middleware, scoping, serialisation), measured in-process; p50/p95 over repeated requests.

    SQLITE_PATH=var/bench.sqlite3 .venv/bin/python bench/people_queries.py [--json var/bench-people.json]
"""

from __future__ import annotations

import json
import sys
import time

import district

REPEAT = 40


def timed(client, url, repeat=REPEAT, **extra):
    samples = []
    response = None
    for _ in range(repeat):
        t = time.perf_counter()
        response = client.get(url, **extra)
        samples.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return samples, response


def main():
    district.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment

    from shequ.core.choices import Role
    from shequ.core.models import Node, User
    from shequ.core.services import user_create
    from shequ.core.testing import login
    from shequ.people.models import Resident

    setup_test_environment()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    total = Resident.objects.count()
    district_node = Node.objects.get(code="310110000000")
    committee = Node.objects.get(code="310110015001")

    def persona(username, role, node):
        return User.objects.filter(username=username).first() or user_create(
            actor=None, username=username, full_name=username, role=role, password="Qz7#mLp2Wx9!vT",
            nodes=[node], password_is_temporary=False)

    leader = persona("bench-district-leader", Role.LEADER, district_node)
    worker = persona("bench-committee-worker", Role.COMMITTEE_WORKER, committee)
    sample = Resident.objects.filter(committee=committee).order_by("id")[5]
    id_number = sample.id_number
    initials = sample.name_initials[:2]
    rows = []

    def record(label, who, samples):
        rows.append({"what": label, "as": who, "p50_ms": round(district.percentile(samples, 50), 2),
                     "p95_ms": round(district.percentile(samples, 95), 2)})

    for who, user in (("district leader", leader), ("committee worker", worker)):
        client = login(Client(), user)
        samples, first = timed(client, "/api/v1/residents/")
        record("API list, first page", who, samples)
        # walk 200 pages deep by cursor, then time that deep page
        url = first.json()["next"]
        for _ in range(200 if who == "district leader" else 50):
            nxt = client.get(url).json()["next"]
            if not nxt:
                break
            url = nxt
        samples, _ = timed(client, url)
        record("API list, deep page (keyset)", who, samples)
        samples, r = timed(client, f"/api/v1/residents/?search={id_number}")
        assert len(r.json()["results"]) == 1
        record("API lookup by full ID number", who, samples)
        samples, _ = timed(client, f"/api/v1/residents/?search={sample.name}")
        record(f"API search by name ({sample.name})", who, samples)
        samples, _ = timed(client, f"/api/v1/residents/?search={initials}")
        record(f"API search by pinyin initials ({initials})", who, samples)
        samples, _ = timed(client, "/people/")
        record("HTML list, first page", who, samples)
        samples, _ = timed(client, f"/people/?q={id_number}")
        record("HTML lookup by full ID number", who, samples)
    result = {"machine": district.machine(), "residents": total, "rows": rows}
    print(f"residents: {total}  ({result['machine']['vendor']} {result['machine']['db_version']})")
    print(f"{'what':<46} {'as':<18} {'p50 ms':>8} {'p95 ms':>8}")
    for row in rows:
        print(f"{row['what']:<46} {row['as']:<18} {row['p50_ms']:>8} {row['p95_ms']:>8}")
    if "--json" in sys.argv:
        path = sys.argv[sys.argv.index("--json") + 1]
        with open(path, "w") as fh:
            json.dump(result, fh, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
