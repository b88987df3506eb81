"""The money and stock reports: payments received, outstanding invoices, purchases and
supplier payments, stock movements, reseller statements (see :mod:`hub.reports.kinds`)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from hub.purchasing.payables import BUCKETS, ageing
from hub.reports import goods, money
from hub.reports import purchases as buying
from hub.reports.model import DATE, INT, MONEY, TEXT, WORD, Column, Section

if TYPE_CHECKING:
    from hub.reports.kinds import Params

ZERO = Decimal("0.00")
_BUCKET_COLUMNS = [Column(b, w, MONEY) for b, w in money.BUCKET_WORDS.items()]


def _sum(rows: list[list[Any]], i: int) -> Decimal:
    return sum((r[i] for r in rows if isinstance(r[i], Decimal)), ZERO)


def payments(session: Session, p: Params) -> list[Section]:
    rows: list[list[Any]] = [
        [x.day, x.invoice, x.reseller_id, x.bank, x.amount, str(x.order_id)]
        for x in money.payments_received(session, p.period, p.filters.reseller)
    ]
    columns = [
        Column("day", "Transfer date", DATE),
        Column("invoice", "Invoice", TEXT, "/orders/{order}"),
        Column("reseller", "Reseller", TEXT),
        Column("bank", "Bank", TEXT),
        Column("amount", "Received", MONEY),
        Column("order", "", TEXT, hidden=True),
    ]
    by_reseller: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, Decimal(0)])
    for r in rows:
        acc = by_reseller[str(r[2])]
        acc[0] += r[4]
        acc[1] += 1
    summary = Section(
        "Payments by reseller",
        [
            Column("reseller", "Reseller", TEXT),
            Column("count", "Transfers", INT),
            Column("amount", "Received", MONEY),
        ],
        [[rid, int(n), amount] for rid, (amount, n) in sorted(by_reseller.items())],
        ["Total", len(rows), _sum(rows, 4)],
    )
    return [
        Section(
            "Payments received", columns, rows, ["Total", None, None, None, _sum(rows, 4), None]
        ),
        summary,
    ]


def outstanding(session: Session, p: Params) -> list[Section]:
    as_of = p.as_of()
    found = money.receivables(session, as_of, p.filters.reseller)
    rows: list[list[Any]] = [
        [
            r.invoice,
            r.reseller_id,
            r.placed_on,
            r.due_on,
            r.amount,
            r.paid,
            r.outstanding,
            max(r.days_overdue(as_of), 0),
            money.BUCKET_WORDS[r.bucket(as_of)],
            str(r.order_id),
        ]
        for r in found
    ]
    columns = [
        Column("invoice", "Invoice", TEXT, "/orders/{order}"),
        Column("reseller", "Reseller", TEXT),
        Column("placed", "Placed", DATE),
        Column("due", "Due", DATE),
        Column("amount", "Invoice amount", MONEY),
        Column("paid", "Paid", MONEY),
        Column("outstanding", "Outstanding", MONEY),
        Column("days", "Days overdue", INT),
        Column("age", "Age", WORD),
        Column("order", "", TEXT, hidden=True),
    ]
    detail = Section(
        "Outstanding invoices",
        columns,
        rows,
        ["Total", None, None, None, _sum(rows, 4), _sum(rows, 5), _sum(rows, 6), None, None, None],
    )
    detail.note = "As of {day}: payments with a transfer date up to that day."
    detail.note_values = {"day": as_of.isoformat()}
    buckets: dict[str, dict[str, Decimal]] = {}
    for r in found:
        line = buckets.setdefault(r.reseller_id, {b: ZERO for b in money.BUCKET_WORDS})
        line[r.bucket(as_of)] += r.outstanding
    ageing_rows: list[list[Any]] = [
        [rid, *line.values(), sum(line.values(), ZERO)] for rid, line in sorted(buckets.items())
    ]
    summary = Section(
        "Receivables ageing",
        [
            Column(
                "reseller",
                "Reseller",
                TEXT,
                "/reports/statement?period={period}&reseller={reseller}",
            ),
            *_BUCKET_COLUMNS,
            Column("total", "Total", MONEY),
        ],
        ageing_rows,
        ["Total", *(_sum(ageing_rows, i) for i in range(1, 7))],
    )
    return [detail, summary]


def purchases(session: Session, p: Params) -> list[Section]:
    inv: list[list[Any]] = [
        [x.day, x.supplier, x.number, x.order, x.total] for x in buying.invoices(session, p.period)
    ]
    pay: list[list[Any]] = [
        [x.day, x.supplier, x.invoice, x.reference, x.amount]
        for x in buying.payments(session, p.period)
    ]
    notes: list[list[Any]] = [
        [x.day, x.supplier, x.number, x.amount] for x in buying.credit_notes(session, p.period)
    ]
    as_of = p.as_of()
    owed: list[list[Any]] = [
        [line.supplier, *(line.amounts[b] for b in BUCKETS), line.total, line.unapplied_credit]
        for line in ageing(session, as_of)
    ]
    owed_section = Section(
        "Payables ageing",
        [
            Column("supplier", "Supplier", TEXT),
            *[Column(b, w, MONEY) for b, w in money.BUCKET_WORDS.items()],
            Column("total", "Total", MONEY),
            Column("credit", "Credit not yet used", MONEY),
        ],
        owed,
        ["Total", *(_sum(owed, i) for i in range(1, 8))],
    )
    owed_section.note = (
        "What is owed to suppliers when the report was made, by days past due on {day}."
    )
    owed_section.note_values = {"day": as_of.isoformat()}
    return [
        Section(
            "Supplier invoices",
            [
                Column("day", "Invoice date", DATE),
                Column("supplier", "Supplier", TEXT),
                Column("number", "Invoice", TEXT),
                Column("order", "Purchase order", TEXT),
                Column("total", "Total", MONEY),
            ],
            inv,
            ["Total", None, None, None, _sum(inv, 4)],
        ),
        Section(
            "Supplier payments",
            [
                Column("day", "Paid on", DATE),
                Column("supplier", "Supplier", TEXT),
                Column("invoice", "Invoice", TEXT),
                Column("reference", "Reference", TEXT),
                Column("amount", "Amount", MONEY),
            ],
            pay,
            ["Total", None, None, None, _sum(pay, 4)],
        ),
        Section(
            "Credit notes",
            [
                Column("day", "Issued on", DATE),
                Column("supplier", "Supplier", TEXT),
                Column("number", "Credit note", TEXT),
                Column("amount", "Amount", MONEY),
            ],
            notes,
            ["Total", None, None, _sum(notes, 3)],
        ),
        owed_section,
    ]


def stock(session: Session, p: Params) -> list[Section]:
    moves = goods.movements(session, p.period, p.filters.product)
    info = goods.products(session, sorted({m.product_id for m in moves}))
    rows: list[list[Any]] = []
    per: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for m in moves:
        sku, name, _ = info.get(m.product_id, (str(m.product_id), "", ""))
        qin, qout = max(m.quantity, 0), max(-m.quantity, 0)
        rows.append([m.day, goods.MOVE_WORDS[m.kind], m.reference, sku, name, qin, qout])
        per[m.product_id][0] += qin
        per[m.product_id][1] += qout
    products: list[list[Any]] = []
    for pid, (qin, qout) in sorted(per.items(), key=lambda kv: info.get(kv[0], (str(kv[0]),))[0]):
        sku, name, _ = info.get(pid, (str(pid), "", ""))
        products.append([sku, name, qin, qout, qin - qout])
    return [
        Section(
            "Stock movements",
            [
                Column("day", "Date", DATE),
                Column("kind", "Movement", WORD),
                Column("reference", "Reference", TEXT),
                Column("sku", "SKU", TEXT),
                Column("name", "Product", TEXT),
                Column("in", "In", INT),
                Column("out", "Out", INT),
            ],
            rows,
            ["Total", None, None, None, None, sum(r[5] for r in rows), sum(r[6] for r in rows)],
        ),
        Section(
            "Movements by product",
            [
                Column("sku", "SKU", TEXT),
                Column("name", "Product", TEXT),
                Column("in", "In", INT),
                Column("out", "Out", INT),
                Column("net", "Net", INT),
            ],
            products,
        ),
    ]


def statement(session: Session, p: Params) -> list[Section]:
    found = money.statements(session, p.period, p.filters.reseller)
    if p.filters.reseller:
        return [_one_statement(s) for s in found] or [
            _one_statement(money.Statement(p.filters.reseller, ZERO, []))
        ]
    rows: list[list[Any]] = []
    for s in found:
        invoiced = sum((e.debit for e in s.entries), ZERO)
        paid = sum((e.credit for e in s.entries if e.kind == "payment"), ZERO)
        withdrawn = sum((e.credit for e in s.entries if e.kind == "void"), ZERO)
        rows.append([s.reseller_id, s.opening, invoiced, paid, withdrawn, s.closing])
    return [
        Section(
            "Reseller statements",
            [
                Column(
                    "reseller",
                    "Reseller",
                    TEXT,
                    "/reports/statement?period={period}&reseller={reseller}",
                ),
                Column("opening", "Opening balance", MONEY),
                Column("invoiced", "Invoiced", MONEY),
                Column("paid", "Payments received", MONEY),
                Column("withdrawn", "Invoices withdrawn", MONEY),
                Column("closing", "Closing balance", MONEY),
            ],
            rows,
            ["Total", *(_sum(rows, i) for i in range(1, 6))],
        )
    ]


def _one_statement(s: money.Statement) -> Section:
    rows: list[list[Any]] = [[None, "Opening balance", "", None, None, s.opening]]
    balance = s.opening
    for e in s.entries:
        balance += e.debit - e.credit
        rows.append(
            [
                e.day,
                money.ENTRY_WORDS[e.kind],
                e.document,
                e.debit or None,
                e.credit or None,
                balance,
            ]
        )
    section = Section(
        "Statement",
        [
            Column("day", "Date", DATE),
            Column("what", "Entry", WORD),
            Column("document", "Invoice", TEXT),
            Column("debit", "Debit", MONEY),
            Column("credit", "Credit", MONEY),
            Column("balance", "Balance", MONEY),
        ],
        rows,
        [
            None,
            "Closing balance",
            None,
            sum((e.debit for e in s.entries), ZERO),
            sum((e.credit for e in s.entries), ZERO),
            s.closing,
        ],
    )
    section.note = "Reseller {reseller}. A negative balance is money owed back to the reseller."
    section.note_values = {"reseller": s.reseller_id}
    return section
