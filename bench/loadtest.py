"""HTTP load on a real server: gunicorn + wrk, creation through the API beside a bare endpoint.

Called by `bench/run` (section `load`). It starts gunicorn on 127.0.0.1:<port> (default 8100, 2 workers) on the
benchmark database, issues API tokens to the personas, and runs wrk (Lua scripts in bench/wrk/) against
- `GET /healthz/ping`: a plain Django view returning a small JSON through the full middleware stack (no
  database, no authentication): the framework's ceiling on this server;
- `POST /api/v1/residents/` (committee worker, a fresh valid ID number per request: validation, encryption,
  hashes, pinyin, duplicate check, audit row);
- `POST /api/v1/grid/cases/` (patrol officer, coordinates inside the 街道: grid found by point-in-polygon,
  numbering, event, summary-table refresh, audit row);
- `POST /api/v1/acceptance/cases/` (window clerk, intake with every key material: numbering, working-day due
  date, materials, event, audit row).
Each creation run is bracketed by ping runs; the figure is its throughput as a share of the ping's and its p99.
The peak RSS (VmHWM) of every worker and its private part (RssAnon: the heap, without the database file pages
that SQLite maps and every worker shares with the page cache) are read from /proc when the runs are over. Only the server it started is
stopped.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WRK_DIR = ROOT / "bench" / "wrk"


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def _memory(pid: int) -> dict:
    values = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmHWM", "VmRSS", "RssAnon", "RssFile"):
                values[key] = round(int(rest.split()[0]) / 1024, 1)
    except OSError:
        pass
    return values


class Server:
    def __init__(self, *, port: int, workers: int, threads: int, env: dict, log: Path):
        self.port, self.workers, self.threads = port, workers, threads
        self.env, self.log = env, log
        self.proc = None

    def __enter__(self):
        args = [str(ROOT / ".venv" / "bin" / "gunicorn"), "shequ.wsgi:application", "--bind",
                f"127.0.0.1:{self.port}", "--workers", str(self.workers), "--log-level", "warning",
                "--error-logfile", str(self.log), "--timeout", "120"]
        if self.threads > 1:
            args += ["--threads", str(self.threads)]
        self.proc = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        # A loaded machine may take minutes to start the workers: wait longer, and never leave them behind.
        wait = int(os.environ.get("BENCH_SERVER_WAIT", "240"))
        deadline = time.time() + wait
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.proc.returncode}); see {self.log}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz/ping", timeout=2) as r:
                    if r.status == 200 and len(_children(self.proc.pid)) >= self.workers:
                        return self
            except OSError:
                pass
            time.sleep(0.3)
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(30)
        raise RuntimeError(f"gunicorn did not answer within {wait} s")

    def workers_memory(self) -> list[dict]:
        return [{"pid": pid, **_memory(pid)} for pid in _children(self.proc.pid)]

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def wrk(script: str, url: str, *, seconds: int, connections: int, threads: int, env: dict) -> dict:
    out = ROOT / "var" / f"bench-wrk-{os.getpid()}.json"
    out.unlink(missing_ok=True)
    run_env = {**os.environ, **env, "BENCH_WRK_DIR": str(WRK_DIR), "BENCH_OUT": str(out)}
    subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s",
                    "-s", str(WRK_DIR / script), url], env=run_env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    result = json.loads(out.read_text())
    out.unlink(missing_ok=True)
    result["per_s"] = round(result["requests"] / result["seconds"], 1)
    return result


def scenarios(world: dict) -> dict:
    """The creation scenarios and what their scripts need (tokens, codes, coordinates)."""
    from django.conf import settings

    from shequ.acceptance.models import ServiceItem
    from shequ.core import services as core
    from shequ.core.choices import NodeKind
    from shequ.core.models import Node
    from shequ.grid.models import Category

    users = world["users"]

    def token(username):
        return core.api_token_issue(user=users[username], ttl_hours=settings.API_TOKEN_TTL_HOURS)

    committee = users["bench_committee"].nodes.get()
    lngs, lats = [], []
    for geometry in Node.objects.filter(kind=NodeKind.GRID, code__startswith="310110015").values_list("geometry",
                                                                                                       flat=True):
        for x, y in geometry["coordinates"][0]:
            lngs.append(x)
            lats.append(y)
    category = Category.objects.filter(code="E0102").first() or Category.objects.order_by("code").first()
    item = next(i for i in ServiceItem.objects.filter(is_active=True, limit_days__gt=0).order_by("code")
                .prefetch_related("materials") if i.materials.all())
    return {
        "resident_create": {"script": "resident_create.lua", "path": "/api/v1/residents/",
                            "env": {"BENCH_TOKEN": token("bench_committee"), "BENCH_COMMITTEE": committee.code}},
        "grid_case_create": {"script": "grid_case_create.lua", "path": "/api/v1/grid/cases/",
                             "env": {"BENCH_TOKEN": token("bench_patrol"), "BENCH_CATEGORY": category.code,
                                     "BENCH_BBOX": f"{min(lngs)},{min(lats)},{max(lngs)},{max(lats)}"}},
        "acceptance_case_create": {"script": "acceptance_case_create.lua", "path": "/api/v1/acceptance/cases/",
                                   "env": {"BENCH_TOKEN": token("bench_clerk"), "BENCH_ITEM": item.code,
                                           "BENCH_MATERIALS": ",".join(str(m.pk) for m in item.materials.all())}},
    }


def run(world: dict, *, env: dict, port: int = 8100, workers: int = 2, threads: int = 1, seconds: int = 20,
        connections: int = 4, wrk_threads: int = 2, only: list[str] | None = None, log=print) -> dict:
    plans = scenarios(world)
    if only:
        plans = {k: v for k, v in plans.items() if k in only}
    base = int(time.time()) % 18_000_000 * 10_000  # see common.lua: distinct numbers per run
    url = f"http://127.0.0.1:{port}"
    results: dict = {"config": {"workers": workers, "threads": threads, "connections": connections,
                                "wrk_threads": wrk_threads, "seconds": seconds, "port": port}, "runs": {}}
    with Server(port=port, workers=workers, threads=threads, env=env,
                log=ROOT / "var" / "bench-gunicorn.log") as server:
        # Warm up every worker on every path (URL conf, grid index, catalogue caches).
        wrk("ping.lua", url + "/healthz/ping", seconds=2, connections=connections, threads=wrk_threads, env={})
        for name, plan in plans.items():
            wrk(plan["script"], url + plan["path"], seconds=2, connections=connections, threads=wrk_threads,
                env={**plan["env"], "BENCH_BASE": str(base)})
            base += 2_000_000
        pings = []

        def ping():
            r = wrk("ping.lua", url + "/healthz/ping", seconds=seconds, connections=connections, threads=wrk_threads,
                    env={})
            pings.append(r)
            log(f"    ping: {r['per_s']:,.0f}/s p99 {r['p99_ms']:.1f} ms (load {os.getloadavg()[0]:.1f})")
            return r

        ping()
        for name, plan in plans.items():
            r = wrk(plan["script"], url + plan["path"], seconds=seconds, connections=connections,
                    threads=wrk_threads, env={**plan["env"], "BENCH_BASE": str(base)})
            base += 2_000_000
            after = ping()
            before = pings[-2]
            r["ping_per_s"] = round((before["per_s"] + after["per_s"]) / 2, 1)
            r["ratio"] = round(r["per_s"] / r["ping_per_s"], 3)
            r["load_avg"] = round(os.getloadavg()[0], 2)
            results["runs"][name] = r
            log(f"    {name}: {r['per_s']:,.0f}/s = {r['ratio']:.2f}× ping, p99 {r['p99_ms']:.1f} ms, "
                f"non-2xx {r['non_2xx']}")
        results["ping"] = {"per_s": round(statistics.median(p["per_s"] for p in pings), 1),
                           "p99_ms": round(statistics.median(p["p99_ms"] for p in pings), 2), "runs": pings}
        results["workers"] = server.workers_memory()
    return results
