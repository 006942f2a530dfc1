"""Profile resident creation through the API in-process on the benchmark database (cProfile): the same requests the load test sends.

    .venv/bin/python bench/profile_create.py --db sqlite|postgres [--repeat 200]
"""

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import suite  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--sqlite-path", default="var/bench-sqlite.sqlite3")
    parser.add_argument("--db-url", default="")
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--limit", type=int, default=45)
    args = parser.parse_args()
    suite.configure(args)
    import district

    district.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from shequ.core import services as core
    from shequ.core.models import User

    import dataset

    user = User.objects.get(username="bench_committee")
    committee = user.nodes.get()
    key = core.api_token_issue(user=user, ttl_hours=settings.API_TOKEN_TTL_HOURS)
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    path = "/api/v1/residents/"

    def make(n):
        return {"name": "王建国", "id_number": dataset.resident_id_number(20_000_000 + n), "committee": committee.code,
                "address": f"压测路{n % 997}号", "phone": f"139{n % 100000000:08d}"}
    base = int(time.time()) % 1_000_000 * 1000
    for i in range(5):
        response = client.post(path, make(base + i), content_type="application/json")
        assert response.status_code == 201, response.content[:400]
    t = time.perf_counter()
    for i in range(5, 5 + args.repeat):
        client.post(path, make(base + i), content_type="application/json")
    plain = (time.perf_counter() - t) / args.repeat * 1000
    profile = cProfile.Profile()
    profile.enable()
    for i in range(10_000, 10_000 + args.repeat):
        client.post(path, make(base + i), content_type="application/json")
    profile.disable()
    print(f"{connection.vendor}: {plain:.2f} ms per create (unprofiled, in-process)")
    pstats.Stats(profile).sort_stats(args.sort).print_stats(args.limit)


if __name__ == "__main__":
    main()
