"""Real PostgreSQL, MariaDB and OpenSSH servers for tests, on 127.0.0.1 only.

Each server lives in a throw-away directory, listens on a free port and is
stopped by its own PID (or its own stop command), never by name. This module
knows nothing about pytest: `tests/conftest.py` turns `ServerUnavailable` into
a skip (developer machine) or a failure (CI=true).

Gotchas handled here (see docs in deploy/sshd/README.md and REAL-SERVERS.md):
PostgreSQL refuses to run as root (we run it as the `postgres` OS user), MariaDB
is started with `--skip-name-resolve` so TCP users are `'u'@'127.0.0.1'`, and
sshd insists that every component of a chroot path is root-owned and not
group/world-writable (so its directories live under /run, not /tmp).
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent


class ServerUnavailable(RuntimeError):
    """A binary or privilege needed to start a real server is missing."""


def free_port() -> int:
    """A TCP port that was free on 127.0.0.1 a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def find_binary(name: str, *candidates: str) -> str:
    """Absolute path of a server binary, or ServerUnavailable naming the package."""
    for c in (shutil.which(name), *candidates):
        if c and os.access(c, os.X_OK):
            return c
    raise ServerUnavailable(
        f"{name} not found (install it, e.g. `bash .ci/run` installs the packages)"
    )


def wait_until(
    check: Callable[[], bool],
    what: str,
    timeout: float = 30.0,
    alive: subprocess.Popen | None = None,
    log: Path | None = None,
) -> None:
    """Poll `check` until it is true; fail early if the server process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        if alive is not None and alive.poll() is not None:
            break
        time.sleep(0.05)
    tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
    raise RuntimeError(f"{what} did not come up within {timeout:.0f}s\n{tail}")


def pid_alive(pid: int) -> bool:
    """True while the process exists and is not a zombie (kill -0 is slow to notice here)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def stop_pid(pid: int, proc: subprocess.Popen | None = None, timeout: float = 15.0) -> None:
    """SIGTERM one PID we started, then SIGKILL if it does not go away."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc is not None and proc.poll() is not None:
                return
            if proc is None and not pid_alive(pid):
                return
            time.sleep(0.05)
    if proc is not None:
        proc.wait(timeout=5)


def run(argv: list[str], **kw: Any) -> subprocess.CompletedProcess:
    """Run a setup command; on failure raise with its output (not just the exit status)."""
    r = subprocess.run(argv, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {r.returncode}:\n{r.stdout}{r.stderr}")
    return r


def ensure_system_user(name: str) -> None:
    """Create a system user (e.g. `postgres`, `mysql`) if missing; needs root."""
    try:
        pwd.getpwnam(name)
        return
    except KeyError:
        pass
    if os.geteuid() != 0:
        raise ServerUnavailable(f"OS user {name!r} is missing and we are not root to create it")
    try:  # its own group: join it if it exists already, else create it with the user
        grp.getgrnam(name)
        group = ["--gid", name]
    except KeyError:
        group = ["--user-group"]
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", *group, name],
        check=False,
        capture_output=True,
    )
    pwd.getpwnam(name)  # raises KeyError if it still does not exist


def chown_tree(path: Path, user: str) -> None:
    """Give a server's directory to the OS user it runs as (no-op when not root)."""
    if os.geteuid() != 0:
        return
    pw = pwd.getpwnam(user)
    for root, dirs, files in os.walk(path):
        for n in (
            root,
            *(os.path.join(root, d) for d in dirs),
            *(os.path.join(root, f) for f in files),
        ):
            os.chown(n, pw.pw_uid, pw.pw_gid)


# --------------------------------------------------------------------------- PostgreSQL


class PostgresServer:
    """A PostgreSQL cluster with superuser `postgres`, trust auth, fsync=off."""

    user = "postgres"
    host = "127.0.0.1"

    def __init__(self, base: Path | None = None) -> None:
        self.initdb = find_binary("initdb", "/usr/lib/postgresql/15/bin/initdb")
        self.bindir = Path(os.path.realpath(self.initdb)).parent
        self.pg_ctl = str(self.bindir / "pg_ctl")
        self.base = base or Path(tempfile.mkdtemp(prefix="synchub-pg-"))
        self.data = self.base / "data"
        self.log = self.base / "server.log"
        self.port = 0
        self.pid = 0
        self._counter = 0

    def _as_owner(self, argv: list[str]) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv

    def start(self) -> PostgresServer:
        if os.geteuid() == 0:
            ensure_system_user("postgres")
            chown_tree(self.base, "postgres")
        run(
            self._as_owner(
                [
                    self.initdb,
                    "-D",
                    str(self.data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                    "--no-sync",
                ]
            )
        )
        for attempt in range(3):
            self.port = free_port()
            opts = (
                f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.base} -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
            )
            r = subprocess.run(
                self._as_owner(
                    [
                        self.pg_ctl,
                        "-D",
                        str(self.data),
                        "-l",
                        str(self.log),
                        "-w",
                        "-t",
                        "60",
                        "-o",
                        opts,
                        "start",
                    ]
                ),
                capture_output=True,
                text=True,
            )
            if r.returncode == 0:
                break
            if attempt == 2:
                raise RuntimeError(f"postgres did not start: {r.stderr}\n{self._log_tail()}")
        self.pid = int((self.data / "postmaster.pid").read_text().split()[0])
        return self

    def _log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""

    def stop(self) -> None:
        if self.pid:
            r = subprocess.run(
                self._as_owner(
                    [self.pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop"]
                ),
                capture_output=True,
            )
            if r.returncode != 0 and pid_alive(self.pid):
                stop_pid(self.pid)
            self.pid = 0
        shutil.rmtree(self.base, ignore_errors=True)

    def dsn(self, dbname: str = "postgres") -> str:
        """libpq URL for psycopg / SQLAlchemy (`postgresql+psycopg://` prefix is the caller's)."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{dbname}"

    @property
    def psql_env(self) -> dict[str, str]:
        """Environment for psql/pg_dump subprocesses pointing at this server."""
        return {
            **os.environ,
            "PGHOST": self.host,
            "PGPORT": str(self.port),
            "PGUSER": self.user,
            "PGDATABASE": "postgres",
        }

    def create_database(self, name: str | None = None) -> str:
        """Create an empty database (a fresh unique name if none given) and return its DSN."""
        import psycopg

        if name is None:
            self._counter += 1
            name = f"t{os.getpid()}_{self._counter}"
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}"')
        return self.dsn(name)

    def drop_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.dsn("postgres"), autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --------------------------------------------------------------------------- MariaDB


class MariaDBServer:
    """A MariaDB server with a password-protected TCP user (not root) owning every database."""

    host = "127.0.0.1"
    user = "synchub"
    password = "synchub-test-pw"

    def __init__(self, base: Path | None = None) -> None:
        self.mariadbd = find_binary("mariadbd", "/usr/sbin/mariadbd")
        self.install_db = find_binary("mariadb-install-db", "/usr/bin/mariadb-install-db")
        self.base = base or Path(tempfile.mkdtemp(prefix="synchub-mariadb-"))
        self.socket = self.base / "mysqld.sock"
        self.log = self.base / "error.log"
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self._counter = 0

    def start(self) -> MariaDBServer:
        run_as = "mysql" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
        if os.geteuid() == 0:
            ensure_system_user("mysql")
        for d in ("data", "tmp"):
            (self.base / d).mkdir(parents=True, exist_ok=True)
        chown_tree(self.base, run_as)
        run(
            [
                self.install_db,
                "--no-defaults",
                f"--user={run_as}",
                f"--datadir={self.base / 'data'}",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
            ]
        )
        for attempt in range(3):
            self.port = free_port()
            self.proc = subprocess.Popen(
                [
                    self.mariadbd,
                    "--no-defaults",
                    f"--user={run_as}",
                    f"--datadir={self.base / 'data'}",
                    f"--port={self.port}",
                    "--bind-address=127.0.0.1",
                    f"--socket={self.socket}",
                    f"--pid-file={self.base / 'mysqld.pid'}",
                    f"--log-error={self.log}",
                    f"--tmpdir={self.base / 'tmp'}",
                    "--skip-name-resolve",
                    "--character-set-server=utf8mb4",
                    "--collation-server=utf8mb4_unicode_ci",
                    "--innodb-buffer-pool-size=64M",
                    "--innodb-flush-log-at-trx-commit=0",
                    "--innodb-doublewrite=0",
                    "--innodb-fast-shutdown=2",
                    "--max-connections=300",
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                wait_until(self._pingable, "mariadbd", alive=self.proc, log=self.log)
                break
            except RuntimeError:
                stop_pid(self.proc.pid, self.proc)
                if attempt == 2:
                    raise
        with self._root() as con, con.cursor() as cur:
            for host in ("127.0.0.1", "localhost"):
                cur.execute(
                    f"CREATE USER IF NOT EXISTS '{self.user}'@'{host}' IDENTIFIED BY %s",
                    (self.password,),
                )
                cur.execute(
                    f"GRANT ALL PRIVILEGES ON *.* TO '{self.user}'@'{host}' WITH GRANT OPTION"
                )
        return self

    def _root(self) -> Any:
        import pymysql

        return pymysql.connect(
            unix_socket=str(self.socket), user="root", autocommit=True, charset="utf8mb4"
        )

    def _pingable(self) -> bool:
        try:
            self._root().close()
            return True
        except Exception:
            return False

    @property
    def pid(self) -> int:
        return self.proc.pid if self.proc else 0

    def stop(self) -> None:
        if self.proc is not None:
            stop_pid(self.proc.pid, self.proc)
            self.proc = None
        shutil.rmtree(self.base, ignore_errors=True)

    def connect(self, database: str | None = None, **kw: Any) -> Any:
        """A PyMySQL connection over TCP as the test user (autocommit on)."""
        import pymysql

        return pymysql.connect(
            host=self.host,
            port=self.port,
            user=kw.pop("user", self.user),
            password=kw.pop("password", self.password),
            database=database,
            charset="utf8mb4",
            autocommit=True,
            **kw,
        )

    def url(self, database: str, user: str | None = None, password: str | None = None) -> str:
        """`mysql://user:pw@127.0.0.1:port/db` (SQLAlchemy wants `mysql+pymysql://`)."""
        return (
            f"mysql://{user or self.user}:{password or self.password}"
            f"@{self.host}:{self.port}/{database}"
        )

    def create_database(self, name: str | None = None) -> str:
        """Create an empty utf8mb4 database (fresh unique name if none given); return its name."""
        if name is None:
            self._counter += 1
            name = f"t{os.getpid()}_{self._counter}"
        with self.connect() as con, con.cursor() as cur:
            cur.execute(
                f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            )
        return name

    def drop_database(self, name: str) -> None:
        with self.connect() as con, con.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")

    def create_readonly_user(self, database: str, name: str, password: str) -> None:
        """A TCP user with SELECT (and SHOW VIEW) on one database only: what a connector gets."""
        with self._root() as con, con.cursor() as cur:
            cur.execute(
                f"CREATE USER IF NOT EXISTS '{name}'@'127.0.0.1' IDENTIFIED BY %s", (password,)
            )
            cur.execute(f"GRANT SELECT, SHOW VIEW ON `{database}`.* TO '{name}'@'127.0.0.1'")


# --------------------------------------------------------------------------- OpenSSH sshd

SSHD_DIR = REPO_ROOT / "deploy" / "sshd"


def render_sshd_config(template: str, values: dict[str, str]) -> str:
    """Fill every {{NAME}} of deploy/sshd/sshd_config.template; a leftover one is an error."""
    for name, value in values.items():
        template = template.replace("{{" + name + "}}", value)
    if "{{" in template:
        raise ValueError(
            f"unrendered placeholder in sshd config: {template[template.index('{{') :][:40]}"
        )
    return template


class SshdServer:
    """The production SFTP chroot config, run by a real sshd on a free loopback port.

    Reseller logins are real system users created by deploy/sshd/enrol-reseller.sh
    (the root step `synchub reseller add` runs) with a per-session prefix (so parallel
    test runs never share an account), their keys written by the hub's own
    ``OpenSshAccounts.set_key``; all deleted again by `stop()`. Needs root (sshd chroots
    and switches users).
    """

    host = "127.0.0.1"
    sftp_group = "synchub-sftp-test"
    hub_user = hub_group = "synchub-hub-test"  # useradd --system makes the same-named group
    keys_user = "nobody"  # AuthorizedKeysCommandUser: reads the key files, nothing else

    def __init__(self) -> None:
        self.sshd = find_binary("sshd", "/usr/sbin/sshd")
        self.keygen = find_binary("ssh-keygen", "/usr/bin/ssh-keygen")
        if os.geteuid() != 0:
            raise ServerUnavailable(
                "sshd chroot tests need root (sshd must chroot and switch users)"
            )
        # Every chroot path component must be root-owned and not group/world-writable: not /tmp.
        base_parent = "/run" if os.access("/run", os.W_OK) else "/var/lib"
        self.base = Path(tempfile.mkdtemp(prefix="synchub-sshd-", dir=base_parent))
        self.base.chmod(0o755)
        self.root = self.base / "sftp"
        self.keys_dir = self.base / "keys"
        self.host_key_path = self.base / "ssh_host_ed25519_key"
        self.log = self.base / "sshd.log"
        self.user_prefix = f"t{os.urandom(2).hex()}-"
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self.logins: dict[str, str] = {}

    @property
    def enrol_env(self) -> dict[str, str]:
        """Environment that points enrol-reseller.sh at this server's temp layout."""
        return {
            **os.environ,
            "SYNCHUB_SFTP_ROOT": str(self.root),
            "SYNCHUB_SFTP_GROUP": self.sftp_group,
            "SYNCHUB_HUB_USER": self.hub_user,
            "SYNCHUB_HUB_GROUP": self.hub_group,
            "SYNCHUB_USER_PREFIX": self.user_prefix,
        }

    def start(self) -> SshdServer:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege-separation dir
        ensure_system_user(self.hub_user)
        run(
            [
                self.keygen,
                "-q",
                "-t",
                "ed25519",
                "-N",
                "",
                "-C",
                "synchub-test-host",
                "-f",
                str(self.host_key_path),
            ]
        )
        for d in (self.root, self.keys_dir):
            d.mkdir(mode=0o755)
        template = (SSHD_DIR / "sshd_config.template").read_text()
        for attempt in range(3):
            self.port = free_port()
            config = self.base / "sshd_config"
            config.write_text(
                render_sshd_config(
                    template,
                    {
                        "PORT": str(self.port),
                        "LISTEN_ADDRESS": self.host,
                        "HOST_KEY": str(self.host_key_path),
                        "PID_FILE": str(self.base / "sshd.pid"),
                        "KEYS_DIR": str(self.keys_dir),
                        "KEYS_USER": self.keys_user,
                        "SFTP_GROUP": self.sftp_group,
                        "SFTP_ROOT": str(self.root),
                    },
                )
            )
            run([self.sshd, "-t", "-f", str(config)])  # config must be valid as shipped
            with open(self.log, "ab") as log:
                self.proc = subprocess.Popen(
                    [self.sshd, "-f", str(config), "-D", "-e"],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=log,
                )
            try:
                wait_until(self._listening, "sshd", timeout=10, alive=self.proc, log=self.log)
                break
            except RuntimeError:
                stop_pid(self.proc.pid, self.proc)
                if attempt == 2:
                    raise
        return self

    def _listening(self) -> bool:
        try:
            with socket.create_connection((self.host, self.port), timeout=0.5) as s:
                return s.recv(4).startswith(b"SSH-")
        except OSError:
            return False

    @property
    def pid(self) -> int:
        return self.proc.pid if self.proc else 0

    @property
    def host_public_key(self) -> str:
        """The host key as an OpenSSH public key line (`ssh-ed25519 AAAA… comment`)."""
        return Path(str(self.host_key_path) + ".pub").read_text().strip()

    @property
    def known_hosts_line(self) -> str:
        """A known_hosts entry pinning this server (`[127.0.0.1]:port ssh-ed25519 AAAA…`)."""
        keytype, blob = self.host_public_key.split()[:2]
        return f"[{self.host}]:{self.port} {keytype} {blob}"

    def _enrol(self, *args: str, stdin: str | None = None) -> str:
        r = run(
            ["bash", str(SSHD_DIR / "enrol-reseller.sh"), *args], env=self.enrol_env, input=stdin
        )
        return r.stdout.strip().splitlines()[-1]

    def login_name(self, reseller_id: str) -> str:
        """The SFTP user name of a reseller (prefix + id, as production derives it)."""
        return self._enrol("login-name", reseller_id)

    @property
    def accounts(self) -> Any:
        """The hub's key writer for this server's keys directory."""
        from hub.reception.openssh import OpenSshAccounts

        return OpenSshAccounts(self.keys_dir, (), self.user_prefix)

    def add_reseller(self, reseller_id: str, authorized_key_line: str) -> Path:
        """Enrol a reseller as the hub does (root step, then its key); returns its chroot."""
        self.logins[reseller_id] = self._enrol("add", reseller_id)
        self.accounts.set_key(reseller_id, authorized_key_line)
        return self.root / reseller_id

    def disable_reseller(self, reseller_id: str) -> None:
        self.accounts.remove_key(reseller_id)
        self._enrol("disable", reseller_id)

    def session_pids(self) -> list[int]:
        """Live PIDs of every process below our master sshd (monitors and their SFTP children)."""
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z":
                children.setdefault(int(fields[1]), []).append(int(entry.name))
        found, todo = [], [self.pid]
        while todo:
            for child in children.get(todo.pop(), []):
                found.append(child)
                todo.append(child)
        return found

    def kill_connections(self) -> int:
        """Drop every open SSH connection (as a network failure would); the master keeps running."""
        pids = self.session_pids()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        return len(pids)

    def stop(self) -> None:
        if self.proc is not None:
            self.kill_connections()
            stop_pid(self.proc.pid, self.proc)
            self.proc = None
        for login in self.logins.values():
            subprocess.run(["userdel", login], capture_output=True)
            subprocess.run(["groupdel", login], capture_output=True)
        self.logins.clear()
        shutil.rmtree(self.base, ignore_errors=True)
