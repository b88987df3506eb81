"""What the demo prints last: one login per role and what to try with it (id and en)."""

from __future__ import annotations

import click

from hub.demo.steps import Demo

# role -> (Indonesian, English): what to look at first with that login
TRY = {
    "owner": (
        "semuanya: dasbor direktur (/reports/dashboard), log audit (/audit: setiap langkah"
        " demo ada di sana, atas nama orang yang melakukannya), kesehatan sinkronisasi, pengguna",
        "everything: the director's dashboard (/reports/dashboard), the audit log (/audit: every"
        " demo step is in it, under the person who did it), sync health, users",
    ),
    "operations": (
        "tinjau penawaran draf (/offers), antrean pencocokan (/catalog/matching),"
        " snapshot di karantina dengan alasannya (/quarantine), e-mail yang gagal terkirim"
        " (/notifications): perbaiki alamat kontaknya (/contacts), lalu kirim ulang",
        "review draft offers (/offers), the matching queue (/catalog/matching),"
        " the quarantined snapshot and its reason (/quarantine), the e-mail that failed"
        " (/notifications): fix the contact's address (/contacts), then retry",
    ),
    "marketing": (
        "kampanye promo kopi: siapa menerima, siapa dilewati dan mengapa, satu yang berhenti"
        " berlangganan; kampanye penawaran yang terjadwal besok (/campaigns); penawaran dan"
        " konversinya (/offers/conversion), kontak reseller dan persetujuan kanalnya (/contacts)",
        "the coffee promotion campaign: who got it, who was skipped and why, one opt-out; the"
        " offers campaign scheduled for tomorrow (/campaigns); offers and their conversion"
        " (/offers/conversion), resellers' contacts and the channels they agreed to (/contacts)",
    ),
    "finance": (
        "konfirmasi bukti transfer yang menunggu (/payments), uang muka per grup reseller"
        " (/down-payments), utang ke pemasok (/purchasing),"
        " bulan lalu yang sudah ditutup dengan laporannya (/reports/periods; paketnya dalam PDF"
        " di kotak surat demo, mailbox/keuangan@distributor.example)",
        "confirm the transfer proof waiting (/payments), the down payment per reseller group"
        " (/down-payments), supplier payables (/purchasing), last"
        " month closed with its reports (/reports/periods; its PDF pack in the demo's mailbox,"
        " mailbox/keuangan@distributor.example)",
    ),
    "inventory": (
        "kemas dan kirim pesanan yang sudah dibayar (/fulfilment), stok per gudang (/stock)"
        " dengan barang retur dan yang dihapus karena rusak",
        "pack and ship the paid order (/fulfilment), stock per warehouse (/stock) with the"
        " returned goods and the damaged ones written off",
    ),
    "repair": (
        "klaim garansi yang sudah diperiksa: perbaiki, ganti atau tolak (/warranty); tiket"
        " layanan pelanggan yang masih terbuka, dengan timer SLA-nya (/care)",
        "the inspected warranty claim: repair, replace or refuse it (/warranty); the customer"
        " care tickets still open, with their SLA timers (/care)",
    ),
    "purchasing": (
        "PO yang masih ditunggu, usulan pemesanan ulang, faktur pemasok (/purchasing)",
        "the purchase order still awaited, reorder suggestions, supplier invoices (/purchasing)",
    ),
    "reseller_admin": (
        "belanja di portal: katalog dengan harga Anda (/portal/catalog), keranjang yang menunggu"
        " (/portal/cart; ud-berkah: templat 'Stok mingguan' dan pesanan dengan uang muka 30 %),"
        " pesanan dan statusnya, bukti transfer, klaim garansi, tiket layanan pelanggan"
        " (/portal/care), laporan rekening (/portal/statement)",
        "shop in the portal: the catalog at your prices (/portal/catalog), the cart waiting"
        " (/portal/cart; ud-berkah: the template 'Stok mingguan' and an order asking a 30 % down"
        " payment), orders and their state, transfer proofs, warranty claims, customer care"
        " tickets (/portal/care), the statement (/portal/statement)",
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
