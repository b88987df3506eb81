"""Accessibility findings on a page, with axe-core run inside Debian's Chromium.

axe-core is the copy bundled with the ``axe-playwright-python`` package (its ``axe.min.js``,
MPL-2.0), injected into the page from disk -- no CDN, nothing fetched at test time. A finding is
a *serious* or *critical* axe violation, or a form control a user can reach that has no label of
its own (a ``<label>``, ``aria-label`` or ``aria-labelledby``; a ``title`` or a placeholder is not
one, although axe accepts them).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

BLOCKING = ("serious", "critical")

UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(el => el.type !== 'hidden' && el.getClientRects().length > 0)
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                && !el.getAttribute('aria-labelledby'))
  .map(el => el.outerHTML.slice(0, 160))"""


@cache
def _axe() -> Any:
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def findings(page: Any) -> list[str]:
    """What blocks a user of a screen reader or a low-contrast screen here, one line each."""
    page.wait_for_load_state()
    where = re.sub(r"^https?://[^/]+", "", page.url) or "(page)"
    found = [f"{where}: unlabelled control {html}" for html in page.evaluate(UNLABELLED)]
    for v in _axe().run(page).response["violations"]:
        if v["impact"] in BLOCKING:
            targets = "; ".join(" ".join(n["target"]) for n in v["nodes"][:5])
            found.append(f"{where}: {v['id']} ({v['impact']}) {v['help']} -- {targets}")
    return found
