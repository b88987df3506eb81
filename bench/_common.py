"""Helpers shared by the spine benchmarks: timing, result lines, agent folders, hub keys.

Benchmarks are scripts, not tests: they print what they measured next to a
baseline measured in the same run, and never assert timings.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, TypeVar

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

R = TypeVar("R")


def machine() -> str:
    """One line saying where the numbers come from (they mean nothing without it)."""
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {platform.system()}"
    )


def header(title: str, **params: Any) -> None:
    """The run's title, machine, parameters, and how fast one core is right now (the CPU
    probe: this shared VM's speed drifts, so every number is read with it)."""
    print(f"== {title}")
    print(f"   machine: {machine()}")
    if params:
        print("   " + ", ".join(f"{k}={v}" for k, v in params.items()))
    print(f"   {load_note()}")


def load_note() -> str:
    """CPU probe and load average, to print beside a measurement."""
    return f"cpu probe {cpu_probe_ms():.0f} ms, load average {os.getloadavg()[0]:.2f}"


def ratio_line(label: str, ours: float, anchor: float, target: float, anchor_name: str) -> bool:
    """Print ours vs an anchor as a cost ratio (our time / the anchor's; lower is better)."""
    ratio = ours / anchor if anchor > 0 else float("inf")
    met = ratio <= target
    print(
        f"{label}: ours {ours:.2f} s, {anchor_name} {anchor:.2f} s -> {ratio:.2f}x "
        f"(target <= {target}x: {'MET' if met else 'MISSED'})"
    )
    return met


def timed(fn: Callable[[], R]) -> tuple[float, R]:
    """Wall seconds of ``fn()`` and its result."""
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def speed_ratio(label: str, ours: float, baseline: float, target: float, base_name: str) -> bool:
    """Print ours vs baseline as a speed ratio (baseline time / our time; higher is better)."""
    ratio = baseline / ours if ours > 0 else float("inf")
    met = ratio >= target
    print(
        f"{label}: ours {ours:.2f} s, {base_name} {baseline:.2f} s -> {ratio:.2f}x of {base_name}'s speed "
        f"(target >= {target}x: {'MET' if met else 'MISSED'})"
    )
    return met


def interleave(repeat: int, sides: dict[str, Callable[[], float]]) -> dict[str, float]:
    """Run each side once per round, ``repeat`` rounds (a drifting machine hits all sides
    alike); the best seconds of each side."""
    runs: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(repeat):
        for name, fn in sides.items():
            runs[name].append(fn())
    return {name: min(times) for name, times in runs.items()}


def limit_line(label: str, seconds: float, limit: float) -> bool:
    met = seconds < limit
    print(f"{label}: {seconds:.2f} s (target < {limit} s: {'MET' if met else 'MISSED'})")
    return met


def run_quiet(argv: list[str], **kw: Any) -> subprocess.CompletedProcess:
    r = subprocess.run(argv, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise RuntimeError(
            f"{' '.join(argv)} exited {r.returncode}:\n{r.stdout[-2000:]}{r.stderr[-2000:]}"
        )
    return r


# ------------------------------------------------------------------ load beside the benchmark


def add_background_arg(ap: Any) -> None:
    """``--background N``: the same run under load (ratios are reported idle and loaded)."""
    ap.add_argument(
        "--background",
        type=int,
        default=0,
        metavar="N",
        help="run N busy processes (each keeps one core busy) beside the benchmark and its "
        "anchors, as when another program shares the machine; 0 = idle (default)",
    )


@contextmanager
def background(n: int) -> Iterator[None]:
    """N processes that each spin one core for as long as the block runs; stopped by PID."""
    procs = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"], stdin=subprocess.DEVNULL)
        for _ in range(n)
    ]
    if n:
        time.sleep(0.2)  # let them reach the scheduler before the first measurement
        print(f"   background: {n} busy process(es), PIDs {', '.join(str(p.pid) for p in procs)}")
    try:
        yield
    finally:
        for p in procs:
            p.kill()
            p.wait()


@contextmanager
def started(server: Any) -> Iterator[Any]:
    """Start a tests.servers server and always stop it (by its PID) afterwards."""
    try:
        yield server.start()
    finally:
        server.stop()


# ------------------------------------------------------------------ hub keys and agent folders


@dataclass
class HubKeyPair:
    seal_private: Any
    signing_private: Any

    @classmethod
    def generate(cls) -> HubKeyPair:
        from shared import keys

        return cls(keys.generate_sealing_key(), keys.generate_signing_key())

    @property
    def seal_b64(self) -> str:
        from shared import keys

        return keys.public_b64(self.seal_private)

    @property
    def signing_b64(self) -> str:
        from shared import keys

        return keys.public_b64(self.signing_private)


@dataclass
class AgentFolder:
    dir: Path
    config_path: Path
    ssh_public_key: str
    signing_public_key: str


def make_agent(
    folder: Path,
    reseller_id: str,
    url: str,
    datasets: list[dict[str, Any]],
    *,
    seal_b64: str,
    signing_b64: str,
    hub_host: str = "127.0.0.1",
    hub_port: int = 22,
    username: Optional[str] = None,
    host_key: str = "SHA256:unset",
) -> AgentFolder:
    """An agent folder as `syncagent init` makes it: keys/ + syncagent.toml (state in ./state)."""
    from agent.setup import ensure_keys, render_config

    folder.mkdir(parents=True, exist_ok=True)
    handoff = ensure_keys(folder / "keys", reseller_id)
    blocks = "\n".join(
        "[[datasets]]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in d.items())
        for d in datasets
    )
    text = render_config(
        reseller_id=reseller_id,
        state_dir="state",
        url=url,
        hub_host=hub_host,
        hub_port=hub_port,
        hub_username=username,
        host_key=host_key,
        seal_key=seal_b64,
        signing_key=signing_b64,
        datasets=blocks,
    )
    cfg = folder / "syncagent.toml"
    cfg.write_text(text)
    return AgentFolder(folder, cfg, handoff.ssh_public_key, handoff.signing_public_key)


# ------------------------------------------------------------------ source tables

ITEMS_DATASET = {"name": "items", "table": "items", "key": ["id"]}

PG_ITEMS_DDL = (
    "CREATE TABLE items (id bigint PRIMARY KEY, sku text NOT NULL, name text, "
    "price numeric(12,2), stock integer, updated_at timestamptz NOT NULL)"
)
PG_ITEMS_FILL = (
    "INSERT INTO items SELECT g, 'SKU-' || lpad(g::text, 8, '0'), "
    "'Product ' || g || ' kabel HDMI 2m', (g %% 100000) / 100.0 + 1, g %% 500, "
    "timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second' "
    "FROM generate_series(%s::bigint, %s::bigint) g"
)


def pg_items(dsn: str, rows: int) -> None:
    """A 1M-row-style `items` table (≈ 85 bytes per row as COPY text) filled server-side."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as con:
        con.execute("DROP TABLE IF EXISTS items")
        con.execute(PG_ITEMS_DDL)
        step = 1_000_000
        for a in range(1, rows + 1, step):
            con.execute(PG_ITEMS_FILL, (a, min(a + step - 1, rows)))
        con.execute("VACUUM ANALYZE items")


def pg_copy_anchors(pg: Any, source_db: str, work: Path) -> dict[str, float]:
    """The plain copies a user could script, of the source's `items` into a fresh keyed table
    on the same server, timed from process start to exit: ``pg_dump --data-only | psql`` and
    ``pg_dump -Fc`` + ``pg_restore --data-only``; {name: seconds}. The target table (same
    columns, same primary key) is emptied before each."""
    import psycopg

    target = "anchor_copy"
    with psycopg.connect(pg.dsn("postgres"), autocommit=True) as con:
        if not con.execute("SELECT 1 FROM pg_database WHERE datname = %s", (target,)).fetchone():
            con.execute(f'CREATE DATABASE "{target}"')

    def empty_target() -> None:
        with psycopg.connect(pg.dsn(target), autocommit=True) as con:
            con.execute("DROP TABLE IF EXISTS items")
            con.execute(PG_ITEMS_DDL)

    env = pg.psql_env
    empty_target()
    start = time.perf_counter()
    dump = subprocess.Popen(
        ["pg_dump", "--data-only", "-t", "items", source_db], stdout=subprocess.PIPE, env=env
    )
    load = subprocess.run(
        ["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", "-d", target],
        stdin=dump.stdout,
        capture_output=True,
        text=True,
        env=env,
    )
    assert dump.stdout is not None
    dump.stdout.close()
    if dump.wait() != 0 or load.returncode != 0:
        raise RuntimeError(f"pg_dump | psql failed: {load.stderr[-2000:]}")
    piped = time.perf_counter() - start

    empty_target()
    archive = work / "anchor.dump"
    start = time.perf_counter()
    run_quiet(["pg_dump", "-Fc", "-t", "items", "-f", str(archive), source_db], env=env)
    run_quiet(["pg_restore", "--data-only", "-d", target, str(archive)], env=env)
    custom = time.perf_counter() - start
    archive.unlink()
    return {"pg_dump | psql": piped, "pg_dump -Fc + pg_restore": custom}


def mariadb_items(server: Any, database: str, rows: int) -> None:
    """The same table on MariaDB, filled server-side from the Sequence engine (seq_1_to_N)."""
    with server.connect(database) as con, con.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS items")
        cur.execute(
            "CREATE TABLE items (id bigint PRIMARY KEY, sku varchar(32) NOT NULL, name varchar(200), "
            "price decimal(12,2), stock int, updated_at datetime(0) NOT NULL) ENGINE=InnoDB"
        )
        step = 500_000
        for a in range(1, rows + 1, step):
            b = min(a + step - 1, rows)
            cur.execute(
                f"INSERT INTO items SELECT seq, CONCAT('SKU-', LPAD(seq, 8, '0')), "
                f"CONCAT('Product ', seq, ' kabel HDMI 2m'), (seq % 100000) / 100.0 + 1, seq % 500, "
                f"TIMESTAMP '2024-01-01 00:00:00' + INTERVAL seq SECOND FROM seq_{a}_to_{b}"
            )
        cur.execute("ANALYZE TABLE items")


def peak_rss_mib() -> float:
    """This process's peak resident set (VmHWM) in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def tree_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its descendants, from /proc (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, IndexError, ValueError):
            continue
    return total


def cpu_probe_ms() -> float:
    """Milliseconds one core takes for a fixed interpreter workload (JSON round trips and
    Decimal sums, like a request's), best of three. This VM's speed drifts by up to 2x
    within minutes: a throughput is read together with the probe taken beside it."""
    from decimal import Decimal

    doc = {
        "lines": [
            {"sku": f"SKU-{i:03d}", "quantity": i, "price": str(Decimal(i) / 7)} for i in range(20)
        ]
    }
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(2000):
            back = json.loads(json.dumps(doc))
            sum((Decimal(line["price"]) * line["quantity"] for line in back["lines"]), Decimal(0))
        best = min(best, time.perf_counter() - start)
    return best * 1000


@contextmanager
def statement_log(engine: Any, enabled: bool) -> Iterator[list[tuple[float, str]]]:
    """Collect (seconds, SQL) of every statement the engine runs while enabled."""
    from sqlalchemy import event

    log: list[tuple[float, str]] = []
    if not enabled:
        yield log
        return

    def before(
        conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool
    ) -> None:
        conn.info["bench_t"] = time.perf_counter()

    def after(
        conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool
    ) -> None:
        log.append((time.perf_counter() - conn.info.pop("bench_t"), " ".join(statement.split())))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield log
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def print_statements(log: list[tuple[float, str]], took: float, top: int = 8) -> None:
    """The slowest statements of ``log``, then what ``took`` spent outside them."""
    for secs, stmt in sorted(log, reverse=True)[:top]:
        print(f"       {secs:7.3f} s  {stmt[:150]}")
    sql_time = sum(t for t, _ in log)
    print(
        f"       {took - sql_time:7.3f} s  (outside SQLAlchemy statements: COPY, reading parts, Python)"
    )
