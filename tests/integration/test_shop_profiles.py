"""The ready-made WooCommerce and OpenCart profiles on MariaDB shops built from those systems'
published table definitions (the columns the profiles read, with their real types), pushed by a
real agent: the profile previews without a problem and gives the entities the shop means —
unit prices from line totals, statuses through the value map, a disabled product discontinued."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest

from hub.core.db import transaction
from hub.mapping import service
from hub.mapping.ready import PROFILES
from tests.integration.spine_kit import (
    Source,
    SpineHub,
    make_agent,
    run_sql,
    source_datasets,
    spine_hub,
)

pytestmark = [pytest.mark.mariadb]

WOOCOMMERCE = [
    "CREATE TABLE wp_posts (ID bigint(20) unsigned NOT NULL AUTO_INCREMENT, post_author bigint(20) "
    "unsigned NOT NULL DEFAULT 0, post_date datetime NOT NULL DEFAULT '0000-00-00 00:00:00', "
    "post_title text NOT NULL, post_status varchar(20) NOT NULL DEFAULT 'publish', post_name "
    "varchar(200) NOT NULL DEFAULT '', post_modified datetime NOT NULL DEFAULT '0000-00-00 00:00:00', "
    "post_type varchar(20) NOT NULL DEFAULT 'post', PRIMARY KEY (ID))",
    "CREATE TABLE wp_wc_product_meta_lookup (product_id bigint(20) NOT NULL, sku varchar(100) NULL "
    "default '', `virtual` tinyint(1) NULL default 0, downloadable tinyint(1) NULL default 0, "
    "min_price decimal(19,4) NULL default NULL, max_price decimal(19,4) NULL default NULL, onsale "
    "tinyint(1) NULL default 0, stock_quantity double NULL default NULL, stock_status varchar(100) "
    "NULL default 'instock', total_sales bigint(20) NULL default 0, tax_status varchar(100) NULL "
    "default 'taxable', tax_class varchar(100) NULL default '', PRIMARY KEY (product_id))",
    "CREATE TABLE wp_wc_order_stats (order_id bigint(20) unsigned NOT NULL, parent_id bigint(20) "
    "unsigned DEFAULT 0 NOT NULL, date_created datetime DEFAULT '0000-00-00 00:00:00' NOT NULL, "
    "num_items_sold int(11) DEFAULT 0 NOT NULL, total_sales double DEFAULT 0 NOT NULL, tax_total "
    "double DEFAULT 0 NOT NULL, net_total double DEFAULT 0 NOT NULL, status varchar(200) NOT NULL, "
    "customer_id bigint(20) unsigned NOT NULL, PRIMARY KEY (order_id))",
    "CREATE TABLE wp_wc_order_product_lookup (order_item_id BIGINT UNSIGNED NOT NULL, order_id "
    "BIGINT UNSIGNED NOT NULL, product_id BIGINT UNSIGNED NOT NULL, variation_id BIGINT UNSIGNED NOT "
    "NULL, customer_id BIGINT UNSIGNED NULL, date_created datetime DEFAULT '0000-00-00 00:00:00' NOT "
    "NULL, product_qty INT NOT NULL, product_net_revenue double DEFAULT 0 NOT NULL, "
    "product_gross_revenue double DEFAULT 0 NOT NULL, coupon_amount double DEFAULT 0 NOT NULL, "
    "tax_amount double DEFAULT 0 NOT NULL, PRIMARY KEY (order_item_id))",
    "CREATE TABLE wp_wc_customer_lookup (customer_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT, "
    "user_id BIGINT UNSIGNED DEFAULT NULL, username varchar(60) DEFAULT '' NOT NULL, first_name "
    "varchar(255) NOT NULL, last_name varchar(255) NOT NULL, email varchar(100) NULL default NULL, "
    "country char(2) DEFAULT '' NOT NULL, postcode varchar(20) DEFAULT '' NOT NULL, city "
    "varchar(100) DEFAULT '' NOT NULL, state varchar(100) DEFAULT '' NOT NULL, PRIMARY KEY "
    "(customer_id))",
    "INSERT INTO wp_posts (ID, post_title, post_status, post_type) VALUES "
    "(10, 'Router AX3000', 'publish', 'product'), (11, 'Kabel LAN 5m', 'trash', 'product'), "
    "(12, 'Halaman Tentang', 'publish', 'page')",
    "INSERT INTO wp_wc_product_meta_lookup (product_id, sku, min_price, max_price, stock_quantity) "
    "VALUES (10, 'RT-AX3000', 1250000.0000, 1250000.0000, 7), (11, 'LAN-5M', 35000.0000, "
    "35000.0000, 0)",
    "INSERT INTO wp_wc_order_stats (order_id, date_created, num_items_sold, status, customer_id) "
    "VALUES (500, '2026-11-02 10:00:00', 3, 'wc-completed', 1), "
    "(501, '2026-11-03 11:00:00', 1, 'wc-cancelled', 1)",
    "INSERT INTO wp_wc_order_product_lookup (order_item_id, order_id, product_id, variation_id, "
    "customer_id, date_created, product_qty, product_net_revenue, product_gross_revenue) VALUES "
    "(1, 500, 10, 0, 1, '2026-11-02 10:00:00', 2, 2500000, 2775000), "
    "(2, 500, 11, 0, 1, '2026-11-02 10:00:00', 3, 105000, 116550), "
    "(3, 501, 10, 0, 1, '2026-11-03 11:00:00', 1, 1250000, 1387500)",
    "INSERT INTO wp_wc_customer_lookup (customer_id, username, first_name, last_name, country, "
    "city) VALUES (1, 'budi', 'Budi', 'Santoso', 'ID', 'Bandung')",
]
OPENCART = [
    "CREATE TABLE oc_product (product_id int(11) NOT NULL AUTO_INCREMENT, model varchar(64) NOT "
    "NULL, sku varchar(64) NOT NULL, upc varchar(12) NOT NULL, ean varchar(14) NOT NULL, quantity "
    "int(4) NOT NULL DEFAULT 0, stock_status_id int(11) NOT NULL, price decimal(15,4) NOT NULL "
    "DEFAULT 0.0000, tax_class_id int(11) NOT NULL, weight decimal(15,8) NOT NULL DEFAULT "
    "0.00000000, weight_class_id int(11) NOT NULL DEFAULT 0, status tinyint(1) NOT NULL DEFAULT 0, "
    "date_added datetime NOT NULL, date_modified datetime NOT NULL, PRIMARY KEY (product_id))",
    "CREATE TABLE oc_product_description (product_id int(11) NOT NULL, language_id int(11) NOT "
    "NULL, name varchar(255) NOT NULL, description text NOT NULL, PRIMARY KEY (product_id, "
    "language_id))",
    "CREATE TABLE oc_order (order_id int(11) NOT NULL AUTO_INCREMENT, customer_id int(11) NOT NULL, "
    "firstname varchar(32) NOT NULL, lastname varchar(32) NOT NULL, total decimal(15,4) NOT NULL "
    "DEFAULT 0.0000, order_status_id int(11) NOT NULL DEFAULT 0, currency_code varchar(3) NOT "
    "NULL, date_added datetime NOT NULL, date_modified datetime NOT NULL, PRIMARY KEY (order_id))",
    "CREATE TABLE oc_order_product (order_product_id int(11) NOT NULL AUTO_INCREMENT, order_id "
    "int(11) NOT NULL, product_id int(11) NOT NULL, name varchar(255) NOT NULL, model varchar(64) "
    "NOT NULL, quantity int(4) NOT NULL, price decimal(15,4) NOT NULL DEFAULT 0.0000, total "
    "decimal(15,4) NOT NULL DEFAULT 0.0000, tax decimal(15,4) NOT NULL DEFAULT 0.0000, reward "
    "int(8) NOT NULL, PRIMARY KEY (order_product_id))",
    "CREATE TABLE oc_customer (customer_id int(11) NOT NULL AUTO_INCREMENT, firstname varchar(32) "
    "NOT NULL, lastname varchar(32) NOT NULL, email varchar(96) NOT NULL, status tinyint(1) NOT "
    "NULL, date_added datetime NOT NULL, PRIMARY KEY (customer_id))",
    "CREATE TABLE oc_address (address_id int(11) NOT NULL AUTO_INCREMENT, customer_id int(11) NOT "
    "NULL, firstname varchar(32) NOT NULL, city varchar(128) NOT NULL, country_id int(11) NOT NULL "
    "DEFAULT 0, PRIMARY KEY (address_id))",
    "INSERT INTO oc_product VALUES (40, 'SW-8', 'SW-8P', '', '8991234567890', 12, 7, 450000.0000, "
    "9, 0.75000000, 1, 1, '2026-10-01 09:00:00', '2026-10-01 09:00:00'), (41, 'OLD-HUB', '', '', "
    "'', 0, 5, 99000.0000, 9, 0.30000000, 1, 0, '2026-01-01 09:00:00', '2026-06-01 09:00:00')",
    "INSERT INTO oc_product_description VALUES (40, 1, 'Switch 8 port', ''), (41, 1, 'Hub lama', '')",
    "INSERT INTO oc_order VALUES (900, 3, 'Sari', 'Dewi', 900000, 5, 'IDR', '2026-11-20 14:00:00', "
    "'2026-11-21 09:00:00'), (901, 3, 'Sari', 'Dewi', 450000, 7, 'IDR', '2026-11-22 14:00:00', "
    "'2026-11-22 15:00:00')",
    "INSERT INTO oc_order_product VALUES (1, 900, 40, 'Switch 8 port', 'SW-8', 2, 450000, 900000, "
    "49500, 0), (2, 901, 40, 'Switch 8 port', 'SW-8', 1, 450000, 450000, 49500, 0)",
    "INSERT INTO oc_customer VALUES (3, 'Sari', 'Dewi', 'sari@example.co.id', 1, '2026-01-05 08:00:00')",
    "INSERT INTO oc_address VALUES (1, 3, 'Sari', 'Yogyakarta', 100)",
]


@pytest.fixture(scope="module")
def hub(tmp_path_factory) -> Iterator[SpineHub]:
    with spine_hub(tmp_path_factory.mktemp("hub")) as h:
        yield h


@pytest.mark.parametrize("shop", ["woocommerce", "opencart"])
def test_a_ready_made_shop_profile_maps_that_shop(shop, hub, mariadb_server, tmp_path) -> None:
    db = mariadb_server.create_database()
    try:
        url = f"mysql://{mariadb_server.user}@{mariadb_server.host}:{mariadb_server.port}/{db}"
        src = Source("mysql", url, mariadb_server.password)
        run_sql(src, WOOCOMMERCE if shop == "woocommerce" else OPENCART)
        rid = f"shop-{shop[:4]}"
        agent = make_agent(
            tmp_path,
            rid,
            url,
            hub=hub.keys,
            password=src.password,
            datasets=source_datasets(src.read_url),  # one dataset per table, as `syncagent init`
            host="127.0.0.1",
            port=hub.server.port,
            username=rid,
            host_key=hub.keys.host_key_line,
        )
        hub.enrol(rid, agent.handoff, "mysql")
        agent.push()
        hub.ingest()
        with transaction(hub.factory) as s:
            preview = service.preview(s, rid, PROFILES[shop])
            assert {e: p.problems for e, p in preview.items()} == {e: [] for e in preview}
            service.apply(s, rid, PROFILES[shop])
        with hub.factory() as s:
            entities = {
                e: [dict(zip(*((f, r)))) for r in rows]
                for e in ("product", "stock_level", "sale_line", "customer")
                for f, rows in [service.entity_rows(s, rid, e)]
            }
    finally:
        mariadb_server.drop_database(db)
    products = {p["sku"]: p for p in entities["product"]}
    stock = {r["sku"]: r["on_hand"] for r in entities["stock_level"]}
    lines = sorted(entities["sale_line"], key=lambda r: (r["order_id"], r["sku"]))
    if shop == "woocommerce":
        assert products["10"]["name"] == "Router AX3000" and products["10"]["ean"] == "RT-AX3000"
        assert (products["10"]["discontinued"], products["11"]["discontinued"]) == (False, True)
        assert products["10"]["unit_price"] == Decimal("1250000.0000") and stock == {
            "10": 7,
            "11": 0,
        }
        assert [
            (r["order_id"], r["sku"], r["quantity"], r["unit_price"], r["status"]) for r in lines
        ] == [
            ("500", "10", 2, Decimal("1250000.0000"), "completed"),
            ("500", "11", 3, Decimal("35000.0000"), "completed"),  # 105000 / 3
            ("501", "10", 1, Decimal("1250000.0000"), "cancelled"),
        ]
        assert lines[0]["order_date"] == dt.date(2026, 11, 2)
        assert entities["customer"] == [
            {"customer_id": "1", "name": "Budi", "city": "Bandung", "country": "ID"}
        ]
    else:
        assert (
            products["40"]["name"] == "Switch 8 port" and products["40"]["ean"] == "8991234567890"
        )
        assert (products["40"]["discontinued"], products["41"]["discontinued"]) == (False, True)
        assert products["40"]["weight_kg"] == Decimal("0.75") and stock == {"40": 12, "41": 0}
        assert [(r["order_id"], r["quantity"], r["unit_price"], r["status"]) for r in lines] == [
            ("900", 2, Decimal("450000.0000"), "completed"),
            ("901", 1, Decimal("450000.0000"), "cancelled"),
        ]
        assert lines[0]["order_date"] == dt.date(2026, 11, 20)
        assert entities["customer"][0]["city"] == "Yogyakarta"
