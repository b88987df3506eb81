"""Demo step: a customer care ticket per reseller, each at another point of its life.

Through ``hub.care``: each reseller's admin opens a ticket; the desk assigns, answers and
resolves. One is resolved and rated "satisfied" (so the CSAT page has a figure), one is
answered and waits for the reseller, one is still open with its timers running.
"""

from __future__ import annotations

from hub.care import service
from hub.care.schemas import TicketCreate
from hub.core.db import transaction, utcnow
from hub.core.roles import Role
from hub.demo.steps import Demo
from hub.demo.steps.people import admin_of, staff

TICKETS = (
    TicketCreate(
        kind="installation_visit",
        category="technical",
        priority="high",
        subject="Pemasangan jaringan kasir baru",
        body="Kami membuka kasir kedua; mohon teknisi memasang jaringan dan printer.",
    ),
    TicketCreate(
        kind="complaint",
        category="delivery",
        priority="normal",
        subject="Dus penyok saat diterima",
        body="Dua dus dari pengiriman terakhir penyok; isinya masih utuh.",
    ),
    TicketCreate(
        kind="question",
        category="billing",
        priority="low",
        subject="Faktur pajak bulan lalu",
        body="Kapan faktur pajak untuk pesanan bulan lalu dikirim?",
    ),
)


def seed(demo: Demo) -> str:
    desk, ops = demo.as_user(staff(Role.REPAIR)), demo.as_user(staff(Role.OPERATIONS))
    said = []
    with transaction(demo.factory) as s:
        for n, rid in enumerate(demo.resellers[: len(TICKETS)]):
            reseller = demo.as_user(admin_of(rid))
            now = utcnow()
            t = service.open_ticket(s, reseller, TICKETS[n], now)
            if n == 0:
                service.assign(s, ops, t.id, desk.user_id)
                service.reply(s, desk, t.id, "Teknisi kami datang besok pukul 09.00.", now)
                service.resolve(s, desk, t.id, "Jaringan dan printer terpasang dan diuji.", now)
                service.survey(s, reseller, t.id, True, now)
            elif n == 1:
                service.assign(s, ops, t.id, ops.user_id)
                service.note(s, ops, t.id, "Cek foto dus dengan ekspedisi.", now)
                service.reply(s, ops, t.id, "Maaf atas kemasannya; kami cek ke ekspedisi.", now)
            said.append(f"{t.number} {t.state}")
    return f"customer care tickets, one per reseller: {', '.join(said)}"
