"""Demo: an upload damaged on its way lands in quarantine, with a reason a person can act on.

The reseller's shop sells, its agent pushes a new sealed snapshot over SFTP, and one byte
of the uploaded file is flipped in the hub's inbox before ingest sees it (what a bad disk
or a broken transfer does). Ingest — the product's own, in the next ``run_once`` — finds
the seal broken and quarantines the file with its reason; nothing of it is applied, and
the reseller's agent learns it from the signed acknowledgement.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from hub.serve import Background


def damaged_upload(
    bg: Background, reseller_id: str, folder: Path, agent: Callable[[list[str], Path], str]
) -> str:
    """Push a new snapshot of ``reseller_id``'s shop and damage it in the inbox; returns a phrase."""
    with sqlite3.connect(folder / "shop.sqlite") as db:
        db.execute("UPDATE Products SET UnitsInStock = UnitsInStock + 24 WHERE ProductID = 2")
    inbox = bg.settings.sftp_root / reseller_id / "inbox"
    before = set(inbox.iterdir())
    agent(["push"], folder)
    uploaded = sorted(set(inbox.iterdir()) - before)
    if not uploaded:
        raise RuntimeError(f"{reseller_id}'s agent pushed nothing into {inbox}")
    target = uploaded[-1]
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    return f"{reseller_id}'s upload damaged in transit"
