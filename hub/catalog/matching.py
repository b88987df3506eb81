"""Linking every product a reseller sells to a master product.

Order of certainty: the reseller's SKU equals a master SKU; its SKU (or EAN
field) is a master EAN; its name equals one master name (case, spaces and
punctuation ignored). Anything else gets up to ``limit`` ranked suggestions
(rapidfuzz token-set similarity of whole words, on the name and on brand + name +
specs, at least :data:`MIN_SCORE`) that the operations manager accepts or rejects,
best first. Whole words, not WRatio's partial substrings: WRatio scored "Sasquatch Ale"
67.5 for "Chai" (the letters "cha" inside "Sasquatch"); token-set scores it 23.5 and
"Chai tea" 100. Decisions are stored (``SkuLink``,
``MatchSuggestion.status``) and survive the next snapshots: a linked SKU is
not matched again and a rejected pair is never suggested again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable

from rapidfuzz import fuzz, process, utils
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from hub.catalog.models import MatchSuggestion, Product, SkuLink
from hub.core.roles import Principal
from shared.errors import Conflict, NotFound

MIN_SCORE = 70.0
SHOWN_SCORE = 75.0  # the review page's default threshold


@dataclass
class MatchSummary:
    reseller_id: str
    seen: int = 0
    linked: dict[str, int] = field(default_factory=dict)  # method -> count, new links of this run
    already_linked: int = 0
    suggested: int = 0  # new suggestions
    unmatched: list[str] = field(default_factory=list)  # reseller SKUs without a link


def _norm(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", " ", text.lower()).strip()


def _master_text(p: Product) -> str:
    specs = " ".join(f"{k} {v}" for k, v in sorted((p.specs or {}).items()))
    return f"{p.brand} {p.name} {specs}".strip()


def _rank(
    name: str, masters: list[Product], excluded: set[int], limit: int, min_score: float
) -> list[tuple[Product, float, str]]:
    """Best ``limit`` masters for a reseller product name, skipping ``excluded`` ids."""
    q = utils.default_process(name)
    by_name = process.extract(
        q,
        [utils.default_process(p.name) for p in masters],
        scorer=fuzz.token_set_ratio,
        limit=None,
        score_cutoff=min_score,
    )
    by_text = process.extract(
        q,
        [utils.default_process(_master_text(p)) for p in masters],
        scorer=fuzz.token_set_ratio,
        limit=None,
        score_cutoff=min_score,
    )
    best: dict[int, tuple[float, str]] = {}
    for hits, why in ((by_name, "name"), (by_text, "brand, name and specs")):
        for _, score, i in hits:
            if masters[i].id not in excluded and score > best.get(i, (-1.0, ""))[0]:
                best[i] = (score, why)
    ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], masters[kv[0]].sku))[:limit]
    return [(masters[i], round(s, 1), why) for i, (s, why) in ranked]


def match_products(
    session: Session,
    reseller_id: str,
    products: Iterable[dict[str, Any]],
    *,
    limit: int = 3,
    min_score: float = MIN_SCORE,
) -> MatchSummary:
    """Link or suggest for each reseller product (dicts with ``sku``, ``name`` and optionally ``ean``)."""
    masters = list(
        session.scalars(select(Product).where(Product.active.is_(True)).order_by(Product.id))
    )
    by_sku = {p.sku: p for p in masters}
    by_ean = {p.ean: p for p in masters if p.ean}
    names: dict[str, list[Product]] = {}
    for p in masters:
        names.setdefault(_norm(p.name), []).append(p)
    links = {
        lk.reseller_sku: lk
        for lk in session.scalars(select(SkuLink).where(SkuLink.reseller_id == reseller_id))
    }
    seen_pairs: dict[str, set[int]] = {}
    pending: dict[str, int] = {}
    for s in session.scalars(
        select(MatchSuggestion).where(MatchSuggestion.reseller_id == reseller_id)
    ):
        seen_pairs.setdefault(s.reseller_sku, set()).add(s.product_id)
        pending[s.reseller_sku] = pending.get(s.reseller_sku, 0) + (s.status == "pending")
    summary = MatchSummary(reseller_id)
    for row in products:
        sku, name = str(row["sku"]), str(row.get("name") or "")
        summary.seen += 1
        link = links.get(sku)
        if link is None:
            link = links[sku] = SkuLink(
                reseller_id=reseller_id, reseller_sku=sku, name=name, method=""
            )
            session.add(link)
        link.name = name
        if link.product_id is not None:
            summary.already_linked += 1
            continue
        exact, method = by_sku.get(sku), "sku"
        if exact is None:
            exact, method = by_ean.get(str(row.get("ean") or sku)), "ean"
        if exact is None and len(names.get(_norm(name), [])) == 1:
            exact, method = names[_norm(name)][0], "name"
        if exact is not None:
            link.product_id, link.method = exact.id, method
            summary.linked[method] = summary.linked.get(method, 0) + 1
            continue
        summary.unmatched.append(sku)
        known = seen_pairs.setdefault(sku, set())
        room = max(
            limit - pending.get(sku, 0), 0
        )  # suggested pairs (pending or decided) are never re-added
        for product, score, why in _rank(name, masters, known, room, min_score):
            session.add(
                MatchSuggestion(
                    reseller_id=reseller_id,
                    reseller_sku=sku,
                    product_id=product.id,
                    score=Decimal(str(score)),
                    status="pending",
                    reason=f"{score:.1f}% similar on {why}: "
                    f"{name!r} ~ {product.name!r} ({product.sku})",
                )
            )
            known.add(product.id)
            summary.suggested += 1
    session.flush()
    return summary


def match_reseller(session: Session, reseller_id: str, **kwargs: Any) -> MatchSummary:
    """Match the products of the reseller's merged data (``hub.mapping`` entity ``product``)."""
    from hub.mapping.service import entity_rows

    fields, rows = entity_rows(session, reseller_id, "product")
    return match_products(session, reseller_id, (dict(zip(fields, r)) for r in rows), **kwargs)


# --- review queue ---------------------------------------------------------------


def _queue(reseller_id: str | None, min_score: float) -> Any:
    stmt = (
        select(MatchSuggestion, Product, SkuLink)
        .join(Product, Product.id == MatchSuggestion.product_id)
        .join(
            SkuLink,
            (SkuLink.reseller_id == MatchSuggestion.reseller_id)
            & (SkuLink.reseller_sku == MatchSuggestion.reseller_sku),
        )
        .where(MatchSuggestion.status == "pending", MatchSuggestion.score >= min_score)
    )
    if reseller_id:
        stmt = stmt.where(MatchSuggestion.reseller_id == reseller_id)
    return stmt


def review_queue(
    session: Session,
    reseller_id: str | None = None,
    limit: int = 200,
    *,
    min_score: float = 0.0,
    offset: int = 0,
) -> list[tuple[MatchSuggestion, Product, SkuLink]]:
    """Pending suggestions scoring at least ``min_score``, best first (ties by reseller, SKU)."""
    stmt = _queue(reseller_id, min_score).order_by(
        MatchSuggestion.score.desc(),
        MatchSuggestion.reseller_id,
        MatchSuggestion.reseller_sku,
        MatchSuggestion.id,
    )
    return [tuple(r) for r in session.execute(stmt.limit(limit).offset(offset))]


def queue_size(session: Session, reseller_id: str | None = None, min_score: float = 0.0) -> int:
    """How many pending suggestions score at least ``min_score`` (for the review page's pager)."""
    sub = _queue(reseller_id, min_score).with_only_columns(MatchSuggestion.id).subquery()
    return int(session.scalar(select(func.count()).select_from(sub)) or 0)


def _suggestion(session: Session, suggestion_id: int) -> MatchSuggestion:
    s = session.get(MatchSuggestion, suggestion_id)
    if s is None:
        raise NotFound(
            "no match suggestion #{suggestion_id}",
            hint="list the review queue for current ids",
            suggestion_id=suggestion_id,
        )
    if s.status != "pending":
        raise Conflict(
            "suggestion #{suggestion_id} was already {status}",
            hint="reload the review queue",
            suggestion_id=suggestion_id,
            status=s.status,
        )
    return s


def _audit(
    session: Session,
    principal: Principal | None,
    action: str,
    entity_id: str,
    before: Any,
    after: Any,
) -> None:
    from hub.audit.service import record

    record(session, principal, action, "sku_link", entity_id, before, after)


def _who(principal: Principal | None) -> str:
    return principal.username if principal is not None and principal.username else "system"


def accept(session: Session, suggestion_id: int, principal: Principal | None) -> SkuLink:
    """Link the reseller product to the suggested master; its other pending suggestions go away."""
    s = _suggestion(session, suggestion_id)
    return link_manually(
        session, s.reseller_id, s.reseller_sku, s.product_id, principal, method="accepted"
    )


def reject(session: Session, suggestion_id: int, principal: Principal | None) -> MatchSuggestion:
    """Remember that this pair is wrong: it is never suggested again."""
    s = _suggestion(session, suggestion_id)
    s.status, s.decided_by = "rejected", _who(principal)
    _audit(
        session,
        principal,
        "match.reject",
        f"{s.reseller_id}/{s.reseller_sku}",
        None,
        {"product_id": s.product_id},
    )
    session.flush()
    return s


def link_manually(
    session: Session,
    reseller_id: str,
    reseller_sku: str,
    product_id: int,
    principal: Principal | None,
    *,
    method: str = "manual",
) -> SkuLink:
    if session.get(Product, product_id) is None:
        raise NotFound(
            "no product #{product_id}",
            hint="search the catalog for the right product",
            product_id=product_id,
        )
    link = session.get(SkuLink, (reseller_id, reseller_sku))
    if link is None:
        raise NotFound(
            "reseller {reseller_id} has no product {sku} in its data",
            hint="run `synchub catalog match` after its snapshot was merged",
            reseller_id=reseller_id,
            sku=repr(reseller_sku),
        )
    before = {"product_id": link.product_id, "method": link.method}
    link.product_id, link.method, link.decided_by = product_id, method, _who(principal)
    for s in session.scalars(
        select(MatchSuggestion).where(
            MatchSuggestion.reseller_id == reseller_id, MatchSuggestion.reseller_sku == reseller_sku
        )
    ):
        if s.product_id == product_id:
            s.status, s.decided_by = "accepted", _who(principal)
    session.execute(
        delete(MatchSuggestion).where(
            MatchSuggestion.reseller_id == reseller_id,
            MatchSuggestion.reseller_sku == reseller_sku,
            MatchSuggestion.status == "pending",
        )
    )
    _audit(
        session,
        principal,
        "match.link",
        f"{reseller_id}/{reseller_sku}",
        before,
        {"product_id": product_id, "method": method},
    )
    session.flush()
    return link


def unmatched(session: Session, reseller_id: str | None = None) -> list[SkuLink]:
    stmt = (
        select(SkuLink)
        .where(SkuLink.product_id.is_(None))
        .order_by(SkuLink.reseller_id, SkuLink.reseller_sku)
    )
    if reseller_id:
        stmt = stmt.where(SkuLink.reseller_id == reseller_id)
    return list(session.scalars(stmt))
