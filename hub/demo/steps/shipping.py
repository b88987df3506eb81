"""Demo step: Indonesia's regions, the Jakarta warehouse, a rate card, delivery addresses.

All through ``hub.shipping``'s audited services, as the back office's pages call them: the
shipped region files (Kemendagri, postal codes, BPS: ``load_audited``, by the hub itself at
first start, like ``synchub shipping regions import``), then by the operations manager
``add_warehouse``, a rate-card file imported as on the rate-cards page
(``ratecards.import_audited`` validates every row and refuses a bad file whole) and each
reseller's default address and territory, so placed orders carry a real JNE fee.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from sqlalchemy.orm import Session, sessionmaker

from hub.core.db import transaction
from hub.core.roles import Role
from hub.demo.steps import Demo
from hub.demo.steps.people import staff
from hub.shipping import ratecards
from hub.shipping.regionimport import load_audited
from hub.shipping.service import add_address, add_warehouse, assign_territory

WAREHOUSE = ("JKT", "Gudang Jakarta Pusat", "31.71", "Jl. Gunung Sahari Raya 12, Jakarta Pusat")
# Destinations of the rate card (regencies): Jakarta's five cities, then Java's big ones.
DESTINATIONS = {
    "31.71": 9_000,
    "31.72": 9_000,
    "31.73": 9_000,
    "31.74": 9_000,
    "31.75": 9_000,
    "32.73": 12_000,  # Bandung
    "33.74": 14_000,  # Semarang
    "34.71": 15_000,  # Yogyakarta
    "35.78": 16_000,  # Surabaya
}
# (courier, service, price factor, etd min, etd max)
SERVICES = (
    ("JNE", "REG", Decimal("1.0"), 1, 2),
    ("JNE", "YES", Decimal("1.8"), 1, 1),
    ("JNE", "OKE", Decimal("0.8"), 2, 4),
)
# Where each demo reseller receives goods: (recipient, street, regency, postal code)
ADDRESSES = {
    "toko-maju": ("Bapak Hendra", "Jl. Kramat Raya 45", "31.71", "10450"),
    "cv-sinar": ("Ibu Sari", "Jl. Fatmawati 88", "31.74", "12430"),
    "ud-berkah": ("Bapak Yusuf", "Jl. Jatinegara Barat 7", "31.75", "13310"),
}


def rate_card(effective_from: dt.date) -> bytes:
    out = io.StringIO(newline="")
    w = csv.writer(out, lineterminator="\n")
    w.writerow(ratecards.COLUMNS)
    for courier, service, factor, etd_min, etd_max in SERVICES:
        for dest, per_kg in DESTINATIONS.items():
            w.writerow(
                [
                    courier,
                    service,
                    "31",
                    dest,
                    (per_kg * factor).quantize(Decimal(1)),
                    1,
                    etd_min,
                    etd_max,
                ]
                + [effective_from.isoformat(), ""]
            )
    return out.getvalue().encode()


def load_regions(factory: sessionmaker[Session]) -> str:
    """Indonesia's regions from the shipped files (the demo runs this while agents install,
    before anybody has an account: the audit log says the hub itself loaded them)."""
    with transaction(factory) as s:
        return load_audited(s.connection(), None).lines()[0]


def seed(demo: Demo) -> str:
    regions = demo.regions or load_regions(demo.factory)
    folder = demo.home / "shipping"
    folder.mkdir(parents=True, exist_ok=True)
    card = folder / "tarif-jne.csv"
    card.write_bytes(rate_card(demo.today - dt.timedelta(days=60)))
    ops = demo.as_user(staff(Role.OPERATIONS))
    with transaction(demo.factory) as s:
        code, name, region, street = WAREHOUSE
        wh = add_warehouse(s, code, name, region, street, principal=ops)
        demo.warehouse_id = wh.id
        lanes, _ = ratecards.import_audited(s, ops, card.read_bytes(), card.name)
        for rid in demo.resellers:
            recipient, addr, regency, postal = ADDRESSES[rid]
            add_address(
                s,
                rid,
                region_kode=regency,
                postal_code=postal,
                is_default=True,
                principal=ops,
                label="Toko",
                recipient=recipient,
                phone="0812-0000-0000",
                street=addr,
            )
            assign_territory(s, rid, regency, principal=ops)
    return (
        f"{regions}; warehouse {WAREHOUSE[0]}; rate card {card.name}:"
        f" {len(lanes)} courier services to {len(DESTINATIONS)} cities; an address per reseller"
    )
