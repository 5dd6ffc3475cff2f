"""``python -m bench``: generate a landlord at real scale, measure against baselines, write the results."""

from __future__ import annotations

import json
import os
import platform
import re
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text
from sqlmodel import Session

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
DAY = date(2026, 1, 1)
PERIOD = (date(2025, 1, 1), date(2025, 12, 31))
ORM_SAMPLE = 1000
#: Timed runs of batch eligibility and of the indicators, after one run warming the caches (SQL
#: compilation, the database's pages) as a server or a command run twice has them: the median
#: is reported, and the first run beside it.
REPEAT = 3
#: Alternate Core and ORM runs of the bulk comparison (each under a second: the median of 5).
BULK_REPEAT = 5
SECONDS = float(os.environ.get("THEMA_BENCH_SECONDS", "4"))
CONCURRENCY = int(os.environ.get("THEMA_BENCH_CONCURRENCY", "4"))


def log(message: str) -> None:
    """Progress on stderr."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def machine(pg_url: str | None) -> dict[str, Any]:
    """CPU model, cores, RAM, Python, SQLite and PostgreSQL versions."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    pg = None
    if pg_url:
        engine = create_engine(pg_url)
        with engine.connect() as conn:
            pg = str(conn.execute(text("SHOW server_version")).scalar_one())
        engine.dispose()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(ram, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": pg,
        "platform": platform.platform(),
    }


# -- databases ------------------------------------------------------------------------------------
def sqlite_url(workdir: Path) -> str:
    """A fresh SQLite file."""
    return f"sqlite:///{workdir / 'bench.db'}"


def postgres_url(base: str) -> str:
    """A fresh database on the PostgreSQL server of ``base``."""
    name = f"thema_bench_{os.getpid()}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.rsplit("/", 1)[0] + "/" + name


def drop_postgres(base: str, url: str) -> None:
    """Drop the benchmark database."""
    name = url.rsplit("/", 1)[1]
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


# -- HTTP -------------------------------------------------------------------------------------------
def free_port() -> int:
    """A free loopback port."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A uvicorn process serving an ASGI factory on a loopback port."""

    def __init__(self, factory: str, env: dict[str, str]) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                factory,
                "--port",
                str(self.port),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            cwd=ROOT,
            env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
        )
        import httpx

        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                httpx.post(self.url, json={"query": "{ __typename }"}, timeout=2)
                return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{factory} did not start")

    @property
    def url(self) -> str:
        """The GraphQL endpoint."""
        return f"http://127.0.0.1:{self.port}/graphql"

    def peak_rss_mb(self) -> float:
        """Peak resident memory of the server process."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM"):
                return round(int(line.split()[1]) / 1024, 1)
        return 0.0

    def stop(self) -> None:
        """Stop the process."""
        self.proc.terminate()
        self.proc.wait(timeout=20)


TOKEN: dict[str, str] = {}


def load(url: str, query: str, variables: dict[str, Any] | None, workdir: Path) -> dict[str, Any]:
    """Run the load generator in another process against ``url``."""
    body = workdir / "body.json"
    body.write_text(json.dumps({"query": query, "variables": variables or {}}))
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.load",
            url,
            str(body),
            "--seconds",
            str(SECONDS),
            "--concurrency",
            str(CONCURRENCY),
            "--token",
            TOKEN.get("secret", ""),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    result = (
        json.loads(out.stdout.strip().splitlines()[-1])
        if out.stdout.strip()
        else {"error": out.stderr[-500:]}
    )
    if "error" in result:
        raise RuntimeError(f"load failed on {url}: {result['error']}")
    return dict(result)


def page_query(codes: list[str]) -> str:
    """The households page: 50 households, members, current unit, a verdict per scheme."""
    verdicts = " ".join(
        f'v_{c}: eligibility(scheme: "{c}") {{ status criteria {{ code outcome }} }}' for c in codes
    )
    return (
        "query Page($org: ID) { households(organisationId: $org, first: 50) { nodes { id reference "
        "members { firstName role birthDate activity } currentOccupancy { unit { label site { name } } } "
        f"{verdicts} }} }} }}"
    )


#: Rounds of the HTTP measures: each round loads every server once, in turn, so that a page and
#: its baselines meet the same moments of a noisy machine; each figure is the median of its rounds.
ROUNDS = int(os.environ.get("THEMA_BENCH_ROUNDS", "5"))


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run of median requests per second, with every round's rate beside it."""
    ordered = sorted(runs, key=lambda r: r["rps"])
    return {**ordered[len(ordered) // 2], "rounds_rps": [r["rps"] for r in runs]}


def http_figures(url: str, codes: list[str], landlord: int, workdir: Path) -> dict[str, Any]:
    """Households page over HTTP against bare strawberry and the same page from memory.

    Every server runs for the whole measure; ``ROUNDS`` rounds load each of them in turn.
    """
    from bench.servers import ITEMS_QUERY, SCHEMES_QUERY
    from core.graphql.relay import to_global_id

    TOKEN["secret"] = bench_token(url, landlord)
    env = {
        # One client hammering one worker: the per-token rate limit would measure itself.
        "THEMA_RATE_LIMIT_PER_SECOND": "0",
        "THEMA_DATABASE_URL": url,
        "THEMA_FIXED_TODAY": DAY.isoformat(),
        "THEMA_ENVIRONMENT": "development",
        "THEMA_LOAD_ENTRYPOINT_PLUGINS": "false",
    }
    variables = {"org": to_global_id("Organisation", landlord)}
    query = page_query(codes)
    servers: dict[str, Server] = {}
    try:
        servers["ours"] = ours = Server("core.app:factory", env)
        import httpx

        page = httpx.post(
            ours.url,
            json={"query": query, "variables": variables},
            headers={"authorization": f"Bearer {TOKEN['secret']}"},
            timeout=60,
        ).json()
        if page.get("errors"):
            raise RuntimeError(f"page query failed: {page['errors'][:2]}")
        (workdir / "page.json").write_text(json.dumps(page["data"]))
        servers["memory"] = Server(
            "bench.servers:memory_page", {**env, "THEMA_BENCH_PAGE": str(workdir / "page.json")}
        )
        servers["bare"] = Server("bench.servers:bare", env)
        servers["bare_default"] = Server("bench.servers:bare_default", env)
        measures = {
            "page": ("ours", query, variables),
            "memory_page": ("memory", query, variables),
            "bare_items": ("bare", ITEMS_QUERY, None),
            "ours_schemes": ("ours", SCHEMES_QUERY, None),
            "bare_schemes": ("bare", SCHEMES_QUERY, None),
            "bare_items_default": ("bare_default", ITEMS_QUERY, None),
        }
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in measures}
        for round_ in range(ROUNDS):
            log(f"HTTP: round {round_ + 1} of {ROUNDS} (page, from memory, bare strawberry, scheme lists)")
            for name, (server, q, v) in measures.items():
                runs[name].append(load(servers[server].url, q, v, workdir))
        out: dict[str, Any] = {name: _median_run(r) for name, r in runs.items()}
        out["server_peak_rss_mb"] = servers["ours"].peak_rss_mb()
        out["bare_peak_rss_mb"] = servers["bare"].peak_rss_mb()
    finally:
        for server in servers.values():
            server.stop()
    return out


def ceiling_figures(url: str, codes: list[str], landlord: int) -> dict[str, Any]:
    """The page in process, without and with verdicts, against one SQL statement building it."""
    from bench.ceiling import PLAIN_PAGE, sql_ceiling_ms, stack_page_ms
    from core.graphql.relay import to_global_id

    sql_ms, households = sql_ceiling_ms(url, landlord, DAY)
    pages = stack_page_ms(
        url,
        TOKEN["secret"],
        DAY,
        {"org": to_global_id("Organisation", landlord)},
        {"plain": PLAIN_PAGE, "verdicts": page_query(codes)},
    )
    return {
        "sql_ms": sql_ms,
        "sql_households": households,
        "page_plain_ms": pages["plain"],
        "page_ms": pages["verdicts"],
        "plain_vs_sql": round(pages["plain"] / sql_ms, 1),
        "page_vs_sql": round(pages["verdicts"] / sql_ms, 1),
    }


def bench_token(url: str, landlord: int) -> str:
    """A bearer token of the big landlord's administrator, when the deployment has tokens."""
    try:
        from core.auth import create_token
        from core.models import Role  # type: ignore[attr-defined]
    except ImportError:
        return ""
    from core.db import make_engine

    engine = make_engine(url)
    with Session(engine) as session:
        secret, _ = create_token(session, organisation_id=landlord, role=Role.ADMIN, label="bench")
        session.commit()
    engine.dispose()
    return secret


# -- in-process measurements --------------------------------------------------------------------
def startup_seconds(url: str) -> dict[str, float]:
    """Seconds to import and build the app (create_app) in a fresh process, and create_app alone."""
    code = (
        "import time; t0 = time.perf_counter()\n"
        "from core.app import create_app; from core.settings import Settings\n"
        "t1 = time.perf_counter()\n"
        f"create_app(Settings(database_url={url!r}, load_entrypoint_plugins=False))\n"
        "t2 = time.perf_counter()\n"
        "import strawberry\n"
        "t3 = time.perf_counter()\n"
        "@strawberry.type\nclass Q:\n    x: int = 1\n"
        "strawberry.Schema(query=Q)\n"
        "t4 = time.perf_counter()\n"
        "print(t2 - t0, t2 - t1, t4 - t3)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=True,
    )
    total, build, bare = (float(x) for x in out.stdout.split())
    return {
        "import_and_create_app_s": round(total, 3),
        "create_app_s": round(build, 3),
        "bare_schema_s": round(bare, 4),
    }


def run_backend(name: str, url: str, workdir: Path) -> dict[str, Any]:
    """Every measurement on one database."""
    from bench import baselines
    from bench.data import generate
    from core.contract import Period, ScopeKind
    from core.db import make_engine
    from core.migrate import upgrade
    from core.models import Household
    from core.plugins import build_registry
    from core.population import PopulationFrame
    from core.services import eligibility as elig
    from core.services import indicators
    from core.settings import Settings

    registry = build_registry(Settings(database_url=url, load_entrypoint_plugins=False))
    codes = sorted(registry.schemes)
    upgrade(url, registry)
    engine = make_engine(url)
    result: dict[str, Any] = {"backend": name}
    log(f"{name}: generating the world")
    started = time.perf_counter()
    with Session(engine) as session:
        world = generate(session, registry)
    result["generate_s"] = round(time.perf_counter() - started, 1)
    result["rows"] = world.counts
    result["bulk_generate_rows_per_s"] = round(world.bulk_rows / world.bulk_seconds)
    # A landlord's database in service has been vacuumed and analysed (autovacuum does both on
    # PostgreSQL), and SQLite's write-ahead log checkpointed: the world was just written in one
    # go, its pages still in the log and, on PostgreSQL, its rows' visibility not yet recorded.
    with engine.connect() as conn:
        if name == "sqlite":
            conn.execute(text("ANALYZE"))
            conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
            conn.commit()
        else:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM (ANALYZE)"))

    with Session(engine) as session:
        log(f"{name}: batch eligibility")
        population = select(Household.id)
        ids = [row[0] for row in session.execute(population)]

    def eligibility_run() -> tuple[float, dict[str, float], dict[str, dict[str, int]]]:
        """Five schemes over the whole population, in a session of its own (as a command has)."""
        per_scheme: dict[str, float] = {}
        decided = {}
        with Session(engine) as own:
            started = time.perf_counter()
            # The population's shared facts are computed once for the five schemes (core.population).
            with PopulationFrame(own, population, DAY) as frame:
                _ = frame.facts
                per_scheme["shared facts"] = round(time.perf_counter() - started, 3)
                for code in codes:
                    t = time.perf_counter()
                    decided[code] = elig.decide(own, registry, code, population, DAY, None, frame)
                    per_scheme[code] = round(time.perf_counter() - t, 3)
            elapsed = time.perf_counter() - started
        statuses: dict[str, dict[str, int]] = {}
        for code, decisions in decided.items():  # reporting, outside the measure
            counts: dict[str, int] = {}
            for d in decisions:
                counts[d.status.value] = counts.get(d.status.value, 0) + 1
            statuses[code] = counts
        return elapsed, per_scheme, statuses

    first = eligibility_run()[0]
    runs = sorted((eligibility_run() for _ in range(REPEAT)), key=lambda r: r[0])
    set_based, per_scheme, statuses = runs[len(runs) // 2]
    with Session(engine) as session:
        log(f"{name}: eligibility ORM loop on a sample of {ORM_SAMPLE}")
        sample = ids[:: max(1, len(ids) // ORM_SAMPLE)][:ORM_SAMPLE]
        orm = {code: baselines.eligibility_orm_loop(session, registry, code, sample, DAY) for code in codes}
        orm_total = sum(orm.values()) * len(ids) / len(sample)
        result["eligibility"] = {
            "households": len(ids),
            "schemes": codes,
            "set_based_s": round(set_based, 3),
            "set_based_first_run_s": round(first, 3),
            "per_scheme_s": per_scheme,
            "statuses": statuses,
            "orm_sample": len(sample),
            "orm_sample_s": round(sum(orm.values()), 3),
            "orm_extrapolated_s": round(orm_total, 1),
            "speedup": round(orm_total / set_based, 1),
        }

        log(f"{name}: indicators")
        period = Period(*PERIOD)
        orm_ind = baselines.indicators_orm_loop(session, registry, world.landlord_id, period)

    def indicators_run() -> tuple[float, int]:
        """Every indicator of the landlord, in a session of its own (as a request has)."""
        with Session(engine) as own:
            started = time.perf_counter()
            computed = indicators.compute(own, registry, ScopeKind.ORGANISATION, world.landlord_id, period)
            return time.perf_counter() - started, len(computed)

    first_ind, count = indicators_run()
    sql_s = sorted(indicators_run()[0] for _ in range(REPEAT))[REPEAT // 2]
    result["indicators"] = {
        "count": count,
        "sql_s": round(sql_s, 3),
        "sql_first_run_s": round(first_ind, 3),
        "orm_loop_s": round(sum(orm_ind.values()), 3),
        "orm_loop_per_scheme_s": {k: round(v, 3) for k, v in orm_ind.items()},
        "speedup": round(sum(orm_ind.values()) / sql_s, 1),
    }
    engine.dispose()
    log(f"{name}: start-up")
    result["startup"] = startup_seconds(url)
    log(f"{name}: HTTP")
    result["http"] = http_figures(url, codes, world.landlord_id, workdir)
    log(f"{name}: the page against its SQL ceiling, in process")
    result["ceiling"] = ceiling_figures(url, codes, world.landlord_id)
    log(f"{name}: bulk loading vs ORM")
    result["bulk"] = bulk_figures(url, world.landlord_id)
    result["bench_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return result


def bulk_figures(url: str, landlord: int) -> dict[str, Any]:
    """Core bulk loading against the ORM, in a process of its own (``bench.bulk``).

    As an import command runs: Python's default garbage collector over a small heap. In this
    process the world's objects and the in-process app's settings would weigh on the ORM's
    allocations, one way or the other, by half.
    """
    done = subprocess.run(
        [sys.executable, "-m", "bench.bulk", url, str(landlord), str(BULK_REPEAT)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench.bulk failed: {done.stderr[-2000:]}")
    figures: dict[str, Any] = json.loads(done.stdout)
    return figures


# -- report -------------------------------------------------------------------------------------------
def ratios(r: dict[str, Any]) -> dict[str, Any]:
    """The headline ratios of one backend against its baselines."""
    h = r["http"]

    def paired(a: str, b: str) -> float:
        """The median over rounds of ``a``'s rate over ``b``'s measured in the same round."""
        ra, rb = h[a].get("rounds_rps", [h[a]["rps"]]), h[b].get("rounds_rps", [h[b]["rps"]])
        each = sorted(x / y for x, y in zip(ra, rb, strict=True))
        return round(each[len(each) // 2], 3)

    return {
        "page_vs_memory": paired("page", "memory_page"),
        "page_vs_bare_items": paired("page", "bare_items"),
        "stack_vs_bare_same_query": paired("ours_schemes", "bare_schemes"),
        "eligibility_speedup": r["eligibility"]["speedup"],
        "indicators_speedup": r["indicators"]["speedup"],
        "bulk_speedup": round(r["bulk"]["core_rows_per_s"] / r["bulk"]["orm_rows_per_s"], 1),
    }


GOALS = {
    "page_vs_memory": ("≥ 0.50", lambda v: v >= 0.5),
    "page_vs_bare_items": ("≥ 0.12", lambda v: v >= 0.12),
    "stack_vs_bare_same_query": ("≥ 0.85", lambda v: v >= 0.85),
    "eligibility_speedup": ("≥ 10×", lambda v: v >= 10),
    "indicators_speedup": ("≥ 10×", lambda v: v >= 10),
    "bulk_speedup": ("≥ 10×", lambda v: v >= 10),
}


def markdown(results: dict[str, Any]) -> str:
    """The results table with the machine it ran on."""
    m = results["machine"]
    lines = [
        f"Measured {results['date']} on {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM; "
        f"Python {m['python']}, SQLite {m['sqlite']}, PostgreSQL {m['postgresql'] or 'not measured'}. "
        "Ratios are against baselines run in the same process and the same minute (the machine is noisy).",
        "",
    ]
    backends = results["backends"]
    header = "| measure | goal | " + " | ".join(b["backend"] for b in backends) + " |"
    lines += [header, "| --- | --- | " + " | ".join("---" for _ in backends) + " |"]

    def row(label: str, goal: str, cells: list[str]) -> None:
        lines.append(f"| {label} | {goal} | " + " | ".join(cells) + " |")

    rs = [ratios(b) for b in backends]
    mark = {k: lambda v, k=k: f"{v}{' ✅' if GOALS[k][1](v) else ' ❌'}" for k in GOALS}
    row(
        "households page (50, members, unit, 5 verdicts) req/s · p50 / p90 ms",
        "",
        [
            f"{b['http']['page']['rps']} · {b['http']['page']['p50_ms']} / {b['http']['page']['p90_ms']}"
            for b in backends
        ],
    )
    row(
        "same page from memory req/s · p50 / p90 ms",
        "",
        [
            f"{b['http']['memory_page']['rps']} · {b['http']['memory_page']['p50_ms']}"
            f" / {b['http']['memory_page']['p90_ms']}"
            for b in backends
        ],
    )
    row(
        "bare strawberry, 100 objects × 5 fields req/s (caches / default)",
        "",
        [f"{b['http']['bare_items']['rps']} / {b['http']['bare_items_default']['rps']}" for b in backends],
    )
    row(
        "page / in-memory page",
        GOALS["page_vs_memory"][0],
        [mark["page_vs_memory"](r["page_vs_memory"]) for r in rs],
    )
    row(
        "page / bare strawberry 100 objects",
        GOALS["page_vs_bare_items"][0],
        [mark["page_vs_bare_items"](r["page_vs_bare_items"]) for r in rs],
    )
    row(
        "our stack / bare strawberry, same query (`schemes`)",
        GOALS["stack_vs_bare_same_query"][0],
        [
            f"{mark['stack_vs_bare_same_query'](r['stack_vs_bare_same_query'])}"
            f" ({b['http']['ours_schemes']['rps']} / {b['http']['bare_schemes']['rps']} req/s)"
            for r, b in zip(rs, backends, strict=True)
        ],
    )
    row(
        "page in process ms: without verdicts · with 5 verdicts · one SQL statement building it"
        " (no verdicts)",
        "",
        [
            f"{b['ceiling']['page_plain_ms']} · {b['ceiling']['page_ms']} · {b['ceiling']['sql_ms']}"
            if "ceiling" in b
            else "–"
            for b in backends
        ],
    )
    row(
        "page / SQL ceiling: without verdicts · with verdicts",
        "≤ 5× (beyond)",
        [
            f"{b['ceiling']['plain_vs_sql']}× · {b['ceiling']['page_vs_sql']}×"
            f"{' ✅' if b['ceiling']['plain_vs_sql'] <= 5 else ' ❌'}"
            if "ceiling" in b
            else "–"
            for b in backends
        ],
    )
    row(
        "eligibility, 100k households × 5 schemes: set-based s (median of 3 · first run)",
        "≤ 2 s",
        [
            f"{b['eligibility']['set_based_s']}{' ✅' if b['eligibility']['set_based_s'] <= 2 else ' ❌'}"
            f" · {b['eligibility'].get('set_based_first_run_s', '–')}"
            for b in backends
        ],
    )
    row(
        "eligibility: ORM loop s (extrapolated from a sample)",
        "",
        [
            f"{b['eligibility']['orm_extrapolated_s']}"
            f" ({b['eligibility']['orm_sample']} in {b['eligibility']['orm_sample_s']} s)"
            for b in backends
        ],
    )
    row(
        "eligibility speed-up",
        GOALS["eligibility_speedup"][0],
        [mark["eligibility_speedup"](r["eligibility_speedup"]) for r in rs],
    )
    row(
        "indicators of the 35,000-unit landlord (all schemes) s (median of 3 · first run)",
        "≤ 0.5 s",
        [
            f"{b['indicators']['sql_s']} ({b['indicators']['count']} indicators)"
            f"{' ✅' if b['indicators']['sql_s'] <= 0.5 else ' ❌'}"
            f" · {b['indicators'].get('sql_first_run_s', '–')}"
            for b in backends
        ],
    )
    row("indicators: ORM loop s", "", [str(b["indicators"]["orm_loop_s"]) for b in backends])
    row(
        "indicators speed-up",
        GOALS["indicators_speedup"][0],
        [mark["indicators_speedup"](r["indicators_speedup"]) for r in rs],
    )
    row(
        "bulk loading rows/s: Core / ORM unit of work (median of 5)",
        "",
        [f"{b['bulk']['core_rows_per_s']} / {b['bulk']['orm_rows_per_s']}" for b in backends],
    )
    row("bulk speed-up", GOALS["bulk_speedup"][0], [mark["bulk_speedup"](r["bulk_speedup"]) for r in rs])
    row(
        "world generation (516k rows, Core) s · rows/s",
        "",
        [f"{b['generate_s']} · {b['bulk_generate_rows_per_s']}" for b in backends],
    )
    row(
        "start-up: import + create_app s / create_app s / bare schema s",
        "",
        [
            f"{b['startup']['import_and_create_app_s']} / {b['startup']['create_app_s']}"
            f" / {b['startup']['bare_schema_s']}"
            for b in backends
        ],
    )
    row(
        "peak RSS MB: our server / bare strawberry server / bench process",
        "",
        [
            f"{b['http']['server_peak_rss_mb']} / {b['http']['bare_peak_rss_mb']} / {b['bench_peak_rss_mb']}"
            for b in backends
        ],
    )
    lines.append("")
    lines.append(
        f"HTTP: one uvicorn worker per server on a loopback port, load from another process (httpx, "
        f"{CONCURRENCY} concurrent requests, {SECONDS:.0f} s after 1 s of warm-up); every server runs "
        f"throughout and {ROUNDS} rounds load each in turn, the median round is reported, and each ratio "
        "is the median of its rounds' ratios. "
        "The ORM eligibility loop evaluates "
        "each household alone (its ORM row, facts and profile loaded per household) on an even sample, "
        "extrapolated to the population. Batch eligibility and indicators run in sessions of their own, "
        "once to warm the caches (compiled SQL, the database's pages) and then three times: the median "
        "is reported, the first run beside it. Bulk loading runs last, in a process of its own (as an "
        "import command does), 50,000 persons by Core against 5,000 ORM objects, alternately, each run "
        "rolled back."
    )
    return "\n".join(lines) + "\n"


def update_readme(table: str) -> None:
    """Replace the table between the bench markers of README.md (adding the section if absent)."""
    readme = ROOT / "README.md"
    content = readme.read_text(encoding="utf-8")
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    if start not in content:
        section = (
            "## Performance\n\n`make bench` generates a landlord at real scale "
            "(35,000 units, ~72,000 people; "
            "100,000 households in all) and measures it against baselines run in the same process; "
            "the latest results (`bench/results.md`, `bench/results.json`):\n\n"
            f"{start}\n{end}\n\n"
        )
        content = content.replace("## Configuration", section + "## Configuration", 1)
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    content = pattern.sub(lambda _: f"{start}\n{table}{end}", content)
    readme.write_text(content, encoding="utf-8")


#: The PostgreSQL server ``make bench`` uses when no URL is given: the local one, if it answers.
LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def postgres_base() -> str | None:
    """The server to run on: ``THEMA_BENCH_POSTGRES_URL``, ``THEMA_TEST_POSTGRES_URL``, else local.

    ``THEMA_BENCH_POSTGRES_URL=`` (empty) runs on SQLite only. A server that was asked for and
    does not answer stops the bench; the local one, not asked for, is only reported missing.
    """
    for name in ("THEMA_BENCH_POSTGRES_URL", "THEMA_TEST_POSTGRES_URL"):
        if name in os.environ:
            return os.environ[name] or None
    try:
        engine = create_engine(LOCAL_POSTGRES, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # no server here: SQLite only, said loudly
        log(f"no PostgreSQL at {LOCAL_POSTGRES} ({type(exc).__name__}): SQLite only")
        return None
    return LOCAL_POSTGRES


def main() -> None:
    """Run on SQLite, then on PostgreSQL (see ``postgres_base``); write the results."""
    pg_base = postgres_base()
    results: dict[str, Any] = {"date": date.today().isoformat(), "machine": machine(pg_base), "backends": []}
    with tempfile.TemporaryDirectory(prefix="thema-bench-") as tmp:
        workdir = Path(tmp)
        results["backends"].append(run_backend("sqlite", sqlite_url(workdir), workdir))
        if pg_base:
            url = postgres_url(pg_base)
            try:
                results["backends"].append(run_backend("postgresql", url, workdir))
            finally:
                drop_postgres(pg_base, url)
    for b in results["backends"]:
        b["ratios"] = ratios(b)
    (HERE / "results.json").write_text(
        json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    table = markdown(results)
    (HERE / "results.md").write_text("# thema benchmark\n\n" + table, encoding="utf-8")
    update_readme(table)
    print(table)


if __name__ == "__main__":
    main()
