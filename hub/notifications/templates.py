"""Message templates in Indonesian and English: (subject, body) with ``str.format`` fields."""

from __future__ import annotations

from typing import Any, Mapping

from hub.core.i18n import money

TEMPLATES: dict[str, dict[str, tuple[str, str]]] = {
    "order_placed": {
        "id": (
            "Pesanan #{order_id} diterima",
            "Pesanan #{order_id} sudah kami terima. Faktur {invoice}. Silakan transfer {amount} "
            "dengan berita {reference} sebelum {due}.",
        ),
        "en": (
            "Order #{order_id} received",
            "We received order #{order_id}. Invoice {invoice}. Please transfer {amount} "
            "with reference {reference} before {due}.",
        ),
    },
    "payment_received": {
        "id": (
            "Pembayaran pesanan #{order_id} diterima",
            "Pembayaran {amount} untuk pesanan #{order_id} sudah dikonfirmasi. Sisa tagihan: {due}.",
        ),
        "en": (
            "Payment for order #{order_id} received",
            "Your payment of {amount} for order #{order_id} is confirmed. Still due: {due}.",
        ),
    },
    "payment_rejected": {
        "id": (
            "Bukti transfer pesanan #{order_id} ditolak",
            "Bukti transfer untuk pesanan #{order_id} ditolak: {reason}. Silakan kirim ulang.",
        ),
        "en": (
            "Transfer proof for order #{order_id} rejected",
            "The transfer proof for order #{order_id} was rejected: {reason}. Please send it again.",
        ),
    },
    "order_shipped": {
        "id": (
            "Pesanan #{order_id} dikirim",
            "Pesanan #{order_id} dikirim dengan {courier} {service}, nomor resi {waybill}.",
        ),
        "en": (
            "Order #{order_id} shipped",
            "Order #{order_id} was shipped with {courier} {service}, waybill {waybill}.",
        ),
    },
    "order_expiring": {
        "id": (
            "Pesanan #{order_id} akan kedaluwarsa",
            "Pesanan #{order_id} belum dibayar dan akan dibatalkan setelah {due}.",
        ),
        "en": (
            "Order #{order_id} is about to expire",
            "Order #{order_id} is not paid yet and will be cancelled after {due}.",
        ),
    },
    # purchasing: to a supplier's address, with the purchase order's PDF attached
    "purchase_order": {
        "id": (
            "Pesanan pembelian {number} dari {buyer}",
            "Yth. {supplier},\n\nTerlampir pesanan pembelian {number} senilai Rp {total}, "
            "dikirim ke {warehouse}. Mohon konfirmasi tanggal pengiriman dan cantumkan nomor "
            "{number} pada surat jalan dan faktur.\n\nTerima kasih,\n{buyer}",
        ),
        "en": (
            "Purchase order {number} from {buyer}",
            "Dear {supplier},\n\nPlease find attached purchase order {number} of IDR {total}, "
            "to be delivered to {warehouse}. Please confirm the delivery date and quote {number} "
            "on the delivery note and invoice.\n\nThank you,\n{buyer}",
        ),
    },
    # warranty: every step of a reseller's claim (step and state words in both languages)
    "warranty_update": {
        "id": (
            "Klaim garansi {number}: {step_id}",
            "Klaim garansi {number}: {step_id}. Status sekarang: {state_id}. {note_id}",
        ),
        "en": (
            "Warranty claim {number}: {step_en}",
            "Warranty claim {number}: {step_en}. Status now: {state_en}. {note_en}",
        ),
    },
    # warranty: the defective unit claimed from the supplier (to the supplier's address)
    "supplier_claim": {
        "id": (
            "Klaim garansi {number} untuk {supplier}",
            "Yth. {supplier},\n\nKami mengajukan klaim garansi {number} untuk {product}, nomor seri "
            "{serial}: {problem}. Unit akan kami kirimkan. Mohon jawaban berupa nota kredit, unit "
            "pengganti, atau alasan penolakan.",
        ),
        "en": (
            "Warranty claim {number} for {supplier}",
            "Dear {supplier},\n\nWe claim warranty {number} for {product}, serial {serial}: "
            "{problem}. The unit is on its way to you. Please answer with a credit note, a "
            "replacement unit, or the reason for a refusal.",
        ),
    },
    # Alerts to staff who subscribed (hub.monitoring): each says what happened and what to do.
    "alert_missed_sync": {
        "id": (
            "[SyncHub] {reseller} belum sinkron",
            "Reseller {reseller} belum mengirim snapshot sejak {last} (diharapkan setiap {every} jam). "
            "Periksa agen di server reseller: `syncagent status` dan log layanannya.",
        ),
        "en": (
            "[SyncHub] {reseller} missed its sync",
            "Reseller {reseller} has sent no snapshot since {last} (expected every {every} hours). "
            "Check the agent on the reseller's server: `syncagent status` and its service log.",
        ),
    },
    "alert_quarantine": {
        "id": (
            "[SyncHub] Snapshot {reseller} #{sequence} dikarantina",
            "Snapshot #{sequence} dari {reseller} ditolak: {reason_id}. "
            "Lihat `synchub ingest quarantine` lalu perbaiki sumbernya atau coba lagi.",
        ),
        "en": (
            "[SyncHub] Snapshot {reseller} #{sequence} quarantined",
            "Snapshot #{sequence} from {reseller} was refused: {reason_en}. "
            "See `synchub ingest quarantine`, then fix the source or retry.",
        ),
    },
    "alert_conflict": {
        "id": (
            "[SyncHub] Snapshot {reseller} #{sequence} tidak diterapkan (nomor bentrok)",
            "Snapshot #{sequence} dari {reseller} tidak diterapkan: {reason_id}. "
            "Pastikan push berikutnya diterapkan (`synchub snapshots list --reseller {reseller}`); "
            "jika tidak, minta snapshot penuh dari halaman reseller atau "
            "`synchub snapshots request-full {reseller}`.",
        ),
        "en": (
            "[SyncHub] Snapshot {reseller} #{sequence} not applied (sequence conflict)",
            "Snapshot #{sequence} from {reseller} was not applied: {reason_en}. "
            "Check that its next push is applied (`synchub snapshots list --reseller {reseller}`); "
            "if not, ask for a full snapshot on the reseller's page or with "
            "`synchub snapshots request-full {reseller}`.",
        ),
    },
    "alert_held": {
        "id": (
            "[SyncHub] Snapshot {reseller} #{sequence} tertahan",
            "Snapshot #{sequence} dari {reseller} menunggu snapshot yang hilang ({missing}). "
            "Minta reseller menjalankan `syncagent push` (atau snapshot penuh).",
        ),
        "en": (
            "[SyncHub] Snapshot {reseller} #{sequence} is held",
            "Snapshot #{sequence} from {reseller} waits for missing snapshots ({missing}). "
            "Ask the reseller to run `syncagent push` (or a full snapshot).",
        ),
    },
    "alert_job_failed": {
        "id": (
            "[SyncHub] Tugas {job} gagal",
            "Tugas berkala {job} gagal: {error}. Lihat log hub; tugas dicoba lagi pada jadwal berikutnya.",
        ),
        "en": (
            "[SyncHub] Job {job} failed",
            "The periodic job {job} failed: {error}. See the hub's log; it runs again at its next time.",
        ),
    },
    "password_reset": {
        "id": (
            "Atur ulang kata sandi SyncHub untuk {username}",
            "Seseorang (semoga Anda) meminta atur ulang kata sandi untuk pengguna {username}. "
            "Buka tautan ini dalam {minutes} menit untuk membuat kata sandi baru: {link}\n"
            "Tautan hanya bisa dipakai sekali. Jika Anda tidak memintanya, abaikan e-mail ini.",
        ),
        "en": (
            "Reset the SyncHub password of {username}",
            "Someone (we hope you) asked to reset the password of user {username}. "
            "Open this link within {minutes} minutes to choose a new password: {link}\n"
            "The link works once. If you did not ask for it, ignore this e-mail.",
        ),
    },
    # customer care (hub.care): the reseller told of a reply or a resolution, staff of a late ticket
    "care_reply": {
        "id": (
            "Tiket {number}: ada balasan",
            "Tiket {number} ({subject}) mendapat balasan dari tim kami:\n\n{body}\n\n"
            "Balas atau lihat tiket di portal: Layanan pelanggan.",
        ),
        "en": (
            "Ticket {number}: a reply",
            "Ticket {number} ({subject}) has a reply from our team:\n\n{body}\n\n"
            "Answer or see the ticket in the portal: Customer care.",
        ),
    },
    "care_resolved": {
        "id": (
            "Tiket {number} selesai",
            "Tiket {number} ({subject}) telah diselesaikan. {body} Mohon beri tahu kami apakah Anda "
            "puas: satu pertanyaan di portal (Layanan pelanggan). Bila masalahnya belum beres, "
            "balas tiketnya.",
        ),
        "en": (
            "Ticket {number} resolved",
            "Ticket {number} ({subject}) is resolved. {body} Please tell us whether you are "
            "satisfied: one question in the portal (Customer care). If the problem is not solved, "
            "reply to the ticket.",
        ),
    },
    "alert_care_sla": {
        "id": (
            "[SyncHub] Tiket {number} terlambat ({timer})",
            "Tiket {number} dari {reseller} (prioritas {priority}) melewati target {timer}: "
            "jatuh tempo {due_at} UTC. Buka tiket di halaman Layanan pelanggan, tugaskan ke staf "
            "dan balas reseller.",
        ),
        "en": (
            "[SyncHub] Ticket {number} is late ({timer})",
            "Ticket {number} from {reseller} (priority {priority}) missed its {timer} target: "
            "due {due_at} UTC. Open it on the Customer care page, assign it and answer the reseller.",
        ),
    },
    # reports: the monthly pack to its subscribers, the PDF attached
    "reports_monthly": {
        "id": (
            "[SyncHub] Laporan bulanan {period}",
            "Terlampir laporan bulan {period}: penjualan, pembayaran, piutang, pembelian, stok, "
            "rekening reseller. {status} Semua laporan juga ada di halaman Laporan hub.",
        ),
        "en": (
            "[SyncHub] Monthly reports {period}",
            "Attached are the reports of {period}: sales, payments, receivables, purchases, stock, "
            "reseller statements. {status} Every report is also on the hub's Reports page.",
        ),
    },
}
TEMPLATES["birthday_promotion"] = {
    "id": (
        "Selamat ulang tahun, {name}!",
        "Selamat ulang tahun dari kami. Hadiah untuk {reseller}: {promotion} sampai {until}.",
    ),
    "en": (
        "Happy birthday, {name}!",
        "Happy birthday from us. A gift for {reseller}: {promotion} until {until}.",
    ),
}
TEMPLATES["anniversary_promotion"] = {
    "id": (
        "Selamat hari jadi, {name}!",
        "Terima kasih atas kerja samanya. Hadiah untuk {reseller}: {promotion} sampai {until}.",
    ),
    "en": (
        "Happy anniversary, {name}!",
        "Thank you for working with us. A gift for {reseller}: {promotion} until {until}.",
    ),
}
TEMPLATES["order_cancelled"] = {
    "id": ("Pesanan #{order_id} dibatalkan", "Pesanan #{order_id} dibatalkan: {reason}."),
    "en": ("Order #{order_id} cancelled", "Order #{order_id} was cancelled: {reason}."),
}
# A campaign's message (hub.campaigns): staff wrote it and the campaign filled it in for its
# recipient, so the outbox only carries it.
TEMPLATES["campaign"] = {"id": ("{subject}", "{body}"), "en": ("{subject}", "{body}")}
LOCALES = ("id", "en")
# Which contacts hear a reseller's message: those whose roles include its topic.
TOPICS = {
    "order_placed": "orders",
    "order_expiring": "orders",
    "order_cancelled": "orders",
    "payment_received": "payments",
    "payment_rejected": "payments",
    "order_shipped": "shipping",
    "birthday_promotion": "marketing",
    "anniversary_promotion": "marketing",
    "campaign": "marketing",
}
ROLES = ("orders", "payments", "shipping", "marketing")


def fields_of(text: str) -> set[str]:
    """The ``{name}`` fields a template text uses."""
    import string

    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def field_problem(
    text: str, allowed: set[str] | frozenset[str]
) -> tuple[str, dict[str, str]] | None:
    """What is wrong with the fields of a text staff wrote (an English message id and its
    values), or None: an unpaired brace, or a field outside ``allowed``."""
    try:
        unknown = fields_of(text) - allowed
    except ValueError:
        return ("a brace is left open or unpaired", {})
    if unknown:
        return (
            "unknown fields {fields}: use {allowed}",
            {"fields": ", ".join(sorted(unknown)), "allowed": ", ".join(sorted(allowed))},
        )
    return None


def render(
    template: str,
    locale: str,
    payload: Mapping[str, Any],
    own: tuple[str, str] | None = None,
) -> tuple[str, str]:
    """Subject and body (staff's ``own`` wording when given); an unknown locale falls back to
    Indonesian, a missing field shows as '?'."""
    variants = TEMPLATES[template]
    subject, body = own or variants.get(locale) or variants["id"]

    class _Fields(dict[str, Any]):
        def __missing__(self, key: str) -> str:
            return "?"

    fields = _Fields(payload)
    for name in MONEY_FIELDS & set(payload):
        fields[name] = _money_or_raw(payload[name], locale)
    return subject.format_map(fields), body.format_map(fields)


MONEY_FIELDS = {"amount", "due"}  # written with the hub's one money format, in the locale


def _money_or_raw(value: Any, locale: str) -> str:
    try:
        return money(value, locale)
    except (ArithmeticError, ValueError, TypeError):
        return str(value)
