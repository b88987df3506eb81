"""The ``syncagent`` distribution: the agent, the connectors and the contract — not the hub.

A reseller server needs ``agent/``, ``connectors/`` and ``shared/`` and their
few dependencies; installing the whole hub (FastAPI, Alembic, ...) there was
both heavy and wrong. This module builds that wheel from the packages the hub
itself runs (so the agent always matches the hub's contract version):

* pure Python (``py3-none-any``): the same file installs on Linux and Windows;
* its dependencies are read from the hub's own metadata — the base
  dependencies plus the ``[agent]`` extra of ``pyproject.toml`` — so there is one
  list to keep;
* ``Requires-Python`` is the floor CI runs (``pyproject.toml``'s ``requires-python``);
* reproducible: sorted entries with a fixed timestamp, so the same sources give
  the same SHA-256, which the hub shows next to the download.

Written here rather than by calling setuptools: building from installed
packages at run time needs no build backend, no network and no temporary
project tree, and the format (PEP 427: a zip with METADATA, WHEEL,
entry_points.txt and a RECORD of hashes) is small and fixed.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import importlib.util
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from shared import __version__
from shared.atomic import write_atomic

NAME = "syncagent"
PACKAGES = ("agent", "connectors", "shared")
REQUIRES_PYTHON = ">=3.11"
SUMMARY = "SyncHub agent: exports a reseller's shop tables as sealed snapshots and delivers them over SFTP."
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_EXTRA = re.compile(r"""\s*(;|\band)\s*extra\s*==\s*["']agent["']\s*$""")


@dataclass(frozen=True)
class BuiltWheel:
    path: Path
    sha256: str
    size: int

    @property
    def name(self) -> str:
        return self.path.name


def wheel_name(version: str = __version__) -> str:
    return f"{NAME}-{version}-py3-none-any.whl"


def requirements() -> list[str]:
    """The agent's dependencies: the hub's base requirements and its ``agent`` extra."""
    out = []
    for req in importlib.metadata.requires("synchub") or []:
        if "extra ==" not in req:
            out.append(req)
        elif _EXTRA.search(req):
            out.append(_EXTRA.sub("", req).rstrip(" ;"))
    return sorted(set(out))


def _sources() -> list[tuple[str, Path]]:
    """(archive name, file) of every module and data file of the three packages."""
    files: list[tuple[str, Path]] = []
    for package in PACKAGES:
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            raise RuntimeError(f"package {package!r} is not installed beside the hub")
        root = Path(next(iter(spec.submodule_search_locations)))
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(root)
            if path.is_file() and "__pycache__" not in rel.parts and path.suffix != ".pyc":
                files.append((f"{package}/{rel.as_posix()}", path))
    return files


def _metadata(version: str) -> str:
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {NAME}",
        f"Version: {version}",
        f"Summary: {SUMMARY}",
        "License: Proprietary",
        f"Requires-Python: {REQUIRES_PYTHON}",
        *(f"Requires-Dist: {r}" for r in requirements()),
    ]
    return "\n".join(lines) + "\n"


def build_bytes(version: str = __version__) -> bytes:
    """The wheel's bytes (reproducible for the same sources and dependencies)."""
    dist_info = f"{NAME}-{version}.dist-info"
    entries: list[tuple[str, bytes]] = [(name, path.read_bytes()) for name, path in _sources()]
    entries += [
        (f"{dist_info}/METADATA", _metadata(version).encode()),
        (
            f"{dist_info}/WHEEL",
            b"Wheel-Version: 1.0\nGenerator: synchub\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        ),
        (f"{dist_info}/entry_points.txt", b"[console_scripts]\nsyncagent = agent.cli:main\n"),
        (f"{dist_info}/top_level.txt", ("\n".join(PACKAGES) + "\n").encode()),
    ]
    record = [
        f"{name},sha256={_b64(hashlib.sha256(data).digest())},{len(data)}" for name, data in entries
    ]
    record.append(f"{dist_info}/RECORD,,")
    entries.append((f"{dist_info}/RECORD", ("\n".join(record) + "\n").encode()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return buf.getvalue()


def build(out_dir: Path, version: str = __version__) -> BuiltWheel:
    """Write the wheel into ``out_dir`` (atomically, 0644) and return its name, SHA-256 and size."""
    data = build_bytes(version)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = write_atomic(out_dir / wheel_name(version), data, mode=0o644)
    return BuiltWheel(path, hashlib.sha256(data).hexdigest(), len(data))


_built: dict[Path, BuiltWheel] = {}


def cached(downloads: Path) -> BuiltWheel:
    """The wheel of the code this process runs, built once per process into ``downloads``."""
    if downloads not in _built:
        _built[downloads] = build(downloads)
    return _built[downloads]


def _b64(digest: bytes) -> str:
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
