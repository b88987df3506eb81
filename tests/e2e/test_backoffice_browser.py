"""Issue 19, acceptance 1: from an EMPTY hub to the first paid, shipped, delivered order in
Debian's chromium — no SQL, no ``synchub`` command, no fixture data.

The hub is installed as deploy/README.md installs it (``synchub init``: keys and an empty
database, nothing else) and runs as ``synchub serve`` runs it (built-in SFTP server, ingest
loop, scheduler, uvicorn). In the browser the owner creates itself with the setup code
``synchub serve`` prints, loads the regions, adds a warehouse, a rate card, imports the
catalog, makes a price list and a promotion, and adds a reseller whose real ``syncagent``
(the downloaded configuration, ``syncagent init --from`` then ``push``) sends the
Northwind shop over SFTP; the owner maps its tables, gives it an address, receives stock
and adds the users. The reseller's user orders and sends the proof, finance confirms,
the warehouse packs and ships, staff mark it delivered.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from hub.app import create_app
from hub.core.runtime import init_hub
from hub.core.settings import HubSettings
from hub.demo.sample_data import northwind_sqlite
from hub.serve import background_services
from hub.users.setup import code_file
from tests.e2e.conftest import ARTIFACTS
from tests.hub.catalog.conftest import CATALOG_CSV
from tests.servers import free_port

pytestmark = [pytest.mark.browser, pytest.mark.slow]
OWNER_PW = "kopi tubruk pagi 2026"
NEW_PW = "teh manis sore 2026"
TEMP_PW = "sementara saja 2026"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
RATES = (
    "courier,service,origin,destination,price_per_kg,min_weight,etd_min,etd_max,effective_from,effective_to\n"
    "JNE,REG,32.73,35.78,11000,1,2,3,2025-01-01,\n"
)


@pytest.fixture
def empty_hub(tmp_path: Path) -> Iterator[tuple[HubSettings, str]]:
    """A hub with nothing in it (just installed), served the way ``synchub serve`` serves it."""
    settings = HubSettings(
        home=tmp_path / "hub",
        environment="test",
        secret_key="e2e-secret-" + "x" * 24,  # type: ignore[arg-type]
        sftp_host="127.0.0.1",
        sftp_port=free_port(),
        http_port=free_port(),
        ingest_interval_seconds=1.0,
    )
    init_hub(settings)  # the installation's one step (deploy/README.md), before any use
    with background_services(settings) as _bg:
        server = uvicorn.Server(
            uvicorn.Config(
                create_app(settings), host="127.0.0.1", port=settings.http_port, log_level="warning"
            )
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started, "uvicorn did not start"
        yield settings, f"http://127.0.0.1:{settings.http_port}"
        server.should_exit = True
        thread.join(timeout=10)


def saved(page, url_part: str) -> None:  # ANN001
    page.wait_for_url(re.compile(re.escape(url_part)), timeout=30_000)


def sign_in(page, base: str, user: str, password: str) -> None:  # ANN001
    page.goto(f"{base}/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("form[action='/login'] button[type=submit]")


def first_sign_in(browser, base: str, user: str):  # ANN001, ANN201
    """A new user's first sign-in: the temporary password must be changed first."""
    page = browser.new_page()
    sign_in(page, base, user, TEMP_PW)
    page.wait_for_url(f"{base}/account")
    page.fill("input[name=current]", TEMP_PW)
    page.fill("input[name=new]", NEW_PW)
    page.fill("input[name=repeat]", NEW_PW)
    page.click("form[action='/account/password'] button[type=submit]")
    page.wait_for_load_state()
    return page


def agent(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The reseller's real syncagent, as its operator runs it."""
    cmd = [
        sys.executable,
        "-c",
        "from agent.cli import main; main()",
        "--config",
        str(config),
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


def test_from_an_empty_hub_to_the_first_delivered_order(empty_hub, browser, tmp_path: Path) -> None:
    settings, base = empty_hub
    today = dt.date.today()
    owner = browser.new_page()

    # 1. The owner: the sign-in page of an empty hub points to the first start.
    owner.goto(f"{base}/login")
    owner.click("#first-start a")
    owner.fill("input[name=code]", code_file(settings.home).read_text().strip())
    owner.fill("input[name=username]", "direktur")
    owner.fill("input[name=password]", OWNER_PW)
    owner.click("#create-owner")
    owner.wait_for_url(re.compile(r"/login"))
    sign_in(owner, base, "direktur", OWNER_PW)
    owner.wait_for_url(lambda url: "/login" not in url)

    # 2. Regions, one click.
    owner.goto(f"{base}/regions")
    owner.click("#load-regions")
    owner.locator("#load-done").wait_for(timeout=180_000)

    # 3. A warehouse in Bandung.
    owner.goto(f"{base}/warehouses/new")
    owner.fill("#f-code", "BDG")
    owner.fill("#f-name", "Gudang Bandung")
    owner.fill("#f-region", "32.73")
    owner.click("#save")
    saved(owner, "/warehouses?saved=")

    # 4. A rate card: upload, check the preview, confirm.
    rates = tmp_path / "jne.csv"
    rates.write_text(RATES)
    owner.goto(f"{base}/rate-cards")
    owner.set_input_files("#upload input[type=file]", str(rates))
    owner.click("#upload button[type=submit]")
    owner.locator("#rate-plan").wait_for()
    owner.click("#confirm button")
    owner.locator("#imported").wait_for()

    # 5. The catalog.
    owner.goto(f"{base}/catalog/import")
    owner.set_input_files("#upload input[type=file]", str(CATALOG_CSV))
    owner.click("#upload button[type=submit]")
    owner.click("#confirm button")
    owner.locator("#import-done").wait_for()

    # 6. A price list for everyone with a price typed as Indonesian shows it, and a promotion.
    owner.goto(f"{base}/price-lists/new")
    owner.fill("#f-name", "Umum")
    owner.click("#save")
    saved(owner, "/price-lists?saved=")
    owner.goto(f"{base}/price-list-items/new")
    owner.select_option("#f-price_list", "Umum")
    owner.fill("#f-sku", "NW-0001")
    owner.fill("#f-unit_price", "170.000")
    owner.click("#save")
    saved(owner, "/price-list-items?saved=")
    owner.goto(f"{base}/promotions/new")
    owner.fill("#f-name", "Promo pembukaan")
    owner.fill("#f-sku", "NW-0001")
    owner.fill("#f-percent_off", "10")
    owner.fill("#f-valid_from", today.isoformat())
    owner.fill("#f-valid_until", (today + dt.timedelta(days=30)).isoformat())
    owner.click("#save")
    saved(owner, "/promotions?saved=")

    # 7. A reseller, enrolled by its own agent with the downloaded configuration.
    owner.goto(f"{base}/resellers")
    owner.click("#add-reseller")
    owner.fill("input[name=id]", "toko-maju")
    owner.fill("input[name=name]", "Toko Maju")
    owner.fill("input[name=legal_name]", "CV Toko Maju")
    owner.click("#save")
    owner.wait_for_url(f"{base}/resellers/toko-maju/enrolment")
    with owner.expect_download() as download:
        owner.click("#download-config")
    shop_server = tmp_path / "toko-maju"
    shop_server.mkdir()
    hub_file = shop_server / "syncagent-hub-toko-maju.toml"
    download.value.save_as(hub_file)
    shop_db = northwind_sqlite(shop_server / "northwind.db")
    config = shop_server / "syncagent.toml"
    init = agent(config, "init", "--from", str(hub_file), "--source-url", f"sqlite:///{shop_db}")
    assert init.returncode == 0 and "enrolled at the hub as toko-maju" in init.stdout, (
        init.stdout + init.stderr
    )
    push = agent(config, "push")
    assert push.returncode == 0, push.stdout + push.stderr

    # 8. Its first snapshot merged; its tables mapped; an address; stock received.
    deadline = time.monotonic() + 120
    while True:
        owner.goto(f"{base}/resellers/toko-maju/profile")
        if owner.locator("#last-ack").inner_text() not in ("—", "received", "diterima"):
            break
        assert time.monotonic() < deadline, "the snapshot was not merged"
        time.sleep(1)
    assert owner.locator("#quiet").count() == 0
    owner.click("#apply-mapping")
    owner.locator("#mapped").wait_for()
    assert owner.locator("#mapping-applied").inner_text() == "northwind"
    owner.goto(f"{base}/reseller-addresses/new?reseller=toko-maju")
    owner.fill("#f-label", "Toko")
    owner.fill("#f-region", "35.78")
    owner.check("#f-is_default")
    owner.click("#save")
    saved(owner, "/reseller-addresses?")
    owner.goto(f"{base}/stock-receipts/new?warehouse=BDG")
    owner.fill("#f-sku", "NW-0001")
    owner.fill("#f-quantity", "100")
    owner.fill("#f-reference", "SJ-0001")
    owner.click("#save")
    saved(owner, "/stock-receipts?")

    # 9. Users: the reseller's, finance's, the warehouse's (reseller picked from a list).
    for user, role, reseller in (
        ("kasir", "reseller", "toko-maju"),
        ("keuangan", "finance", ""),
        ("gudang", "inventory", ""),
    ):
        owner.goto(f"{base}/users")
        owner.fill("form[action='/users'] input[name=username]", user)
        owner.fill("form[action='/users'] input[name=password]", TEMP_PW)
        owner.select_option("#role", role)
        if reseller:  # typed, with the hub's suggestions (a thousand resellers make no list)
            owner.locator("#reseller_id").press_sequentially("toko")
            owner.locator(f"#dl-reseller_id option[value='{reseller}']").wait_for(state="attached")
        owner.fill("#reseller_id", reseller)
        owner.click("form[action='/users'] button[type=submit]")
        owner.locator("p.ok").wait_for()

    # 10. The reseller orders and sends its transfer proof.
    shop = first_sign_in(browser, base, "kasir")
    shop.goto(f"{base}/portal/orders")
    shop.fill("#quick-order input[name=sku] >> nth=0", "NW-0001")
    shop.fill("#quick-order input[name=quantity] >> nth=0", "5")
    shop.click("#quick-order button[type=submit]")
    shop.wait_for_url(re.compile(r"/portal/orders/\d+"))
    order_id = int(shop.url.rsplit("/", 1)[1])
    lines = shop.locator("#order-lines").inner_text()
    assert "153.000" in lines  # 170.000 less the 10 % promotion
    assert (
        "Rp 0" not in shop.locator("#amounts").inner_text().split("\n")[1]
    )  # shipping from the rate card
    proof = tmp_path / "bukti.png"
    proof.write_bytes(PNG)
    shop.fill("#proof-form input[name=bank]", "BCA")
    shop.fill("#proof-form input[name=account_holder]", "CV Toko Maju")
    shop.fill("#proof-form input[name=transfer_date]", today.isoformat())
    shop.set_input_files("#proof-form input[name=proof]", str(proof))
    shop.click("#proof-form button[type=submit]")
    shop.locator("#order-message").wait_for()

    # 11. Finance confirms the transfer.
    money = first_sign_in(browser, base, "keuangan")
    money.goto(f"{base}/payments")
    money.click("button.confirm")
    money.wait_for_load_state()

    # 12. The warehouse packs and ships from Bandung (preselected: it holds the order).
    stock = first_sign_in(browser, base, "gudang")
    stock.goto(f"{base}/fulfilment")
    stock.click(
        f"#pack-{order_id} button.pack"
        if stock.locator(f"#pack-{order_id} button.pack").count()
        else "button.pack"
    )
    stock.wait_for_load_state()
    ship = stock.locator(f"#ship-{order_id}")
    assert ship.locator("select[name=warehouse]").input_value() == "BDG"
    ship.locator("input[name=waybill]").fill("JNE0000001")
    ship.locator("button.ship").click()
    stock.locator("#fulfilment-message").wait_for()

    # 13. Staff mark it delivered; its page tells the whole story.
    owner.goto(f"{base}/orders/{order_id}")
    owner.click("#deliver")
    owner.wait_for_url(f"{base}/orders/{order_id}")
    assert owner.locator("h1 .state").inner_text().lower() in ("diterima", "delivered")
    assert owner.locator("#shipped-from").inner_text() == "BDG"
    assert owner.locator("#history li").count() >= 6
    owner.set_viewport_size({"width": 390, "height": 844})  # a phone: nothing wider than it
    for path in (
        "/orders",
        f"/orders/{order_id}",
        "/master",
        "/stock",
        "/resellers/toko-maju/profile",
    ):
        owner.goto(base + path)
        width = owner.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} scrolls sideways on a phone ({width}px)"
    ARTIFACTS.mkdir(exist_ok=True)
    owner.screenshot(path=str(ARTIFACTS / "backoffice-order.png"), full_page=True)
