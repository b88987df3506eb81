"""Report pages: the list of reports, each report (with its PDF and XLSX), the director's
dashboard, closing months, the monthly e-mail, and a reseller's own statement in the portal.

Reports are read-only pages; closing, reopening and subscribing re-render the page with
the message and what was typed when refused (:func:`hub.purchasing.web.attempt`).
"""

from __future__ import annotations

from typing import Any, Optional
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from hub.core import nav
from hub.core.deps import CurrentPrincipal, SessionDep, require
from hub.core.i18n import Formatter
from hub.core.roles import RESELLER_ROLES, Principal, Role
from hub.core.templating import language, render
from hub.periods import service as periods
from hub.periods.calendar import Period, today
from hub.purchasing.web import attempt
from hub.reports import charts, subscriptions
from hub.reports import dashboard as board
from hub.reports.files import download
from hub.reports.kinds import KINDS, Params
from hub.reports.query import last_month, params_from, query_of
from hub.reports.render import cell, cut_note, heading, note
from hub.reports.sales import Filters
from hub.reports.store import close_month, report

router = APIRouter(include_in_schema=False)
READERS = (Role.OWNER, Role.FINANCE, Role.OPERATIONS)
CLOSERS = (Role.OWNER, Role.FINANCE)
PAGE_ROWS = 500

nav.register(
    nav.NavItem(
        "Director",
        "/reports/dashboard",
        frozenset({Role.OWNER, Role.FINANCE, Role.OPERATIONS}),
        order=8,
    )
)
nav.register(nav.NavItem("Reports", "/reports", frozenset(READERS), order=9))
# The reseller reaches its monthly statement from the portal's running statement (/portal/statement).


def _helpers(request: Request) -> dict[str, Any]:
    fmt = Formatter(language(request), getattr(request.state, "user_tz", None))
    return {
        "cell": lambda column, value, total=False: cell(fmt, column, value, total=total),
        "section_note": lambda section: note(fmt, section),
        "cut_note": lambda shown, more: cut_note(fmt, shown, more),
        "page_rows": PAGE_ROWS,
    }


@router.get("/reports", dependencies=[require(*READERS)])
def index(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    return _index(request, session, principal)


def _index(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    error: Any = None,
    form: Optional[dict[str, str]] = None,
) -> Response:
    return render(
        request,
        "reports_index.html",
        {
            "kinds": KINDS.values(),
            "period": _period(request),
            "months": periods.recent(session, 12),
            "mine": subscriptions.of_user(session, principal.user_id),
            "error": error,
            "form": form or {},
        },
    )


def _period(request: Request) -> Period:
    raw = request.query_params.get("period") or ""
    return Period.parse(raw) if raw else last_month()


@router.get("/reports/dashboard", dependencies=[require(*READERS)])
def dashboard_page(request: Request, session: SessionDep) -> Response:
    raw = request.query_params.get("period") or ""
    period = Period.parse(raw) if raw else Period.containing(today())
    if period.kind != "month":
        period = Period(period.start)
    d = board.build(session, period)
    fmt = Formatter(language(request))
    return render(
        request,
        "reports_dashboard.html",
        {"d": d, "charts": _charts(d, fmt), "months": [Period(p.start) for p in _months(period)]},
    )


def _months(period: Period) -> list[Period]:
    out, p = [], period
    for _ in range(12):
        out.append(p)
        p = p.previous()
    return out


def _link(path: str, **query: Any) -> str:
    return f"{path}?{urlencode({k: v for k, v in query.items() if v not in (None, '')})}"


def _charts(d: board.Dashboard, fmt: Formatter) -> dict[str, Any]:
    key = d.period.key
    out: dict[str, Any] = {
        "trend": charts.columns(
            [m[5:] + "/" + m[2:4] for m, _ in d.trend],
            [
                (fmt.gettext("Revenue"), [r.revenue for _, r in d.trend]),
                (fmt.gettext("Margin"), [r.margin for _, r in d.trend]),
            ],
            [_link("/reports/sales", period=m, by="reseller") for m, _ in d.trend],
        ),
        "receivables": charts.stack(
            [(fmt.gettext(w), d.receivables[b]) for b, w in board.money.BUCKET_WORDS.items()]
        ),
        "payables": charts.stack(
            [(fmt.gettext(w), d.payables[b]) for b, w in board.money.BUCKET_WORDS.items()]
        ),
    }
    for by, ranked in d.top.items():
        out[by] = charts.bars(
            [
                charts.Item(
                    r.label,
                    r.row.revenue,
                    _link("/reports/orders", period=key, **{by: r.key})
                    if r.key not in ("", "0")
                    else "",
                    fmt.gettext("margin {pct} %", pct=fmt.number(r.row.margin_pct, 1))
                    if r.row.margin_pct is not None
                    else "",
                )
                for r in ranked
            ]
        )
    for what, rates in (("product", d.warranty_products), ("supplier", d.warranty_suppliers)):
        out[f"warranty_{what}"] = charts.bars(
            [
                charts.Item(
                    d.names[what].get(r.key, str(r.key)),
                    r.pct or board.Decimal(0),
                    f"/reports/goods?period={key}" if what == "product" else "",
                    fmt.gettext(
                        "{claims} claims / {shipped} shipped", claims=r.claims, shipped=r.shipped
                    ),
                )
                for r in rates
            ]
        )
    return out


@router.get("/reports/periods", dependencies=[require(*READERS)])
def periods_page(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    return _periods(request, session, principal, done=request.query_params.get("done", "")[:20])


def _periods(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    error: Any = None,
    form: Optional[dict[str, str]] = None,
    done: str = "",
) -> Response:
    months = [
        periods.MonthStatus(m.period, m.state, periods.open_items(session, m.period))
        for m in periods.recent(session, 12)
    ]
    return render(
        request,
        "reports_periods.html",
        {
            "months": months,
            "events": {
                m.period.key: periods.events(session, m.period.start)
                for m in months
                if m.state is not None
            },
            "can_close": principal.role in CLOSERS,
            "can_reopen": principal.role is Role.OWNER,
            "error": error,
            "form": form or {},
            "done": done,
        },
    )


@router.post("/reports/periods/{month}/close", dependencies=[require(*CLOSERS)])
def close(
    month: str, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    _, error = attempt(session, lambda: close_month(session, principal, Period.parse(month)))
    if error is not None:
        return _periods(request, session, principal, error=error, form={"month": month[:7]})
    return RedirectResponse(f"/reports/periods?done=closed#m-{month[:7]}", 303)


@router.post("/reports/periods/{month}/reopen", dependencies=[require(Role.OWNER)])
async def reopen(
    month: str, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    reason = str((await request.form()).get("reason") or "")
    _, error = attempt(
        session, lambda: periods.reopen(session, principal, Period.parse(month), reason)
    )
    if error is not None:
        return _periods(
            request, session, principal, error=error, form={"month": month[:7], "reason": reason}
        )
    return RedirectResponse(f"/reports/periods?done=reopened#m-{month[:7]}", 303)


@router.post("/reports/subscriptions", dependencies=[require(*READERS)])
async def subscribe(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items() if isinstance(v, str)}
    _, error = attempt(
        session,
        lambda: subscriptions.subscribe(
            session, principal, form.get("address", ""), form.get("locale", "id")
        ),
    )
    if error is not None:
        return _index(request, session, principal, error=error, form=form)
    return RedirectResponse("/reports#monthly", 303)


@router.post("/reports/subscriptions/{subscription_id}/delete", dependencies=[require(*READERS)])
def unsubscribe(subscription_id: int, session: SessionDep, principal: CurrentPrincipal) -> Response:
    subscriptions.unsubscribe(session, principal, subscription_id)
    return RedirectResponse("/reports#monthly", 303)


def _report_page(
    request: Request, session: Session, name: str, params: Params, base: str
) -> Response:
    r = report(session, name, params)
    fmt = Formatter(language(request))
    title, line = heading(fmt, r)
    query = query_of(params)
    return render(
        request,
        "report.html",
        {
            "r": r,
            "kind": KINDS[name],
            "title": title,
            "line": line,
            "params": params,
            "query": query,
            "pdf": _link(f"{base}/pdf", **query),
            "xlsx": _link(f"{base}/xlsx", **query),
            "base": base,
            **_helpers(request),
        },
    )


@router.get("/reports/{name}", dependencies=[require(*READERS)])
def report_page(name: str, request: Request, session: SessionDep) -> Response:
    params = params_from(name, request.query_params)
    return _report_page(request, session, name, params, f"/reports/{name}")


@router.get("/reports/{name}/{fmt}", dependencies=[require(*READERS)])
def report_file(name: str, fmt: str, request: Request, session: SessionDep) -> Response:
    params = params_from(name, request.query_params)
    return download(
        report(session, name, params), fmt, request.query_params.get("lang") or language(request)
    )


def _own(principal: Principal, request: Request) -> Params:
    params = params_from("statement", request.query_params)
    return Params(params.period, Filters(reseller=principal.reseller_id))


@router.get("/portal/statement/monthly", dependencies=[require(*RESELLER_ROLES)])
def portal_statement(
    request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    return _report_page(
        request, session, "statement", _own(principal, request), "/portal/statement"
    )


@router.get("/portal/statement/{fmt}", dependencies=[require(*RESELLER_ROLES)])
def portal_statement_file(
    fmt: str, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    r = report(session, "statement", _own(principal, request))
    return download(r, fmt, request.query_params.get("lang") or language(request))
