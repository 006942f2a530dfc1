"""The cluster proof, for real on this machine: a PostgreSQL primary and a streaming replica made with
pg_basebackup, two gunicorn nodes on two ports, the task worker on Redis, and a load client spreading mixed traffic
over both nodes while it SIGKILLs one node and then the replica.

    .venv/bin/python bench/cluster.py [--seconds 90] [--phase-seconds 20] [--clients 6] [--rows 3000]

What it starts, all on loopback, all stopped at the end (only what it started):
- a PostgreSQL primary in a new cluster (initdb, port 55433, `wal_level=replica`) — or an existing server given
  by `--primary-url` that accepts replication connections from 127.0.0.1 — holding a small district dataset
  (`bench/dataset.py`, `--rows` residents, acceptance and grid cases);
- a streaming replica of it (`pg_basebackup -R -X stream`, port 55434, hot standby);
- two gunicorn nodes (ports 8201 and 8202, 2 workers each) with `DATABASE_REPLICA_URLS` set, the cache and the
  task queue on Redis (`REDIS_URL`, database 7 of the Redis at 127.0.0.1:6379, emptied first), uploaded files on
  one shared directory;
- the RQ worker (`manage.py rqworker --with-scheduler default`) and the schedule feeder (`run_worker
  --scheduler-only`).

First the mix runs on node A alone, then on both nodes (`--phase-seconds` each): the throughput of one node
and of two on this machine. The load client (threads, one keep-alive connection each) sends writes (grid reports, acceptance intakes, new
residents) and reads (the three API lists, Open311 GETs, the public figures) to both nodes in turn, as a load
balancer would; a node that refuses connections is taken out of the rotation, again as a balancer's health check
would. At 35 % of the run it SIGKILLs node B (master and workers), at 65 % the replica's postmaster. It records
every answer with the `X-Shequ-Read` header (where the reads were served) and the replica's lag every second.
Afterwards every acknowledged write (a 201 with its id) is looked up on the primary.

Figures (printed and saved as JSON): requests served per node and kind, acknowledged writes and how many are
missing on the primary (must be 0), reads served by the replica / the primary / the primary after a replica
failure, the replica lag seen (max, p95), 5xx answers (must be 0) and the requests the killed node lost in flight.
Exit status 1 when a check fails.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PG_PORT, REPLICA_PORT = 55433, 55434
NODE_PORTS = (8201, 8202)
DB_NAME = "shequ_cluster"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", flush=True)


def pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not found:
        raise SystemExit("PostgreSQL server binaries not found under /usr/lib/postgresql")
    return found[-1]


def as_postgres(args: list, **kw) -> subprocess.CompletedProcess:
    """Server programs refuse to run as root: run them as the postgres account when we are root."""
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *map(str, args)]
    return subprocess.run(list(map(str, args)), check=True, **kw)


class Postgres:
    """A primary (own cluster, or an existing server) and one streaming replica made from it."""

    def __init__(self, workdir: Path, primary_url: str = "", name: str = DB_NAME):
        self.workdir, self.own = workdir, not primary_url
        self.bin = pg_bin()
        self.primary_url = primary_url or f"postgres://postgres@127.0.0.1:{PG_PORT}/{name}"
        self.replica_url = ""
        self.replica_dir = workdir / "replica"
        self.replica_pid = 0
        self.settings = ""  # extra `-c name=value` options for both servers

    def _ctl(self, data: Path, *args, log_name: str):
        as_postgres([self.bin / "pg_ctl", "-D", data, "-l", self.workdir / log_name, "-w", *args],
                    stdout=subprocess.DEVNULL)

    def start_primary(self) -> None:
        if self.own:
            data = self.workdir / "primary"
            if not (data / "PG_VERSION").exists():  # a work directory kept from an earlier run is reused
                as_postgres([self.bin / "initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
                             "--locale=C.UTF-8"], stdout=subprocess.DEVNULL)
            opts = (f"-p {PG_PORT} -k {self.workdir} -c listen_addresses=127.0.0.1 -c wal_level=replica "
                    "-c max_wal_senders=5 -c max_connections=200 -c fsync=off -c synchronous_commit=on "
                    + self.settings)
            self._ctl(data, "-o", opts, "start", log_name="primary.log")
            log(f"primary: new cluster on 127.0.0.1:{PG_PORT}")
        import psycopg

        from urllib.parse import urlsplit

        parts = urlsplit(self.primary_url)
        admin = self.primary_url[: -len(parts.path)] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            name = parts.path.lstrip("/")
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')

    def start_replica(self) -> None:
        from urllib.parse import urlsplit

        parts = urlsplit(self.primary_url)
        self.replica_dir.mkdir(mode=0o700)
        if os.geteuid() == 0:
            shutil.chown(self.replica_dir, "postgres", "postgres")
        t = time.perf_counter()
        as_postgres([self.bin / "pg_basebackup", "-h", parts.hostname, "-p", parts.port or 5432,
                     "-U", parts.username or "postgres", "-D", self.replica_dir, "-R", "-X", "stream", "-c", "fast"],
                    stdout=subprocess.DEVNULL)
        log(f"replica: pg_basebackup in {time.perf_counter() - t:.1f} s")
        opts = (f"-p {REPLICA_PORT} -k {self.workdir} -c listen_addresses=127.0.0.1 -c hot_standby=on "
                "-c max_connections=200 -c fsync=off " + self.settings)
        self._ctl(self.replica_dir, "-o", opts, "start", log_name="replica.log")
        self.replica_pid = int((self.replica_dir / "postmaster.pid").read_text().split()[0])
        self.replica_url = f"postgres://postgres@127.0.0.1:{REPLICA_PORT}{parts.path}"
        log(f"replica: streaming on 127.0.0.1:{REPLICA_PORT} (postmaster {self.replica_pid})")

    def kill_replica(self) -> None:
        os.kill(self.replica_pid, signal.SIGKILL)

    def stop(self) -> None:
        """Stops the servers this proof started (never an existing primary)."""
        for data, name in ((self.replica_dir, "replica.log"), (self.workdir / "primary", "primary.log")):
            if (data / "postmaster.pid").exists():
                try:
                    self._ctl(data, "-m", "immediate", "stop", log_name=name)
                except subprocess.CalledProcessError:
                    pass


class Lag:
    """Samples the replica's lag once a second (bytes of WAL not replayed, and seconds behind when behind)."""

    def __init__(self, primary_url: str, replica_url: str):
        self.primary_url, self.replica_url = primary_url, replica_url
        self.samples: list[dict] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        import psycopg

        while not self.stop.wait(1.0):
            try:
                with psycopg.connect(self.replica_url, connect_timeout=1, autocommit=True) as r, \
                        psycopg.connect(self.primary_url, connect_timeout=1, autocommit=True) as p:
                    replayed, behind_s = r.execute(
                        "SELECT pg_last_wal_replay_lsn()::text, COALESCE(EXTRACT(EPOCH FROM (clock_timestamp() "
                        "- pg_last_xact_replay_timestamp())), 0)").fetchone()
                    behind = p.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s::pg_lsn)",
                                       [replayed]).fetchone()[0]
                self.samples.append({"t": time.time(), "bytes": int(behind),
                                     "seconds": 0.0 if behind <= 0 else round(float(behind_s), 3)})
            except Exception:  # noqa: BLE001 — the replica is down: nothing to sample
                self.samples.append({"t": time.time(), "down": True})


class Node:
    def __init__(self, name: str, port: int, env: dict, workdir: Path):
        self.name, self.port, self.env, self.workdir = name, port, env, workdir
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "shequ.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
             "--workers", "2", "--timeout", "60", "--log-level", "warning", "--error-logfile",
             str(self.workdir / f"node-{self.name}.log")],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        return self

    def wait_ready(self, seconds: int = 240):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"node {self.name} exited; see {self.workdir}/node-{self.name}.log")
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", "/healthz/ping")
                if c.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise SystemExit(f"node {self.name} did not answer within {seconds} s")

    def kill(self):
        """SIGKILL to the master and its workers at once (the machine went away)."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


class Background:
    def __init__(self, args: list[str], env: dict, logfile: Path):
        self.proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=open(logfile, "w"), stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


# --- the dataset and the traffic -----------------------------------------------------------------------------------

def prepare(env: dict, rows: int) -> dict:
    """Migrate and build the dataset on the primary; return what the traffic needs (tokens, codes, a bounding box)."""
    os.environ.update(env)
    import district

    district.setup()
    import dataset
    import loadtest

    world = dataset.build(rows)
    plans = loadtest.scenarios(world)
    committee = plans["resident_create"]["env"]["BENCH_COMMITTEE"]
    return {"committee_token": plans["resident_create"]["env"]["BENCH_TOKEN"], "committee": committee,
            "patrol_token": plans["grid_case_create"]["env"]["BENCH_TOKEN"],
            "category": plans["grid_case_create"]["env"]["BENCH_CATEGORY"],
            "bbox": [float(v) for v in plans["grid_case_create"]["env"]["BENCH_BBOX"].split(",")],
            "clerk_token": plans["acceptance_case_create"]["env"]["BENCH_TOKEN"],
            "item": plans["acceptance_case_create"]["env"]["BENCH_ITEM"],
            "materials": [int(m) for m in plans["acceptance_case_create"]["env"]["BENCH_MATERIALS"].split(",")]}


SURNAMES = "王李张刘陈杨黄赵周吴"
GIVEN = ["建国", "秀英", "志强", "美华", "伟", "丽萍", "国强", "桂兰", "敏", "金妹"]


def requests_for(ctx: dict, n: int) -> tuple[str, str, str, dict | None, str]:
    """The n-th request of a client: (kind, method, path, body, token). Four writes in ten."""
    from dataset import resident_id_number

    # ID numbers of area 45xxxx: neither the dataset nor the wrk scripts use it.
    idn = resident_id_number(450_000_000_000 + n)
    pick = n % 10
    if pick in (0, 5):
        fx, fy = (n * 7919 % 1000) / 1000, (n * 104729 % 1000) / 1000
        x0, y0, x1, y1 = ctx["bbox"]
        return ("grid_report", "POST", "/api/v1/grid/cases/",
                {"category": ctx["category"], "description": f"集群演练上报{n}：人行道上堆放杂物",
                 "lat": round(y0 + (y1 - y0) * (0.02 + 0.96 * fy), 6),
                 "lng": round(x0 + (x1 - x0) * (0.02 + 0.96 * fx), 6), "address": f"演练路{n % 997}号"},
                ctx["patrol_token"])
    if pick == 2:
        return ("acceptance_intake", "POST", "/api/v1/acceptance/cases/",
                {"item": ctx["item"], "decision": "accept", "materials": ctx["materials"],
                 "applicant": {"name": "演练申请人", "id_number": idn, "phone": f"139{n % 100_000_000:08d}"}},
                ctx["clerk_token"])
    if pick == 7:
        return ("resident_create", "POST", "/api/v1/residents/",
                {"name": SURNAMES[n % 10] + GIVEN[n // 10 % 10], "id_number": idn, "committee": ctx["committee"],
                 "address": f"演练路{n % 997}号{n % 600 + 101}室", "phone": f"139{n % 100_000_000:08d}"},
                ctx["committee_token"])
    reads = [("residents_list", "/api/v1/residents/", ctx["committee_token"]),
             ("grid_list", "/api/v1/grid/cases/", ctx["patrol_token"]),
             ("acceptance_list", "/api/v1/acceptance/cases/", ctx["clerk_token"]),
             ("open311_requests", "/open311/v2/requests.json", ""),
             ("open311_services", "/open311/v2/services.json", ""),
             ("public_figures", "/cockpit/public/", "")]
    kind, path, token = reads[n % len(reads)]
    return kind, "GET", path, None, token


class Client(threading.Thread):
    def __init__(self, index: int, ctx: dict, balancer: "Balancer", stop: threading.Event, records: list):
        super().__init__(daemon=True)
        self.index, self.ctx, self.balancer, self.stop_event, self.records = index, ctx, balancer, stop, records
        self.conns: dict[int, http.client.HTTPConnection] = {}

    def run(self):
        n = self.index
        while not self.stop_event.is_set():
            kind, method, path, body, token = requests_for(self.ctx, n)
            n += 64
            port = self.balancer.pick()
            if port is None:
                break
            headers = {"Content-Type": "application/json", "Accept": "application/json"}
            if token:
                headers["Authorization"] = f"Token {token}"
            rec = {"t": time.time(), "port": port, "kind": kind, "method": method}
            started = time.perf_counter()
            try:
                conn = self.conns.get(port) or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                self.conns[port] = conn
                conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
                resp = conn.getresponse()
                payload = resp.read()
                rec.update(status=resp.status, read=resp.getheader("X-Shequ-Read", ""))
                if method == "POST" and resp.status == 201:
                    rec["id"] = json.loads(payload).get("id")
                elif resp.status >= 500:
                    rec["body"] = payload[:300].decode("utf-8", "replace")
                if resp.getheader("Connection", "").lower() == "close":
                    conn.close()
                    self.conns.pop(port, None)
            except (OSError, http.client.HTTPException) as exc:
                self.conns.pop(port, None)
                rec.update(status=0, error=type(exc).__name__)
                self.balancer.failed(port, exc)
            rec["ms"] = round((time.perf_counter() - started) * 1000, 2)
            self.records.append(rec)


class Balancer:
    """Round robin over the nodes that answer; a node refusing connections is out of the rotation."""

    def __init__(self, ports):
        self.ports, self.out, self.lock, self.i = list(ports), set(), threading.Lock(), 0
        self.only = None  # a port: the throughput phase of one node

    def phase(self, only):
        with self.lock:
            self.only = only

    def pick(self):
        with self.lock:
            live = [p for p in self.ports if p not in self.out and (self.only is None or p == self.only)]
            if not live:
                return None
            self.i += 1
            return live[self.i % len(live)]

    def failed(self, port, exc):
        if isinstance(exc, ConnectionRefusedError):
            with self.lock:
                self.out.add(port)


MODELS = {"grid_report": "grid_case", "acceptance_intake": "acceptance_case", "resident_create": "people_resident"}


def verify(primary_url: str, records: list) -> dict:
    import psycopg

    acknowledged = {kind: {r["id"] for r in records if r["kind"] == kind and r.get("id")} for kind in MODELS}
    missing = {}
    with psycopg.connect(primary_url) as conn:
        for kind, ids in acknowledged.items():
            found = set()
            if ids:
                found = {row[0] for row in conn.execute(f"SELECT id FROM {MODELS[kind]} WHERE id = ANY(%s)",
                                                        [list(ids)])}
            missing[kind] = len(ids - found)
    return {"acknowledged": {k: len(v) for k, v in acknowledged.items()}, "missing_on_primary": missing}


def summarise(records: list, kills: dict, lag: list, checked: dict, args) -> dict:
    t0 = min(r["t"] for r in records)
    by_kind: dict = {}
    for r in records:
        k = by_kind.setdefault(r["kind"], {"requests": 0, "ok": 0, "ms": []})
        k["requests"] += 1
        if 200 <= r.get("status", 0) < 300:
            k["ok"] += 1
            k["ms"].append(r["ms"])
    for k in by_kind.values():
        ms = sorted(k.pop("ms"))
        k["p50_ms"] = round(statistics.median(ms), 1) if ms else None
        k["p95_ms"] = round(ms[int(len(ms) * 0.95) - 1], 1) if len(ms) >= 20 else None
    killed_node = kills["node_port"]
    five = [r for r in records if r.get("status", 0) >= 500]
    lost = [r for r in records if r.get("status") == 0]
    lost_other = [r for r in lost if r["port"] != killed_node]
    reads = [r for r in records if r["method"] == "GET" and 200 <= r.get("status", 0) < 300]
    phases = {"before the node kill": (0, kills["node_at"]), "one node, replica up": (kills["node_at"],
                                                                                     kills["replica_at"]),
              "one node, replica down": (kills["replica_at"], float("inf"))}
    read_phases = {}
    for name, (a, b) in phases.items():
        rs = [r for r in reads if a <= r["t"] < b]
        read_phases[name] = {v: sum(1 for r in rs if r.get("read") == v) for v in ("replica", "primary",
                                                                                 "primary-retry")}
    up = [s for s in lag if not s.get("down")]
    lag_s = sorted(s["seconds"] for s in up)
    lag_b = sorted(s["bytes"] for s in up)
    return {
        "config": {"seconds": args.seconds, "clients": args.clients, "rows": args.rows, "nodes": len(NODE_PORTS),
                   "workers_per_node": 2, "load_avg_end": round(os.getloadavg()[0], 2)},
        "served": {"total": sum(1 for r in records if r.get("status", 0) > 0),
                   "per_node": {str(p): sum(1 for r in records if r["port"] == p and r.get("status", 0) > 0)
                                for p in NODE_PORTS},
                   "per_s": round(sum(1 for r in records if 200 <= r.get("status", 0) < 300)
                                  / max(1e-9, max(r["t"] for r in records) - t0), 1),
                   "by_kind": by_kind},
        "kills": {"node_killed_after_s": round(kills["node_at"] - t0, 1),
                  "replica_killed_after_s": round(kills["replica_at"] - t0, 1)},
        "writes": checked,
        "reads": read_phases,
        "replica_lag": {"samples": len(up), "max_s": max(lag_s, default=None),
                        "p95_s": lag_s[int(len(lag_s) * 0.95) - 1] if len(lag_s) >= 20 else None,
                        "max_bytes": max(lag_b, default=None)},
        "errors": {"5xx": len(five), "5xx_by_kind": {k: sum(1 for r in five if r["kind"] == k)
                                                     for k in sorted({r["kind"] for r in five})},
                   "5xx_samples": [r.get("body", "") for r in five[:3]],
                   "lost_at_killed_node": len(lost) - len(lost_other), "lost_elsewhere": len(lost_other),
                   "statuses": {str(s): sum(1 for r in records if r.get("status") == s)
                                for s in sorted({r.get("status", 0) for r in records})}},
    }


def _redis_default() -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    return urlunsplit(parts._replace(path="/7"))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=90)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--phase-seconds", type=int, default=20, help="each throughput phase (one node, two)")
    parser.add_argument("--rows", type=int, default=3000, help="residents, acceptance and grid cases each")
    parser.add_argument("--primary-url", default="", help="an existing primary (accepting replication) instead "
                                                          "of a new cluster")
    parser.add_argument("--redis-url", default=_redis_default(),
                        help="a Redis database the proof may empty (default: database 7 of REDIS_URL's server)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "cluster.json"))
    parser.add_argument("--keep", action="store_true", help="leave the work directory (logs, data) behind")
    args = parser.parse_args()

    import redis

    try:
        redis.Redis.from_url(args.redis_url, socket_connect_timeout=1).flushdb()
    except redis.exceptions.RedisError as exc:
        raise SystemExit(f"Redis at {args.redis_url} does not answer ({exc}); start one or pass --redis-url")

    workdir = Path(tempfile.mkdtemp(prefix="shequ-cluster."))
    os.chmod(workdir, 0o755)
    if os.geteuid() == 0:
        shutil.chown(workdir, "postgres", "postgres")
    media = workdir / "media"
    media.mkdir()
    pg = Postgres(workdir, args.primary_url)
    started: list = []
    try:
        pg.start_primary()
        base_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "shequ.settings", "SHEQU_DEV_SECRETS": "1",
                    "LOG_LEVEL": "WARNING", "SHEQU_PLAIN_STATIC": "1", "REQUIRE_2FA": "0",
                    "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost", "MEDIA_ROOT": str(media),
                    "PRIVATE_ROOT": str(workdir / "private"), "DATABASE_URL": pg.primary_url,
                    "REDIS_URL": args.redis_url, "TASKS_BACKEND": "rq", "CACHE_BACKEND": "redis"}
        base_env.pop("DEBUG", None)
        base_env.pop("SQLITE_PATH", None)
        t = time.perf_counter()
        ctx = prepare({k: v for k, v in base_env.items() if k not in ("TASKS_BACKEND",)}, args.rows)
        log(f"dataset on the primary in {time.perf_counter() - t:.0f} s")
        pg.start_replica()
        node_env = {**base_env, "DATABASE_REPLICA_URLS": pg.replica_url, "DATABASE_READ_HEADER": "1",
                    "DATABASE_REPLICA_MAX_LAG": "5"}
        worker = Background([str(ROOT / ".venv/bin/python"), "manage.py", "rqworker", "--with-scheduler",
                             "default"], node_env, workdir / "rqworker.log")
        started.append(worker)
        feeder = Background([str(ROOT / ".venv/bin/python"), "manage.py", "run_worker", "--scheduler-only"],
                            node_env, workdir / "scheduler.log")
        started.append(feeder)
        nodes = [Node(name, port, node_env, workdir).start() for name, port in zip("AB", NODE_PORTS)]
        started.extend(nodes)
        for node in nodes:
            node.wait_ready()
        log(f"nodes A :{NODE_PORTS[0]} and B :{NODE_PORTS[1]} answer; RQ worker and schedule feeder running")

        lag = Lag(pg.primary_url, pg.replica_url)
        lag.thread.start()
        records: list = []
        stop = threading.Event()
        balancer = Balancer(NODE_PORTS)
        clients = [Client(i, ctx, balancer, stop, records) for i in range(args.clients)]
        for c in clients:
            c.start()
        # Throughput: the same mix on node A alone, then on both nodes.
        throughput = {}
        for label, only in (("one node", NODE_PORTS[0]), ("two nodes", None)):
            balancer.phase(only)
            first = len(records)
            time.sleep(args.phase_seconds)
            window = [r for r in records[first:] if 200 <= r.get("status", 0) < 300]
            throughput[label] = round(len(window) / args.phase_seconds, 1)
            log(f"throughput, {label}: {throughput[label]}/s")
        kills = {"node_port": NODE_PORTS[1]}
        time.sleep(args.seconds * 0.35)
        nodes[1].kill()
        kills["node_at"] = time.time()
        log(f"node B SIGKILLed ({len(records)} requests so far)")
        time.sleep(args.seconds * 0.30)
        pg.kill_replica()
        kills["replica_at"] = time.time()
        log(f"replica SIGKILLed ({len(records)} requests so far)")
        time.sleep(args.seconds * 0.35)
        stop.set()
        for c in clients:
            c.join(60)
        lag.stop.set()
        log(f"load over: {len(records)} requests")
        checked = verify(pg.primary_url, records)
        from rq.registry import FailedJobRegistry, FinishedJobRegistry

        rconn = redis.Redis.from_url(args.redis_url)
        tasks = {"finished": len(FinishedJobRegistry("default", connection=rconn)),
                 "failed": len(FailedJobRegistry("default", connection=rconn))}
        result = summarise(records, kills, lag.samples, checked, args)
        result["when"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
        result["tasks_on_redis"] = tasks
        result["throughput_per_s"] = throughput
        ok = (sum(checked["missing_on_primary"].values()) == 0 and result["errors"]["5xx"] == 0
              and result["errors"]["lost_elsewhere"] == 0 and sum(checked["acknowledged"].values()) > 0
              and result["reads"]["before the node kill"]["replica"] > 0
              and sum(result["reads"]["one node, replica down"].values()) > 0
              and tasks["failed"] == 0 and tasks["finished"] > 0)
        result["passed"] = ok
        Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        print(json.dumps(result, ensure_ascii=False, indent=2))
        log(("PASSED" if ok else "FAILED") + f"; figures in {args.out}; logs in {workdir}")
        return 0 if ok else 1
    finally:
        for proc in reversed(started):
            proc.stop()
        pg.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
