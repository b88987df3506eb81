"""Issue 17, acceptance 1: deploy/README.md followed literally, then used and abused.

The guide's blocks run as written (relocated under a temporary root, see
``deploykit``): a non-root hub user, PostgreSQL, the project's sshd config with
chroots on a real OpenSSH, the sudo rule for the account step, ``synchub init``,
then web + two ingest workers + jobs (+ sshd) started by one ``systemctl`` on a
fresh database. One reseller pushes through OpenSSH, one through the built-in
server beside it; both are merged and read their signed acks and offers; an
order file is answered within a minute; disable and rotate act on the OpenSSH
login at once; every hub process is killed with SIGKILL while snapshots and
order files are in flight, restarted, and nothing is lost or doubled.

Every block runs, step 2 included (a fresh ``/opt/synchub`` venv from the
system's ``python3``, ``pip install '.[hub]'``: the hub user must be able to run
it). Not run: the ``reseller add`` example, replaced by the command ``syncagent
init`` prints, as the guide says; the upgrade section.
"""

from __future__ import annotations

import base64
import datetime as dt
import grp
import json
import os
import pwd
import shlex
import sqlite3
import stat
import subprocess
import tempfile
import urllib.request
from decimal import Decimal
from pathlib import Path

import paramiko
import pytest
from sqlalchemy import func, select

from hub.catalog.models import PriceList, PriceListItem, Product
from hub.core.db import make_engine, session_factory, transaction
from hub.ingest.models import Snapshot
from hub.inventory import service as stock
from hub.merge import query
from hub.offers.models import Offer
from hub.orders.models import Order
from tests.deploy.deploykit import VENV, Deployment, Relocation, guide_blocks
from tests.servers import free_port, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.sshd, pytest.mark.slow]
SYNCAGENT = str(VENV / "bin" / "syncagent")
HUB_UNITS = ["synchub-web", "synchub-ingest@1", "synchub-ingest@2", "synchub-jobs"]


@pytest.fixture
def deployment(postgres_server):
    if os.geteuid() != 0:
        pytest.skip("the production install runs as root (users, chroots, sudo rule)")
    base = "/run" if os.access("/run", os.W_OK) else "/var/lib"
    root = Path(tempfile.mkdtemp(prefix="synchub-deploy-", dir=base))
    root.chmod(0o755)  # every path above a chroot: root-owned, not group/world-writable
    for present in ("usr/local/bin", "etc/systemd/system", "run"):  # on every Debian system
        (root / present).mkdir(parents=True, mode=0o755)
    (root / "tmp").mkdir()
    (root / "tmp").chmod(0o1777)
    prefix = f"d{os.urandom(2).hex()}-"
    sudoers = f"/etc/sudoers.d/synchub-test-{root.name.rsplit('-', 1)[-1]}"
    ports = {"2222": free_port(), "2223": free_port(), "8000": free_port()}
    pairs = {
        p: str(root) + p
        for p in (
            "/etc/synchub",
            "/var/lib/synchub",
            "/srv/synchub",
            "/usr/local/lib/synchub",
            "/usr/local/bin/synchub",
            "/etc/systemd/system",
            "/run/synchub-sftp.pid",
            "/run/synchub-metrics",
            "/tmp/",
        )
    }
    pairs.update({
        "/opt/synchub": str(root / "opt" / "synchub"),
        "/etc/sudoers.d/synchub": sudoers,
        "synchub@/synchub": f"synchub@{postgres_server.host}:{postgres_server.port}/synchub",
        "hub.example.co.id": "127.0.0.1",
        "0.0.0.0": "127.0.0.1",
        "=sh-": f"={prefix}",
        **{k: str(v) for k, v in ports.items()},
    })  # fmt: skip
    pg_env = {
        "PGHOST": postgres_server.host,
        "PGPORT": str(postgres_server.port),
        "PGUSER": "postgres",
    }
    d = Deployment(root, Relocation(pairs), pg_env)
    d.prefix, d.ports, d.pg_port = prefix, ports, postgres_server.port
    try:
        yield d
    finally:
        d.stop_all()
        for rid in ("toko-maju", "toko-lama"):
            subprocess.run(["pkill", "-KILL", "-u", prefix + rid], capture_output=True)
            subprocess.run(["userdel", prefix + rid], capture_output=True)
            subprocess.run(["groupdel", prefix + rid], capture_output=True)
        Path(sudoers).unlink(missing_ok=True)
        subprocess.run(["rm", "-rf", str(root)], check=False)
        subprocess.run(
            ["psql", "-c", "DROP DATABASE IF EXISTS synchub WITH (FORCE)"],
            env={**os.environ, **pg_env, "PGDATABASE": "postgres"},
            capture_output=True,
        )


# --------------------------------------------------------------------------- the reseller side


class Shop:
    """A reseller: a SQLite shop database and a syncagent folder set up from its enrolment file."""

    def __init__(self, d: Deployment, reseller_id: str) -> None:
        self.d, self.id = d, reseller_id
        self.dir = d.root / "resellers" / reseller_id
        self.dir.mkdir(parents=True)
        self.db = self.dir / "shop.db"
        self.state = self.dir / "state"
        with sqlite3.connect(self.db) as con:
            con.execute("CREATE TABLE products (id INTEGER PRIMARY KEY, sku TEXT, price TEXT)")
        self.add_rows(0, 50)

    def add_rows(self, start: int, n: int) -> None:
        with sqlite3.connect(self.db) as con:
            con.executemany(
                "INSERT INTO products VALUES (?, ?, ?)",
                [(i, f"SKU-{i}", f"{i}.50") for i in range(start, start + n)],
            )

    def agent(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [SYNCAGENT, *args], cwd=self.dir, capture_output=True, text=True, timeout=180,
            env={k: v for k, v in os.environ.items() if not k.startswith("SYNC")},
        )  # fmt: skip
        if check:
            assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done

    def init(self, enrolment: Path) -> str:
        """`syncagent init --enrolment FILE ...` (docs/agent.md); returns the printed `reseller add`."""
        out = self.agent(
            "init", "--enrolment", str(enrolment), "--source-url", f"sqlite:///{self.db}",
            "--state-dir", str(self.state),
        ).stdout.splitlines()  # fmt: skip
        return out[out.index("The hub operator enrols you with:") + 1].strip()

    def ack(self, sequence: int) -> dict | None:
        path = self.state / "inbox" / f"ack-{sequence:012d}.json"
        return json.loads(path.read_bytes())["payload"] if path.exists() else None

    def wait_applied(self, sequence: int, timeout: float = 120) -> None:
        def applied() -> bool:
            self.agent("offers", check=False)
            ack = self.ack(sequence)
            return ack is not None and ack["status"] == "applied"

        wait_until(applied, f"{self.id}'s ack {sequence}", timeout=timeout)

    def drop_order(self, ref: str, sku: str, quantity: int) -> None:
        folder = self.state / "orders"
        folder.mkdir(parents=True, exist_ok=True)
        doc = {"client_ref": ref, "lines": [{"sku": sku, "quantity": quantity}]}
        (folder / f"order-{ref}.json").write_text(json.dumps(doc))

    def answer(self, ref: str) -> dict | None:
        path = self.state / "orders" / "results" / f"order-{ref}.result.json"
        return json.loads(path.read_text()) if path.exists() else None


def ssh_login(d: Deployment, login: str, key: paramiko.PKey, port: int, host_key: str) -> None:
    """One SFTP login with a pinned host key; raises AuthenticationException when refused."""
    client = paramiko.SSHClient()
    kind, blob = host_key.split()[:2]
    client.get_host_keys().add(
        f"[127.0.0.1]:{port}", kind, paramiko.PKey.from_type_string(kind, base64.b64decode(blob))
    )
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    try:
        client.connect("127.0.0.1", port, username=login, pkey=key, allow_agent=False,
                       look_for_keys=False, timeout=10)  # fmt: skip
        assert sorted(client.open_sftp().listdir("/")) == ["inbox", "outbox"]
    finally:
        client.close()


def new_key(path: Path) -> tuple[paramiko.PKey, str]:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)
    return paramiko.Ed25519Key.from_private_key_file(str(path)), Path(
        f"{path}.pub"
    ).read_text().strip()


def http_ok(port: int, path: str = "/login") -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def uid_of(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])
    raise AssertionError(pid)


# --------------------------------------------------------------------------- the test


def test_production_install_follows_the_guide(deployment: Deployment) -> None:
    d = deployment
    steps = guide_blocks()
    assert list(steps)[:7] == [
        "1. Packages, users and folders", "2. The hub's software", "3. The database",
        "4. The environment", "5. The OpenSSH reception", "6. Create the hub and start it",
        "7. People and resellers",
    ]  # fmt: skip
    for step in list(steps)[:6]:
        for block in steps[step]:
            d.run(block)
    web_port, sshd_port, builtin_port = (int(d.ports[p]) for p in ("8000", "2222", "2223"))

    # --- the four hub services (and sshd) came up together on a fresh database, not as root
    wait_until(lambda: http_ok(web_port), "the web UI", timeout=90, log=d.logs / "synchub-web.log")
    synchub_uid = pwd.getpwnam("synchub").pw_uid
    for unit in HUB_UNITS:
        assert uid_of(d.unit_pid(unit)) == synchub_uid, unit
    wait_until(
        lambda: "this process is the leader" in d.log("synchub-jobs"), "jobs leader", timeout=60
    )
    env_file = d.root / "etc" / "synchub" / "env"
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o640
    url = next(line.split("=", 1)[1] for line in env_file.read_text().splitlines()
               if line.startswith("SYNCHUB_DATABASE_URL="))  # fmt: skip
    engine = make_engine(url)
    factory = session_factory(engine)

    # --- step 7: the owner, the enrolment files; the built-in server beside OpenSSH
    people, template = steps["7. People and resellers"]
    assert "reseller add toko-maju" in template
    d.run(people, stdin="a-long-owner-password\na-long-owner-password\n")
    for block in steps["Also the built-in server (moving from the embedded hub)"]:
        d.run(block)
    maju, lama = Shop(d, "toko-maju"), Shop(d, "toko-lama")
    maju_file = d.root / "tmp" / "toko-maju.enrolment.json"
    lama_file = d.root / "tmp" / "toko-lama.enrolment.json"
    login = json.loads(maju_file.read_text())["hub_username"]
    assert login == d.prefix + "toko-maju"
    sshd_host_key = (d.root / "etc" / "synchub" / "sftp_host_ed25519_key.pub").read_text()
    assert json.loads(maju_file.read_text())["host_key"] == " ".join(sshd_host_key.split()[:2])
    assert json.loads(lama_file.read_text())["hub_username"] == "toko-lama"
    assert json.loads(lama_file.read_text())["hub_port"] == builtin_port

    # each reseller: `syncagent init --enrolment`, then the one command it prints, as the hub user
    for shop, enrolment in ((maju, maju_file), (lama, lama_file)):
        add = shop.init(enrolment)
        assert add.startswith(f"synchub reseller add {shop.id} ")
        d.admin(add)
    outbox = d.root / "srv" / "synchub" / "sftp" / "toko-maju" / "outbox"
    st = outbox.stat()
    assert (st.st_uid, grp.getgrgid(st.st_gid).gr_name, stat.S_IMODE(st.st_mode)) == (
        synchub_uid, login, 0o2750)  # fmt: skip

    # --- both push (OpenSSH / built-in), are merged, read their signed acks
    for shop in (maju, lama):
        pushed = json.loads(shop.agent("push").stdout.strip().splitlines()[-1])
        assert pushed["delivered"] == [f"{shop.id}-000000000001-full.snap"]
    for shop in (maju, lama):
        shop.wait_applied(1)
    ack = outbox / "ack-000000000001.json"
    st = ack.stat()
    assert (st.st_uid, grp.getgrgid(st.st_gid).gr_name, stat.S_IMODE(st.st_mode)) == (
        synchub_uid,
        login,
        0o640,
    )  # fmt: skip: readable by that login and the hub, nobody else

    # --- /metrics on the web UI counts the merges the ingest workers made (one figure for
    # every hub process on the machine: the units' multiprocess directory)
    with urllib.request.urlopen(f"http://127.0.0.1:{web_port}/metrics", timeout=5) as r:
        scraped = r.read().decode()
    merged = sum(
        float(line.rsplit(" ", 1)[1])
        for line in scraped.splitlines()
        if line.startswith('synchub_merge_duration_seconds_count{outcome="applied"}')
    )
    assert merged >= 2, [ln for ln in scraped.splitlines() if "merge_duration" in ln]

    # --- catalog, stock and an approved offer per reseller (as staff would have), then publish
    with transaction(factory) as s:
        product = Product(sku="SSD-1", name="SSD 1 TB", list_price=Decimal("1500000"),
                          weight_kg=Decimal("0.2"), active=True)  # fmt: skip
        s.add(product)
        s.flush()
        now = dt.datetime.now(dt.timezone.utc)
        for rid in ("toko-maju", "toko-lama"):
            plist = PriceList(name=f"list {rid}", reseller_id=rid, active=True)
            s.add(plist)
            s.flush()
            s.add(PriceListItem(price_list_id=plist.id, product_id=product.id, min_quantity=1,
                                unit_price=Decimal("1400000")))  # fmt: skip
            s.add(Offer(reseller_id=rid, product_id=product.id, kind="replenishment", status="approved",
                        rank=1, quantity=5, unit_price=Decimal("1400000"), price_rule="list",
                        numbers={}, reason="running low", valid_from=now,
                        valid_to=now + dt.timedelta(days=7)))  # fmt: skip
        stock.receive(s, product.id, 100, reference="deployment test")
    d.admin("synchub offers publish")
    for shop in (maju, lama):  # fetched and verified against the pinned hub signing key
        assert "offers, 1 offer(s)" in shop.agent("offers").stdout
        (offers_file,) = (shop.state / "inbox").glob("offers-*.json")
        assert json.loads(offers_file.read_bytes())["payload"]["offers"][0]["sku"] == "SSD-1"

    # --- an order file is answered within a minute (the jobs process)
    maju.drop_order("po-1", "SSD-1", 2)
    maju.agent("push", "--no-export")
    wait_until(lambda: maju.agent("push", "--no-export") and maju.answer("po-1") is not None,
               "the answer to order-po-1", timeout=60)  # fmt: skip
    assert maju.answer("po-1")["status"] == "accepted", maju.answer("po-1")

    # --- disable and rotate act on the OpenSSH login at once
    agent_key = paramiko.Ed25519Key.from_private_key_file(str(maju.dir / "keys" / "ssh_ed25519"))
    ssh_login(d, login, agent_key, sshd_port, sshd_host_key)
    d.admin("synchub reseller disable toko-maju")
    with pytest.raises(paramiko.AuthenticationException):
        ssh_login(d, login, agent_key, sshd_port, sshd_host_key)
    d.admin("synchub reseller enable toko-maju")
    ssh_login(d, login, agent_key, sshd_port, sshd_host_key)
    other_key, other_pub = new_key(d.root / "other_key")
    d.admin(f"synchub reseller rotate-key toko-maju --ssh-key {shlex.quote(other_pub)}")
    with pytest.raises(paramiko.AuthenticationException):
        ssh_login(d, login, agent_key, sshd_port, sshd_host_key)
    ssh_login(d, login, other_key, sshd_port, sshd_host_key)
    agent_pub = (maju.dir / "keys" / "ssh_ed25519.pub").read_text().strip()
    d.admin(f"synchub reseller rotate-key toko-maju --ssh-key {shlex.quote(agent_pub)}")
    ssh_login(d, login, agent_key, sshd_port, sshd_host_key)

    # --- kill -9 every hub process while snapshots and order files are in flight
    maju.add_rows(1000, 30_000)
    lama.add_rows(1000, 5_000)
    for n in (2, 3, 4):
        maju.drop_order(f"po-{n}", "SSD-1", 1)
    for shop in (maju, lama):
        shop.agent("push", "--full")
    inbox = d.root / "srv" / "synchub" / "sftp" / "toko-maju" / "inbox"
    wait_until(
        lambda: not any(p.suffix == ".snap" for p in inbox.iterdir()), "the claim", timeout=60
    )
    for unit in HUB_UNITS:  # mid-merge / mid-answer: SIGKILL, then restarted (Restart=always)
        os.kill(d.unit_pid(unit), 9)
    d.run("systemctl restart " + " ".join(HUB_UNITS))
    wait_until(lambda: http_ok(web_port), "the web UI again", timeout=90)
    for shop in (maju, lama):
        shop.wait_applied(2, timeout=180)
    wait_until(
        lambda: maju.agent("push", "--no-export") and all(maju.answer(f"po-{n}") for n in (2, 3, 4)),
        "the answers after the restart", timeout=120,
    )  # fmt: skip

    # nothing lost, nothing doubled
    with factory() as s:
        rows = s.execute(select(Snapshot.reseller_id, Snapshot.sequence, Snapshot.status)).all()
        assert sorted(rows) == [
            ("toko-lama", 1, "applied"), ("toko-lama", 2, "applied"),
            ("toko-maju", 1, "applied"), ("toko-maju", 2, "applied"),
        ]  # fmt: skip
        assert query.count_rows(s, "toko-maju", "products") == 30_050
        assert query.count_rows(s, "toko-lama", "products") == 5_050
        orders = s.scalar(
            select(func.count()).select_from(Order).where(Order.reseller_id == "toko-maju")
        )
        assert orders == 4  # po-1 .. po-4, each once
    assert [maju.answer(f"po-{n}")["status"] for n in (1, 2, 3, 4)] == ["accepted"] * 4
    with factory() as s:
        (item,) = stock.levels(s, [product.id])
        assert (item.on_hand, item.reserved) == (100, 2 + 1 + 1 + 1)  # reserved until shipped
    engine.dispose()
