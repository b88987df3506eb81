"""Row scoping in two helpers of hub/core/roles.py: restrict() for queries, can_see_reseller()
for one object; no service compares reseller ids on its own (issue #18 found four doing so)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import hub
from hub.core.roles import Principal, Role, can_see_reseller

RESELLER = Principal(Role.RESELLER, username="toko", reseller_id="r1")
ADMIN = Principal(Role.RESELLER_ADMIN, username="admin", reseller_id="r1")
STAFF = Principal(Role.FINANCE, username="fina")


@pytest.mark.parametrize(
    "principal,reseller_id,seen",
    [
        (RESELLER, "r1", True),
        (RESELLER, "r2", False),
        (RESELLER, None, False),  # a row of no reseller (a staff user): not a reseller's
        (ADMIN, "r2", False),
        (STAFF, "r2", True),
        (STAFF, None, True),
        (None, "r2", True),  # the hub itself (CLI, jobs)
        (Principal(Role.RESELLER, username="orphan"), "r1", False),  # a reseller role of none
    ],
)
def test_who_sees_what(principal: Principal | None, reseller_id: str | None, seen: bool) -> None:
    assert can_see_reseller(principal, reseller_id) is seen


INLINE = re.compile(r"\.reseller_id\s*(!=|==)\s*(actor|principal)\.reseller_id|"
                    r"(actor|principal)\.reseller_id\s*(!=|==)\s*\w+\.reseller_id")  # fmt: skip


def test_no_service_compares_reseller_ids_itself() -> None:
    root = Path(hub.__file__).parent
    found = [
        f"{path.relative_to(root.parent)}:{n}"
        for path in root.rglob("*.py")
        if path.name != "roles.py"
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if INLINE.search(line)
    ]
    assert not found, f"use hub.core.roles.can_see_reseller (or restrict): {found}"
