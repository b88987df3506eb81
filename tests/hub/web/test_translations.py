"""Every page, in Indonesian: no message without a translation, no raw state or event name.

The pages are every GET page route of the app (paths filled with real ids of a seeded hub
that has orders, payments, master data...), rendered for a role that may open them. Two
checks per page: each message the page asked the catalogue for has an Indonesian entry,
and no text the reader sees is a raw identifier of a state or an event
(``partially_paid``, ``request_payment``) or an English message left as it is.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from hub.core import i18n
from hub.core.deps import PUBLIC, declared_access, iter_routes
from hub.core.roles import Role
from hub.core.security import LANG_COOKIE
from hub.orders.lifecycle import EVENTS, State
from tests.hub.web.backoffice_kit import filled_paths, seed_backoffice
from tests.hub.web.webkit import Seeded

# Capabilities whose record pages (a purchase order, a claim, an agent file, a mapping, a
# dataset's history, a report and its files, a care ticket, a campaign) are rendered in
# Indonesian by their own tests, on the data those tests build (tests/hub/reports/
# test_translations.py reads every word of every report; tests/hub/care/test_web.py renders
# each ticket page); their list pages are here.
OWN_TESTS = (
    "/purchasing/",
    "/warranty/",
    "/portal/warranty/",
    "/agent/",
    "/mapping/",
    "/data/",
    "/reports/",
    "/portal/statement/",
    "/care/",
    "/portal/care/",
    "/campaigns/",
    "/password/reset/",  # needs a mailed token: tests/hub/portal/test_password_reset.py
    "/media/",  # photos, not pages: tests/hub/portal/test_photos.py
)
RAW = {s.value for s in State if "_" in s.value} | {e for e in EVENTS if "_" in e}
# Words that read the same in both languages (names, codes, units), never a finding.
SAME = re.compile(
    r"^[\W\d_]*$|^(SyncHub|ID|EN|SKU|EAN|NPWP|CSV|XLSX|PDF|API|WhatsApp|E-mail|Email|OK|Rp.*|IDR|JNE|TIKI|POS|REG|YES|kg|cm|WIB|UTC)$"
)


class _Text(HTMLParser):
    """The text a reader sees (not scripts, styles, attribute values)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "code"):  # code: column names of files, meant as typed
            self._skip += 1
        for name, value in attrs:
            if name in ("placeholder", "title", "aria-label") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "code"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def visible(html: str) -> list[str]:
    p = _Text()
    p.feed(html)
    return p.parts


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    return seed_backoffice(Path(tmp_path_factory.mktemp("tr")))


def _role_for(access: object) -> Role | None:
    if access == PUBLIC:
        return None
    for role in (Role.OWNER, Role.RESELLER_ADMIN, Role.RESELLER):
        if role in access:  # type: ignore[operator]
            return role
    return next(iter(access))  # type: ignore[call-overload]


def page_routes(hub: Seeded) -> list[tuple[str, Role | None]]:
    out = []
    for route in iter_routes(hub.app.routes):
        methods = getattr(route, "methods", None) or ()
        if "GET" not in methods or getattr(route, "include_in_schema", True):
            continue
        path = route.path
        machine = ("/healthz", "/readyz", "/metrics")  # for probes and Prometheus, not people
        if path.startswith(("/api/", "/static", "/lang/", "/openapi", *machine)) or path.endswith(
            ("/export", ".pdf", "/suggest", "/regions", "/agent-config")
        ):
            continue
        out.append((path, _role_for(declared_access(route))))
    return out


def test_every_page_in_indonesian_has_every_message_translated(
    hub: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalogue = i18n.catalogue("id")
    # Sentences only: a single word may be a name or a code that happens to be a message id.
    english_only = {k for k, v in catalogue.items() if k != v and " " in k and not SAME.match(k)}
    asked: dict[str, set[str]] = {}
    original = i18n.Formatter.gettext

    def spy(self: i18n.Formatter, text: str, **values: object) -> str:
        if self.lang == "id" and text not in catalogue and not SAME.match(text):
            asked.setdefault(text, set()).add(current[0])
        return original(self, text, **values)

    monkeypatch.setattr(i18n.Formatter, "gettext", spy)
    current = [""]
    paths = filled_paths(hub)
    problems: list[str] = []
    checked = 0
    for template, role in page_routes(hub):
        for path in paths.get(template, [template]):
            if "{" in path and template.startswith(OWN_TESTS):
                continue  # a record page of a capability whose own tests render it in Indonesian
            if "{" in path:
                problems.append(
                    f"{template}: no example path (add it to backoffice_kit.filled_paths)"
                )
                continue
            current[0] = path
            client = hub.client(role) if role else hub.client()
            r = client.get(path)
            if r.status_code == 303:  # "/" sends each role to its start page
                continue
            if r.status_code != 200:
                problems.append(f"{path} as {role}: {r.status_code}")
                continue
            checked += 1
            for text in visible(r.text):
                words = set(re.findall(r"[a-z]+(?:_[a-z]+)+", text))
                if words & RAW:
                    problems.append(f"{path}: raw name {sorted(words & RAW)} in {text[:80]!r}")
                if text in english_only:
                    problems.append(f"{path}: English text {text[:80]!r}")
    problems += [f"no Indonesian for {k!r} (on {sorted(v)[0]})" for k, v in sorted(asked.items())]
    assert checked >= 40, checked
    assert not problems, "\n".join(problems[:80]) + f"\n({len(problems)} in all)"


def test_english_pages_render_too(hub: Seeded) -> None:
    paths = filled_paths(hub)
    for template, role in page_routes(hub):
        for path in paths.get(template, [template]):
            if "{" in path:
                continue
            client = hub.client(role) if role else hub.client()
            client.cookies.set(LANG_COOKIE, "en")
            r = client.get(path)
            assert r.status_code in (200, 303), f"{path}: {r.status_code}"
            raw = {w for t in visible(r.text) for w in re.findall(r"[a-z]+(?:_[a-z]+)+", t)} & RAW
            assert not raw, f"{path}: raw names {raw}"
