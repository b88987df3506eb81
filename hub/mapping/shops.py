"""Ready-made profiles for two shop systems the resellers run on MySQL, from their published schemas.

**WooCommerce** (WordPress, default table prefix ``wp_``; WooCommerce 4+ keeps
its analytics lookup tables): products and stock in
``wp_wc_product_meta_lookup`` (``product_id``, ``sku``, ``min_price``,
``stock_quantity``), their names and publication status in ``wp_posts``
(``ID``, ``post_title``, ``post_status``), order lines in
``wp_wc_order_product_lookup`` (``product_qty``, ``product_net_revenue`` — a
line total after coupons, before tax — and ``date_created``), order statuses in
``wp_wc_order_stats`` (``wc-completed``, ``wc-processing``, ``wc-cancelled``…)
and customers in ``wp_wc_customer_lookup``. Prices are taken as entered
without tax (WooCommerce's default, "prices entered exclusive of tax").

**OpenCart** (3.x/4.x, table prefix ``oc_``): ``oc_product`` (``price`` before
tax, ``quantity``, ``weight`` in the store's default class, kilograms on a
fresh install, ``status`` 1/0, ``ean``), names in ``oc_product_description``,
lines in ``oc_order_product`` (``price`` per unit before tax), orders in
``oc_order`` (``date_added``, ``order_status_id`` from the default
``oc_order_status`` list), customers in ``oc_customer`` and ``oc_address``.

A shop with another table prefix, another weight unit or prices entered with
tax starts from one of these in the mapping editor and changes what differs.
"""

from __future__ import annotations

from decimal import Decimal

from hub.mapping.profiles import EntityMap, FieldMap, Lookup, Profile

WOO_STATUS = {
    "wc-completed": "completed",
    "wc-processing": "pending",
    "wc-on-hold": "pending",
    "wc-pending": "pending",
    "wc-cancelled": "cancelled",
    "wc-failed": "cancelled",
    "wc-refunded": "returned",
}
WOO_PUBLISHED = {
    "publish": "false",
    "draft": "true",
    "pending": "true",
    "private": "true",
    "trash": "true",
}

WOOCOMMERCE = Profile(
    name="woocommerce",
    description="WooCommerce on MySQL (wp_ prefix): wc_product_meta_lookup, posts, "
    "wc_order_product_lookup, wc_order_stats, wc_customer_lookup",
    entities={
        "product": EntityMap(
            dataset="wp_wc_product_meta_lookup",
            fields={"sku": "product_id", "unit_price": "min_price", "ean": "sku"},
            lookup=Lookup(
                dataset="wp_posts",
                on="product_id",
                key="ID",
                fields={
                    "name": "post_title",
                    "discontinued": FieldMap(column="post_status", values=WOO_PUBLISHED),
                },
            ),
        ),
        "stock_level": EntityMap(
            dataset="wp_wc_product_meta_lookup",
            fields={"sku": "product_id", "on_hand": "stock_quantity"},
        ),
        "sale_line": EntityMap(
            dataset="wp_wc_order_product_lookup",
            fields={
                "order_id": "order_id",
                "sku": "product_id",
                "quantity": "product_qty",
                "unit_price": FieldMap(column="product_net_revenue", divide_by="product_qty"),
                "order_date": "date_created",
            },
            lookup=Lookup(
                dataset="wp_wc_order_stats",
                on="order_id",
                key="order_id",
                fields={"status": FieldMap(column="status", values=WOO_STATUS)},
            ),
        ),
        "customer": EntityMap(
            dataset="wp_wc_customer_lookup",
            fields={
                "customer_id": "customer_id",
                "name": "first_name",
                "city": "city",
                "country": "country",
            },
        ),
    },
)

# OpenCart's default order statuses (oc_order_status, language 1)
OC_STATUS = {
    "1": "pending",  # Pending
    "2": "pending",  # Processing
    "3": "completed",  # Shipped
    "5": "completed",  # Complete
    "7": "cancelled",  # Canceled
    "8": "cancelled",  # Denied
    "9": "completed",  # Canceled Reversal
    "10": "cancelled",  # Failed
    "11": "returned",  # Refunded
    "12": "returned",  # Reversed
    "13": "returned",  # Chargeback
    "14": "cancelled",  # Expired
    "15": "completed",  # Processed
    "16": "cancelled",  # Voided
}

OPENCART = Profile(
    name="opencart",
    description="OpenCart on MySQL (oc_ prefix): product, product_description, order_product, "
    "order, customer, address",
    entities={
        "product": EntityMap(
            dataset="oc_product",
            fields={
                "sku": "product_id",
                "unit_price": FieldMap(column="price", tax="excluded"),
                "ean": "ean",
                "discontinued": FieldMap(column="status", values={"1": "false", "0": "true"}),
                "weight_kg": FieldMap(column="weight", multiply=Decimal(1)),
            },
            lookup=Lookup(
                dataset="oc_product_description",
                on="product_id",
                key="product_id",
                fields={"name": "name"},
            ),
        ),
        "stock_level": EntityMap(
            dataset="oc_product", fields={"sku": "product_id", "on_hand": "quantity"}
        ),
        "sale_line": EntityMap(
            dataset="oc_order_product",
            fields={
                "order_id": "order_id",
                "sku": "product_id",
                "quantity": "quantity",
                "unit_price": "price",
            },
            lookup=Lookup(
                dataset="oc_order",
                on="order_id",
                key="order_id",
                fields={
                    "order_date": "date_added",
                    "status": FieldMap(column="order_status_id", values=OC_STATUS),
                },
            ),
        ),
        "customer": EntityMap(
            dataset="oc_customer",
            fields={"customer_id": "customer_id", "name": "firstname"},
            lookup=Lookup(
                dataset="oc_address", on="customer_id", key="customer_id", fields={"city": "city"}
            ),
        ),
    },
)
