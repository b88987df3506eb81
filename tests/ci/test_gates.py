"""Issue #18, acceptance 2: a whole `.ci/run` fails on a lint, a format or a strict-type error.

``.ci/gates`` (what `.ci/run` runs before the tests) is run on a copy of the project's
contract and connectors with one deliberate fault each; it must stop, naming the fault.
The copy keeps the real pyproject.toml, so what is checked is the project's own configuration.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pyproject.toml, .ci/, shared/ and connectors/ as they are; agent and hub as empty
    packages (mypy's package list names them)."""
    dst = tmp_path_factory.mktemp("project")
    shutil.copy(ROOT / "pyproject.toml", dst)
    for folder in (".ci", "shared", "connectors"):
        shutil.copytree(ROOT / folder, dst / folder, ignore=shutil.ignore_patterns("__pycache__"))
    for empty in ("agent", "hub"):
        (dst / empty).mkdir()
        (dst / empty / "__init__.py").write_text("")
    return dst


def gates(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(project / ".ci" / "gates")],
        capture_output=True,
        text=True,
        env={"GATES_PYTHON": sys.executable, "PATH": "/usr/bin:/bin"},
        timeout=600,
    )


def broken(copy: Path, tmp_path: Path, name: str, text: str) -> Path:
    project = tmp_path / "p"
    shutil.copytree(copy, project)
    (project / "shared" / name).write_text(text)
    return project


def test_a_clean_copy_passes(copy: Path) -> None:
    done = gates(copy)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_lint_error_stops_the_run(copy: Path, tmp_path: Path) -> None:
    done = gates(broken(copy, tmp_path, "lint.py", "import os\n"))
    assert done.returncode != 0 and "F401" in done.stdout  # `os` imported but unused


def test_a_format_error_stops_the_run(copy: Path, tmp_path: Path) -> None:
    done = gates(broken(copy, tmp_path, "format.py", "x = {  'a':1 }\n"))
    assert done.returncode != 0 and "1 file would be reformatted" in done.stdout


def test_a_strict_type_error_in_the_contract_stops_the_run(copy: Path, tmp_path: Path) -> None:
    # legal in non-strict mypy: only the strict settings of shared/ refuse an untyped def
    done = gates(broken(copy, tmp_path, "typed.py", "def twice(x):\n    return x * 2\n"))
    assert done.returncode != 0 and "no-untyped-def" in done.stdout


def test_an_unused_type_ignore_stops_the_run(copy: Path, tmp_path: Path) -> None:
    text = "def one() -> int:\n    return 1  # type: ignore[return-value]\n"
    done = gates(broken(copy, tmp_path, "ignored.py", text))
    assert done.returncode != 0 and "unused-ignore" in done.stdout
