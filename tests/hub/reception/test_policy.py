"""The path and name rules, as properties over arbitrary client input."""

from __future__ import annotations

import posixpath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.reception import policy
from hub.reception.policy import Area, PathRefused, VPath, resolve

ids = st.from_regex(r"[a-z0-9][a-z0-9-]{1,30}", fullmatch=True)
segments = st.sampled_from(
    ["", ".", "..", "inbox", "outbox", "etc", "toko-b", "x.snap", "a\\b", "\x00", "..."]
)
paths = st.one_of(
    st.text(max_size=60),
    st.lists(segments, max_size=6).map("/".join),
    st.lists(segments, max_size=6).map(lambda p: "/" + "/".join(p)),
)


@given(paths)
def test_resolve_stays_inside_the_virtual_tree(path):
    try:
        vp = resolve(path)
    except PathRefused:
        return
    assert vp.area in (Area.ROOT, Area.INBOX, Area.OUTBOX)
    if vp.name is not None:
        assert vp.area is not Area.ROOT
        assert "/" not in vp.name and "\x00" not in vp.name and not vp.name.startswith(".")
        # joining the name onto the area's folder never leaves it
        assert (
            posixpath.dirname(posixpath.normpath(f"/srv/{vp.area.value}/{vp.name}"))
            == f"/srv/{vp.area.value}"
        )


@given(paths)
def test_canonical_is_absolute_and_clean(path):
    c = policy.canonical(path)
    assert c.startswith("/") and not c.startswith("//")
    assert ".." not in c.split("/")


@given(ids, ids, st.integers(0, 10**12 - 1), st.sampled_from(["full", "incremental"]))
def test_a_reseller_can_never_write_another_resellers_snapshot(me, other, seq, kind):
    name = f"{other}-{seq:012d}-{kind}.snap.part"
    assert policy.may_write(me, name) == (me == other)
    assert policy.may_rename(me, name, name[: -len(".part")]) == (me == other)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", VPath(Area.ROOT)),
        (".", VPath(Area.ROOT)),
        ("inbox", VPath(Area.INBOX)),
        ("/inbox/./a.snap.part", VPath(Area.INBOX, "a.snap.part")),
        ("//outbox//offers.json", VPath(Area.OUTBOX, "offers.json")),
    ],
)
def test_resolve_examples(path, expected):
    assert resolve(path) == expected


@pytest.mark.parametrize(
    "path", ["../x", "/etc/passwd", "inbox/../../other/inbox/x.snap", "inbox/a/b", "inbox/.hidden"]
)
def test_resolve_refuses(path):
    with pytest.raises(PathRefused):
        resolve(path)


def test_names():
    rid = "toko-a"
    assert policy.may_write(rid, "toko-a-000000000007-incremental.snap.part")
    assert policy.may_write(rid, "order-abc_1.json.part")
    assert not policy.may_write(rid, "toko-a-000000000007-incremental.snap")
    assert not policy.may_remove(rid, "order-abc_1.json")
    assert policy.may_rename(rid, "order-abc_1.json.part", "order-abc_1.json")
    assert not policy.may_rename(rid, "order-abc_1.json.part", "order-abc_2.json")
