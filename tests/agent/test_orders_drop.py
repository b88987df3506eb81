"""Order files dropped on the agent: checked locally, carried up SFTP, answered by the hub, fetched back."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent.orders import OrderFileError, OrderFolder, order_status, problems_of, validate_file
from agent.push import deliver_pending
from agent.state import AgentState
from hub.orders.sftp import parse_order_file, scan_order_files
from hub.resellers.models import Reseller
from tests.hub.orders.helpers import Hub, seed
from tests.integration.spine_kit import make_agent, spine_hub

# Non-space printable text: U+0085 and U+00A0 are in the range but are spaces to str.strip(),
# and a SKU of spaces only is refused on both sides (tested with the refusals).
skus = st.text(
    st.characters(min_codepoint=33, max_codepoint=0x2FF), min_size=1, max_size=80
).filter(lambda s: s.strip() != "")
lines = st.lists(
    st.fixed_dictionaries({"sku": skus, "quantity": st.integers(1, 10**6)}), min_size=1, max_size=20
)
docs = st.fixed_dictionaries(
    {"lines": lines}, optional={"client_ref": st.text(max_size=200), "note": st.text(max_size=300)}
)


@settings(max_examples=60, deadline=None)
@given(docs)
def test_what_the_agent_accepts_the_hub_parses_the_same(doc: dict) -> None:
    raw = json.dumps(doc).encode()
    assert problems_of(raw) == []
    ref, parsed, note = parse_order_file(raw)
    assert [(ln.sku, ln.quantity) for ln in parsed] == [
        (ln["sku"], ln["quantity"]) for ln in doc["lines"]
    ]
    assert (ref, note) == (doc.get("client_ref", ""), doc.get("note", ""))


@pytest.mark.parametrize(
    "doc, expected",
    [
        ({"lines": [{"sku": "A", "quantity": 0}]}, "lines[1].quantity: must be a whole number ≥ 1"),
        ({"lines": [{"sku": "A", "quantity": 2.5}]}, "lines[1].quantity"),
        ({"lines": [{"sku": "A", "quantity": True}]}, "lines[1].quantity"),
        ({"lines": [{"quantity": 1}]}, 'lines[1]: needs "sku"'),
        ({"lines": [{"sku": "A", "qty": 1}]}, "lines[1].qty: unknown field"),
        ({"line": [{"sku": "A", "quantity": 1}]}, "line: unknown field"),
        ({"lines": []}, "lines: needs a non-empty list"),
        ({"lines": [{"sku": "A", "quantity": 1}], "note": 5}, "note: must be a text"),
    ],
)
def test_bad_order_files_name_the_file_and_field(tmp_path: Path, doc: dict, expected: str) -> None:
    path = tmp_path / "order-po-7.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(OrderFileError) as err:
        validate_file(path)
    assert str(err.value).startswith("order-po-7.json: ") and expected in str(err.value)


def test_bad_names_and_bytes(tmp_path: Path) -> None:
    for name in ("po-7.json", "order-a.b.json", "order-.json"):
        (tmp_path / name).write_text('{"lines": [{"sku": "A", "quantity": 1}]}')
        with pytest.raises(OrderFileError, match="order-<id>.json"):
            validate_file(tmp_path / name)
    assert problems_of(b"{nope")[0].startswith("not UTF-8 JSON")
    assert problems_of(b"") == ["the file is empty"]


def test_drop_push_hub_answers_result_comes_back(tmp_path: Path) -> None:
    shop = tmp_path / "shop.db"
    with sqlite3.connect(shop) as c:
        c.execute("CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT)")
    with spine_hub(tmp_path / "hub") as hub:
        orders_hub = seed(Hub(hub.engine, hub.factory), {"SSD": 5})
        agent = make_agent(
            tmp_path / "agents",
            "r1",
            f"sqlite:///{shop}",
            host="127.0.0.1",
            port=hub.server.port,
            username="r1",
            host_key=hub.keys.host_key_line,
            hub=hub.keys,
            datasets=[{"name": "products", "table": "products", "key": ["id"]}],
            extra='\n[orders]\ndrop_dir = "drop"\n',
        )
        with hub.factory() as s:  # enrol the agent's key for the seeded reseller r1
            s.get(Reseller, "r1").ssh_public_key = agent.handoff.ssh_public_key
            s.commit()
        cfg = agent.config()
        drop = agent.dir / "drop"
        assert cfg.orders_dir == drop
        folder = OrderFolder(drop)
        (drop / "order-po-1.json").write_text(
            json.dumps({"client_ref": "PO-1", "lines": [{"sku": "SSD", "quantity": 2}]})
        )
        (drop / "order-po-2.json").write_text(
            json.dumps({"lines": [{"sku": "NOPE", "quantity": 1}]})
        )
        (drop / "order-po-3.json").write_text(
            json.dumps({"lines": [{"sku": "SSD", "quantity": -1}]})
        )
        (drop / ".order-po-4.json.tmp").write_text("half")  # a system still writing: ignored

        with AgentState(cfg.agent.state_dir) as state:
            r1 = deliver_pending(cfg, state, sleep=lambda _: None)
        assert r1.orders.sent == ["order-po-1.json", "order-po-2.json"]
        assert (
            list(r1.orders.invalid) == ["order-po-3.json"]
            and "quantity" in r1.orders.invalid["order-po-3.json"]
        )
        assert sorted(p.name for p in folder.sent.iterdir()) == [
            "order-po-1.json",
            "order-po-2.json",
        ]
        inbox = hub.settings.sftp_root / "r1" / "inbox"
        assert sorted(p.name for p in inbox.iterdir()) == [
            "order-po-1.json",
            "order-po-2.json",
        ]  # renamed, no .part

        scan = scan_order_files(
            hub.factory,
            hub.settings.sftp_root,
            tmp_path / "archive",
            orders_hub.ctx,
            hub.keys.signing_key,
        )
        assert scan.accepted == ["r1/order-po-1.json"] and scan.refused == ["r1/order-po-2.json"]

        with AgentState(cfg.agent.state_dir) as state:
            r2 = deliver_pending(cfg, state, sleep=lambda _: None)
        assert r2.orders.sent == [] and r2.orders.results == [
            "order-po-1.result.json",
            "order-po-2.result.json",
        ]
        assert r2.rejected_messages == []  # order answers are not mistaken for other hub messages
        ok = json.loads((folder.results / "order-po-1.result.json").read_text())
        assert ok["status"] == "accepted" and ok["order"]["lines"][0]["sku"] == "SSD"
        status = {r["file"]: r for r in order_status(folder)}
        assert status["order-po-1.json"]["status"].startswith("accepted: order ")
        assert status["order-po-2.json"]["status"].startswith("refused: ")
        assert status["order-po-3.json"]["status"].startswith(
            "invalid: order-po-3.json: lines[1].quantity"
        )
        assert ".order-po-4.json.tmp" not in status


def test_only_answers_signed_by_the_pinned_hub_key_are_kept(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from shared.messages import sign_message

    hub_key, impostor = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    folder = OrderFolder(tmp_path / "orders")
    answer = {"file": "order-a.json", "status": "accepted", "order": {"id": 7}}
    assert folder.store_result(
        "order-a.result.json", sign_message(answer, hub_key), hub_key.public_key()
    )
    assert json.loads((folder.results / "order-a.result.json").read_text()) == answer
    for name, raw in [
        ("order-b.result.json", json.dumps({**answer, "file": "order-b.json"}).encode()),
        ("order-c.result.json", sign_message({**answer, "file": "order-c.json"}, impostor)),
        ("order-d.result.json", sign_message(answer, hub_key)),
    ]:  # signed, but for another file
        assert not folder.store_result(name, raw, hub_key.public_key())
        assert (folder.results / "rejected" / name).exists() and not (
            folder.results / name
        ).exists()
