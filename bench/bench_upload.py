"""Upload of a 256 MiB snapshot: the agent's delivery vs OpenSSH `sftp`, to a real sshd on loopback.

Both sides upload the same file to the same chrooted SFTP-only account of an
OpenSSH sshd started with the production config (deploy/sshd/). Ours is
`agent.deliver.HubConnection` (connect, pin the host key, upload to `.part`,
check the size, rename) — what `syncagent push` does. The baseline is
`sftp -b` with a `put` (process start and connection included on both sides).
Target (issue 2): ≥ 0.9× sftp's speed.

    python bench/bench_upload.py                 # 256 MiB, best of 3
    python bench/bench_upload.py --quick         # 32 MiB
    python bench/bench_upload.py --size 64 --repeat 5
    python bench/bench_upload.py --background 1  # beside one busy process

Needs root (sshd chroots). Files go to a temp dir under /run (sshd's chroot rules).
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

import _common as c

from agent.config import HubSection
from agent.deliver import HubConnection


def write_random(path: Path, mib: int) -> None:
    """Incompressible bytes, like a sealed (encrypted) snapshot."""
    with open(path, "wb") as f:
        for _ in range(mib):
            f.write(os.urandom(1 << 20))


def ours(hub: HubSection, local: Path, inbox: Path) -> tuple[float, float, str]:
    """(total seconds incl. connecting, seconds of the upload alone, cipher)."""

    def run() -> tuple[float, str]:
        with HubConnection(hub) as conn:
            secs, _ = c.timed(lambda: conn.upload(local))
            return secs, conn.cipher

    total, (upload, cipher) = c.timed(run)
    (inbox / local.name).unlink()
    return total, upload, cipher


def openssh(sshd, login: str, key: Path, local: Path, inbox: Path, work: Path) -> float:
    known = work / "known_hosts"
    known.write_text(sshd.known_hosts_line + "\n")
    batch = work / "batch"
    batch.write_text(f"put {local} /inbox/{local.name}\n")
    argv = [
        "sftp",
        "-q",
        "-b",
        str(batch),
        "-i",
        str(key),
        "-P",
        str(sshd.port),
        "-o",
        f"UserKnownHostsFile={known}",
        "-o",
        "StrictHostKeyChecking=yes",
        "-o",
        "BatchMode=yes",
        "-o",
        "IdentitiesOnly=yes",
        f"{login}@{sshd.host}",
    ]
    secs, _ = c.timed(lambda: c.run_quiet(argv))
    (inbox / local.name).unlink()
    return secs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=256, help="MiB")
    ap.add_argument("--quick", action="store_true", help="32 MiB")
    ap.add_argument("--repeat", type=int, default=3, help="best of N, alternating sides")
    c.add_background_arg(ap)
    args = ap.parse_args()
    mib = 32 if args.quick else args.size
    c.header(
        "SFTP upload: agent delivery vs OpenSSH sftp (loopback, real sshd)",
        size_mib=mib,
        repeat=args.repeat,
        background=args.background,
    )
    from tests.servers import SshdServer

    hub_keys = c.HubKeyPair.generate()
    with (
        tempfile.TemporaryDirectory(prefix="bench-upload-") as tmp,
        c.started(SshdServer()) as sshd,
    ):
        work = Path(tmp)
        agent = c.make_agent(
            work / "agent",
            "bench-up",
            "sqlite:///unused.db",
            [c.ITEMS_DATASET],
            seal_b64=hub_keys.seal_b64,
            signing_b64=hub_keys.signing_b64,
        )
        chroot = sshd.add_reseller("bench-up", agent.ssh_public_key)
        login = sshd.logins["bench-up"]
        key = agent.dir / "keys" / "ssh_ed25519"
        hub = HubSection(
            host=sshd.host,
            port=sshd.port,
            username=login,
            ssh_key=key,
            host_key=sshd.host_public_key,
            seal_public_key=hub_keys.seal_b64,
            signing_public_key=hub_keys.signing_b64,
        )
        local = work / "bench-up-000000000001-full.snap"
        write_random(local, mib)
        mine, base = [], []
        cipher = ""
        with c.background(args.background):
            for _ in range(args.repeat):
                base.append(openssh(sshd, login, key, local, chroot / "inbox", work))
                total, upload, cipher = ours(hub, local, chroot / "inbox")
                mine.append((total, upload))
        best_base = min(base)
        best_total, best_upload = min(mine)
        mbs = mib * 2**20 / 1e6
        print(
            f"OpenSSH sftp -b put: best {best_base:.2f} s ({mbs / best_base:.0f} MB/s); runs "
            + ", ".join(f"{s:.2f}" for s in base)
        )
        print(
            f"agent HubConnection ({cipher}): best {best_total:.2f} s incl. connect "
            f"({mbs / best_total:.0f} MB/s), upload alone {best_upload:.2f} s; runs "
            + ", ".join(f"{t:.2f}" for t, _ in mine)
        )
        c.speed_ratio("  agent vs sftp", best_total, best_base, 0.9, "sftp")


if __name__ == "__main__":
    main()
