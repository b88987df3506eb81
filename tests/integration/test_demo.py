"""The README's first command: the demo pushes real snapshots and shows merged data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_demo_pushes_and_merges_northwind(tmp_path: Path) -> None:
    synchub = Path(sys.executable).with_name("synchub")
    done = subprocess.run(
        [str(synchub), "demo", "--no-serve", "--home", str(tmp_path / "demo")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "2 applied" in out and "1 applied" in out
    # Both resellers (SQLite shop, CSV/XLSX shop) arrive complete with Northwind's revenue.
    assert out.count("revenue Σ UnitPrice·Quantity·(1−Discount) = 1,265,793.04") == 2
    assert "Order_Details            2155 rows" in out
    # A day later the SQLite shop's agent pushes again: the hub keeps both versions of product #1.
    assert (
        "Products #1 Chai: price 18, stock 39" in out
        and "Products #1 Chai: price 19, stock 32" in out
    )
    assert "login: owner / " in out
    assert "Traceback" not in done.stderr
