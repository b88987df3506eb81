"""One English message, one translation: capabilities' catalogues are merged into one, so a
message two capabilities translate differently silently takes one capability's word into the
other's pages (a portal invoice's 'Description' once became the mapping editor's 'Keterangan').
"""

from __future__ import annotations

import json
from collections import defaultdict

import pytest

from hub.core.i18n import HUB, LOCALES, catalogue_files


@pytest.mark.parametrize("lang", LOCALES)
def test_no_message_is_translated_two_ways(lang):
    texts: dict[str, dict[str, str]] = defaultdict(dict)
    for path in catalogue_files(lang):
        if path.exists():
            for message, text in json.loads(path.read_text(encoding="utf-8")).items():
                texts[message][str(path.relative_to(HUB))] = text
    clashes = {m: files for m, files in texts.items() if len(set(files.values())) > 1}
    assert not clashes, (
        "the same message has different translations; give one of them its own wording "
        f"(a different English id) or agree on one text: {json.dumps(clashes, ensure_ascii=False, indent=1)}"
    )
