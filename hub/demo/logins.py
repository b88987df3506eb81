"""What the demo prints last: one login per role and what to try with it (id and en)."""

from __future__ import annotations

import click

from hub.demo.steps import Demo

# role -> (Indonesian, English): what to look at first with that login
TRY = {
    "owner": (
        "semuanya: kesehatan sinkronisasi, log audit (setiap langkah demo ada di sana), pengguna",
        "everything: sync health, the audit log (every demo step is in it), users",
    ),
    "operations": (
        "tinjau penawaran draf (/offers), antrean pencocokan (/catalog/matching),"
        " snapshot di karantina dengan alasannya (/quarantine)",
        "review draft offers (/offers), the matching queue (/catalog/matching),"
        " the quarantined snapshot and its reason (/quarantine)",
    ),
    "marketing": (
        "penawaran per reseller dan konversinya (/offers, /offers/conversion), katalog",
        "offers per reseller and their conversion (/offers, /offers/conversion), the catalog",
    ),
    "finance": (
        "konfirmasi bukti transfer yang menunggu (/payments), utang ke pemasok (/purchasing)",
        "confirm the transfer proof waiting (/payments), supplier payables (/purchasing)",
    ),
    "inventory": (
        "kemas dan kirim pesanan yang sudah dibayar (/fulfilment), stok per gudang",
        "pack and ship the paid order (/fulfilment), stock per warehouse",
    ),
    "repair": (
        "klaim garansi yang sudah diperiksa: perbaiki, ganti atau tolak (/warranty)",
        "the inspected warranty claim: repair, replace or refuse it (/warranty)",
    ),
    "purchasing": (
        "PO yang masih ditunggu, usulan pemesanan ulang, faktur pemasok (/purchasing)",
        "the purchase order still awaited, reorder suggestions, supplier invoices (/purchasing)",
    ),
    "reseller_admin": (
        "penawaran untuk toko Anda, pesanan dan statusnya, bukti transfer, klaim garansi",
        "your shop's offers, orders and their state, transfer proofs, warranty claims",
    ),
}


def print_logins(demo: Demo, url: str) -> None:
    click.echo(f"\nweb UI: {url}  (Bahasa Indonesia; English: the language switch at the top)")
    click.echo("login per role / akun per peran — username / password: coba / try")
    for login in demo.logins.values():
        idn, eng = TRY[login.role]
        who = f"{login.role} ({login.reseller_id})" if login.reseller_id else login.role
        click.echo(f"  {who:<28} {login.username} / {login.password}")
        click.echo(f"      coba: {idn}")
        click.echo(f"      try:  {eng}")
