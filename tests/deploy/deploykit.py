"""Running deploy/README.md as written, relocated under a temporary root.

The guide's shell blocks run unchanged except for one textual relocation: the
production paths (``/etc/synchub``, ``/var/lib/synchub``, ``/srv/synchub``,
``/usr/local/lib/synchub``, ...), ports, the database host, the public host name
and the reseller login prefix are replaced by this run's own (so parallel runs
and the machine's own files are never touched). Three commands a test machine
cannot run for real are shims first in ``PATH``:

* ``systemctl`` starts a unit as systemd would from its file (relocated the same
  way): ``User``/``Group`` with the user's supplementary groups, ``UMask``,
  ``WorkingDirectory``, ``EnvironmentFile``, ``Environment``, ``ExecStartPre``,
  ``ExecStart``, ``RuntimeDirectory`` — one process group per unit, so ``kill`` and ``restart``
  act on it the way systemd does;
* ``sudo -u postgres CMD`` runs CMD against the test's PostgreSQL server; any
  other ``sudo`` is the real one (``/usr/bin/sudo``), with a bare ``synchub``
  command mapped to the relocated ``/usr/local/bin/synchub`` (sudo's
  ``secure_path`` would not find it);
* ``apt-get install`` only checks that the packages are installed (``.ci/run``
  installs them).
"""

from __future__ import annotations

import configparser
import contextlib
import json
import os
import pwd
import re
import shlex
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GUIDE = REPO / "deploy" / "README.md"
VENV = Path(sys.prefix)


def guide_blocks(section: str = "## Production, step by step") -> dict[str, list[str]]:
    """``{### heading: [sh blocks]}`` of one ``##`` section of deploy/README.md, in order."""
    text = GUIDE.read_text()
    start = text.index(section)
    end = text.find("\n## ", start + len(section))
    body = text[start : end if end > 0 else None]
    out: dict[str, list[str]] = {}
    heading = ""
    for part in re.split(r"(^### .*$)", body, flags=re.M):
        if part.startswith("### "):
            heading = part[4:].strip()
            continue
        if heading:
            out.setdefault(heading, []).extend(re.findall(r"```sh\n(.*?)```", part, re.S))
    return out


@dataclass
class Relocation:
    """Production path / value → this run's, applied to guide blocks and unit files."""

    pairs: dict[str, str]

    def __call__(self, text: str) -> str:
        keys = sorted(self.pairs, key=len, reverse=True)
        pattern = re.compile("|".join(re.escape(k) for k in keys))
        return pattern.sub(lambda m: self.pairs[m.group(0)], text)


SHIM = """#!{python}
import sys
sys.path.insert(0, {repo!r})
from tests.deploy.deploykit import shim_main
sys.exit(shim_main({name!r}, {state!r}, sys.argv[1:]))
"""


@dataclass
class Deployment:
    """One relocated production install: where things are and what the shims need."""

    root: Path
    relocate: Relocation
    pg_env: dict[str, str]
    logs: Path = field(init=False)
    shims: Path = field(init=False)

    def __post_init__(self) -> None:
        self.logs = self.root / "log"
        self.shims = self.root / "shims"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.shims.mkdir(exist_ok=True)
        state = self.root / "deploykit.json"
        state.write_text(
            json.dumps(
                {"root": str(self.root), "pairs": self.relocate.pairs, "pg_env": self.pg_env}
            )
        )
        for name in ("systemctl", "sudo", "apt-get"):
            shim = self.shims / name
            shim.write_text(
                SHIM.format(python=sys.executable, repo=str(REPO), name=name, state=str(state))
            )
            shim.chmod(0o755)

    @property
    def env(self) -> dict[str, str]:
        clean = {
            k: v for k, v in os.environ.items() if not k.startswith(("SYNCHUB_", "SYNCAGENT_"))
        }
        return {
            **clean,
            "PATH": f"{self.shims}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        }

    def run(
        self, script: str, *, stdin: str = "", check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """One guide block, relocated, in bash from the repository's root (as the guide says)."""
        body = self.relocate(script)
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", body],
            cwd=REPO,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if check and done.returncode != 0:
            raise AssertionError(
                f"guide block failed ({done.returncode}):\n{body}\n--- out:\n{done.stdout}\n--- err:\n{done.stderr}"
            )
        return done

    def admin(
        self, command: str, *, stdin: str = "", check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """An admin command the way the guide runs them: ``sudo -u synchub synchub ...``."""
        return self.run(f"sudo -u synchub {command}", stdin=stdin, check=check)

    def unit_pid(self, unit: str) -> int:
        return int((self.root / "run" / "units" / f"{unit}.pid").read_text())

    def log(self, unit: str) -> str:
        path = self.logs / f"{unit}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop_all(self) -> None:
        folder = self.root / "run" / "units"
        for pid_file in folder.glob("*.pid") if folder.is_dir() else []:
            _kill_group(int(pid_file.read_text()), signal.SIGKILL)


# --------------------------------------------------------------------------- shims


def shim_main(name: str, state_file: str, args: list[str]) -> int:
    state = json.loads(Path(state_file).read_text())
    root, relocate = Path(state["root"]), Relocation(state["pairs"])
    if name == "apt-get":
        return _apt_get(args)
    if name == "sudo":
        return _sudo(args, root, state["pg_env"])
    return _systemctl(args, root, relocate)


def _apt_get(args: list[str]) -> int:
    packages = [a for a in args if not a.startswith("-") and a != "install"]
    missing = [
        p
        for p in packages
        if subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", p], capture_output=True, text=True
        ).stdout
        != "install ok installed"
    ]
    if missing:
        print(
            f"apt-get (test shim): not installed: {' '.join(missing)} (.ci/run installs them)",
            file=sys.stderr,
        )
        return 100
    return 0


def _sudo(args: list[str], root: Path, pg_env: dict[str, str]) -> int:
    if args[:2] == ["-u", "postgres"]:
        return subprocess.run(args[2:], env={**os.environ, **pg_env}).returncode
    argv = list(args)
    i = 2 if argv[:1] == ["-u"] else 0
    if argv[i : i + 1] == ["env"]:  # sudo -u synchub env VAR=value ... synchub ...
        i += 1
        while i < len(argv) and "=" in argv[i]:
            i += 1
    if argv[i : i + 1] == ["synchub"]:
        argv[i] = str(root / "usr" / "local" / "bin" / "synchub")
    return subprocess.run(["/usr/bin/sudo", *argv]).returncode


def _systemctl(args: list[str], root: Path, relocate: Relocation) -> int:
    verb, *rest = args
    units = [u for u in rest if not u.startswith("-")]
    if verb == "daemon-reload":
        return 0
    for unit in units:
        if verb in ("stop", "restart", "kill"):
            _stop(root, unit, signal.SIGKILL if verb == "kill" else signal.SIGTERM)
        if verb in ("start", "restart") or (verb == "enable" and "--now" in rest):
            _start(root, unit, relocate)
    return 0


def _unit_file(root: Path, unit: str) -> tuple[Path, str]:
    name, _, instance = unit.partition("@")
    base = root / "etc" / "systemd" / "system"
    path = base / (f"{name}@.service" if instance else f"{unit}.service")
    return path, instance


def _start(root: Path, unit: str, relocate: Relocation) -> None:
    path, instance = _unit_file(root, unit)
    cp = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    cp.optionxform = str
    cp.read_string(relocate(path.read_text()).replace("%i", instance))
    svc = cp["Service"]
    env = {
        "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "LANG": "C.UTF-8",
    }
    if "EnvironmentFile" in svc:
        env_file = svc["EnvironmentFile"].lstrip("-")
        with contextlib.suppress(FileNotFoundError):
            for line in Path(env_file).read_text().splitlines():
                if "=" in line and not line.lstrip().startswith("#"):
                    k, v = line.split("=", 1)
                    v = v.strip()
                    quoted = len(v) > 1 and v[0] == v[-1] and v[0] in "\"'"
                    env[k.strip()] = v[1:-1] if quoted else v  # systemd removes the quotes
    for assignment in shlex.split(svc.get("Environment", "")):  # after the file, as systemd
        k, _, v = assignment.partition("=")
        env[k] = v
    user = svc.get("User")
    pw = pwd.getpwnam(user) if user else None
    kw: dict[str, object] = {}
    if pw is not None:
        env.update(HOME=pw.pw_dir, USER=pw.pw_name, LOGNAME=pw.pw_name)
        kw.update(
            user=pw.pw_uid, group=pw.pw_gid, extra_groups=os.getgrouplist(pw.pw_name, pw.pw_gid)
        )
    if "RuntimeDirectory" in svc:  # made for the unit's user (relocated like every path)
        runtime = Path(relocate(f"/run/{svc['RuntimeDirectory']}"))
        runtime.mkdir(mode=0o755, exist_ok=True)
        if pw is not None:
            os.chown(runtime, pw.pw_uid, pw.pw_gid)
    if "ExecStartPre" in svc:
        subprocess.run(
            shlex.split(svc["ExecStartPre"]), env=env, check=True, capture_output=True, **kw
        )
    log = root / "log" / f"{unit}.log"
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            shlex.split(svc["ExecStart"]),
            env=env,
            cwd=svc.get("WorkingDirectory", "/"),
            umask=int(svc.get("UMask", "0022"), 8),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
            start_new_session=True,
            **kw,
        )
    pid_dir = root / "run" / "units"
    pid_dir.mkdir(parents=True, exist_ok=True)
    (pid_dir / f"{unit}.pid").write_text(str(proc.pid))


def _stop(root: Path, unit: str, sig: int) -> None:
    pid_file = root / "run" / "units" / f"{unit}.pid"
    if pid_file.exists():
        _kill_group(int(pid_file.read_text()), sig)
        _wait_gone(int(pid_file.read_text()))


def _kill_group(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def _wait_gone(pid: int, timeout: float = 20.0) -> None:
    import time

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return
        if state == "Z":
            return
        time.sleep(0.05)
