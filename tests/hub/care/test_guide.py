"""docs/care.md, followed literally on a hub with two resellers and no ticket: the alert
subscription command, then every request of the walk-through in its order, as the user the
guide names; what each answers is what the guide says."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from hub.care.models import Ticket
from hub.care.sla import escalate_due
from hub.cli import cli
from hub.core.db import transaction, utcnow
from hub.core.roles import Role
from hub.monitoring.models import AlertSubscription
from hub.notifications.models import OutboxMessage
from hub.notifications.service import add_contact
from hub.periods.calendar import Period
from tests.hub.care.kit import factory
from tests.hub.web.webkit import Seeded

GUIDE = Path(__file__).resolve().parents[3] / "docs" / "care.md"
STEP = re.compile(r"^    ([a-z_]+(?: r\d)?): (GET|POST) (\S+)(?: (.+))?$", re.MULTILINE)


def test_the_guide_followed_literally(hub: Seeded, monkeypatch: pytest.MonkeyPatch) -> None:
    text = GUIDE.read_text(encoding="utf-8")
    # the subscription command, as written
    command = re.search(r"^    (synchub alerts subscribe .+)$", text, re.MULTILINE)
    assert command is not None
    monkeypatch.setenv("SYNCHUB_HOME", str(hub.app.state.hub.settings.home))
    monkeypatch.setenv("SYNCHUB_ENVIRONMENT", "test")
    result = CliRunner().invoke(cli, shlex.split(command.group(1))[1:], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    with transaction(factory(hub)) as s:
        assert s.scalar(select(AlertSubscription.kinds)) == "care_sla"
        add_contact(s, "r1", "whatsapp", "+62811000111")

    values = {"repair": str(hub.users["repair"].id), "month": Period.containing(utcnow()).key}
    answers = []
    steps = STEP.findall(text)
    assert len(steps) == 9
    for who, method, path, body in steps:
        name, _, reseller = who.partition(" ")
        client = hub.client(Role(name), reseller or "r1")
        fill = lambda t: re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], t)  # noqa: E731
        r = client.request(method, fill(path), json=json.loads(fill(body)) if body else None)
        assert r.status_code in (200, 201), (who, method, path, r.text)
        answers.append(r.json())
        values.setdefault("ticket", str(answers[0]["id"]))

    opened, listed, assigned, noted, replied, seen, resolved, rated, csat = answers
    assert opened["state"] == "open" and opened["number"].startswith("TIK-")
    assert [t["id"] for t in listed["data"]] == [opened["id"]]
    assert assigned["state"] == "in_progress" and assigned["assignee_id"] == hub.users["repair"].id
    assert any(m["internal"] for m in noted["messages"])  # staff see their note
    assert [m["body"] for m in seen["messages"]] == [
        "Printer di kasir 2 tidak menyala sejak pagi.",
        "Teknisi kami datang besok pukul 09.00.",
    ]  # the reseller: the reply, not the note
    first = {t["name"]: t["state"] for t in seen["timers"]}
    assert first == {"first_response": "met", "resolution": "running"}
    assert resolved["state"] == "resolved" and rated["satisfied"] is True
    assert csat["total"]["csat"] == "100" and csat["total"]["responses"] == 1
    assert [(r["label"], r["satisfied"]) for r in csat["by_staff"]] == [("repair", 1)]
    with factory(hub)() as s:
        sent = list(
            s.scalars(select(OutboxMessage.template).where(OutboxMessage.reseller_id == "r1"))
        )
        assert sent == ["care_reply", "care_resolved"]
        # resolved in time: nothing left to escalate however late the job runs
        assert escalate_due(s, utcnow().replace(year=2030)) == []
        assert s.scalar(select(Ticket.state)) == "resolved"
