"""What a campaign says: staff's subject and body in Indonesian and English, started from a
built-in text for its source, with fields filled per recipient, and an opt-out line added
to every message (staff cannot leave it out).

Fields are checked when the campaign is saved, as for the notification templates, so a
typo cannot send ``{nmae}`` to a reseller.
"""

from __future__ import annotations

from typing import Any, Mapping

from itsdangerous import BadSignature, URLSafeSerializer

from hub.notifications.templates import field_problem

LOCALES = ("id", "en")
FIELDS: dict[str, frozenset[str]] = {
    "message": frozenset({"name", "reseller"}),
    "promotion": frozenset({"name", "reseller", "promotion", "until"}),
    "offers": frozenset({"name", "reseller", "offers", "count"}),
}
DEFAULTS: dict[str, dict[str, tuple[str, str]]] = {
    "message": {
        "id": ("Kabar untuk {reseller}", "Halo {name},\n\n"),
        "en": ("News for {reseller}", "Hello {name},\n\n"),
    },
    "promotion": {
        "id": (
            "Promo untuk {reseller}: {promotion}",
            "Halo {name},\n\nAda promo untuk {reseller}: {promotion}, berlaku sampai {until}. "
            "Pesan lewat portal atau sistem toko Anda.",
        ),
        "en": (
            "A promotion for {reseller}: {promotion}",
            "Hello {name},\n\nThere is a promotion for {reseller}: {promotion}, until {until}. "
            "Order through the portal or your shop's system.",
        ),
    },
    "offers": {
        "id": (
            "{count} penawaran baru untuk {reseller}",
            "Halo {name},\n\nAda {count} penawaran baru untuk {reseller}:\n{offers}\n\n"
            "Lihat dan pesan di portal.",
        ),
        "en": (
            "{count} new offers for {reseller}",
            "Hello {name},\n\nThere are {count} new offers for {reseller}:\n{offers}\n\n"
            "See and order them in the portal.",
        ),
    },
}
OPT_OUT = {
    "id": "Tidak ingin menerima pesan seperti ini lewat {channel}? Berhenti di sini: {url}",
    "en": "Don't want messages like this by {channel}? Stop them here: {url}",
}
CHANNEL_WORDS = {
    "id": {"email": "e-mail", "whatsapp": "WhatsApp"},
    "en": {"email": "e-mail", "whatsapp": "WhatsApp"},
}


def check_texts(source: str, texts: Mapping[str, str]) -> dict[str, tuple[str, dict[str, Any]]]:
    """What is wrong with ``subject_id``/``body_id``/``subject_en``/``body_en`` (empty: fine)."""
    allowed = FIELDS[source]
    wrong: dict[str, tuple[str, dict[str, Any]]] = {}
    for locale in LOCALES:
        for part in ("subject", "body"):
            name = f"{part}_{locale}"
            text = texts.get(name, "")
            if not text.strip():
                wrong[name] = ("fill this in", {})
                continue
            problem = field_problem(text, allowed)
            if problem is not None:
                wrong[name] = problem
    return wrong


def compose(
    subject: str,
    body: str,
    locale: str,
    fields: Mapping[str, Any],
    channel: str,
    opt_out_url: str,
) -> tuple[str, str]:
    """The message one recipient gets: staff's text with their fields, then the opt-out line."""
    values = {k: str(v) for k, v in fields.items()}
    lang = locale if locale in LOCALES else "id"
    stop = OPT_OUT[lang].format(channel=CHANNEL_WORDS[lang][channel], url=opt_out_url)
    return subject.format_map(values), f"{body.format_map(values).rstrip()}\n\n--\n{stop}"


def _signer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt="synchub-campaign-opt-out")


def opt_out_token(secret_key: str, contact_id: int, channel: str, campaign_id: int) -> str:
    """A token naming the contact, channel and campaign, signed with the hub's secret key: the
    link works without signing in and cannot be forged for another contact. It never expires
    (people click old messages)."""
    return str(_signer(secret_key).dumps([contact_id, channel, campaign_id]))


def read_opt_out_token(secret_key: str, token: str) -> tuple[int, str, int] | None:
    """(contact, channel, campaign) of a valid token, else None."""
    try:
        value = _signer(secret_key).loads(token)
    except BadSignature:
        return None
    if (
        isinstance(value, list)
        and len(value) == 3
        and isinstance(value[0], int)
        and value[1] in CHANNEL_WORDS["id"]
        and isinstance(value[2], int)
    ):
        return value[0], value[1], value[2]
    return None
