"""Live rates from a courier aggregator (RajaOngkir/Biteship style), behind one small protocol.

A live provider is one class with ``name`` and ``rates(request)``. It may be
slow, down or wrong; every such failure is a ``LiveRatesUnavailable`` and the
quote service falls back to the rate cards and says so. Nothing here decides
prices by itself.

Wire format of ``HttpRateProvider`` (POST ``{base_url}/rates``, JSON)::

    request  {"origin": "...", "destination": "...", "weight_grams": 1300,
              "couriers": ["jne", "tiki"]}
    response {"rates": [{"courier": "jne", "service": "REG", "price": 18000,
                         "etd_min": 1, "etd_max": 2}, ...]}
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

import httpx

from shared.errors import RetriableError


class LiveRatesUnavailable(RetriableError):
    """The provider timed out, failed, or answered something we cannot trust."""


@dataclass(frozen=True)
class LiveRateRequest:
    origin: str  # provider's id for the origin region
    destination: str
    weight_grams: int
    couriers: tuple[str, ...]


@dataclass(frozen=True)
class LiveRate:
    courier: str
    service: str
    price: Decimal
    etd_min: int
    etd_max: int


class LiveRateProvider(Protocol):
    name: str

    def rates(self, request: LiveRateRequest) -> list[LiveRate]:
        """Services with prices, or ``LiveRatesUnavailable``."""
        ...


def parse_rates(payload: Any) -> list[LiveRate]:
    """Strict reading of a provider answer: anything odd is 'nonsense', not a guess."""
    if not isinstance(payload, dict) or not isinstance(payload.get("rates"), list):
        raise LiveRatesUnavailable("provider answer has no 'rates' list")
    out = []
    for i, r in enumerate(payload["rates"]):
        try:
            price = Decimal(str(r["price"]))
            etd_min, etd_max = int(r["etd_min"]), int(r["etd_max"])
            courier, service = str(r["courier"]).upper(), str(r["service"]).upper()
        except (KeyError, TypeError, ValueError, InvalidOperation) as exc:
            raise LiveRatesUnavailable(
                "provider rate {n} is malformed: {reason}", n=i, reason=repr(exc)
            ) from None
        if (
            not price.is_finite()
            or price <= 0
            or not 0 <= etd_min <= etd_max <= 60
            or not courier
            or not service
        ):
            raise LiveRatesUnavailable(
                "provider rate {n} is implausible: {rate}", n=i, rate=repr(r)
            )
        out.append(LiveRate(courier, service, price, etd_min, etd_max))
    if not out:
        raise LiveRatesUnavailable("provider returned no rates")
    return out


class HttpRateProvider:
    """JSON-over-HTTP provider with a timeout and an in-memory TTL cache of good answers."""

    def __init__(
        self,
        base_url: str,
        api_key: str = "",
        *,
        name: str = "live",
        timeout: float = 3.0,
        cache_seconds: float = 600.0,
        client: httpx.Client | None = None,
    ) -> None:
        self.name = name
        self._url = base_url.rstrip("/") + "/rates"
        self._headers = {"key": api_key} if api_key else {}
        self._client = client or httpx.Client(timeout=timeout)
        self._ttl = cache_seconds
        self._cache: dict[LiveRateRequest, tuple[float, list[LiveRate]]] = {}
        self._lock = threading.Lock()

    def rates(self, request: LiveRateRequest) -> list[LiveRate]:
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(request)
        if hit and now - hit[0] < self._ttl:
            return hit[1]
        body = {
            "origin": request.origin,
            "destination": request.destination,
            "weight_grams": request.weight_grams,
            "couriers": list(request.couriers),
        }
        try:
            resp = self._client.post(self._url, json=body, headers=self._headers)
        except httpx.TimeoutException:
            raise LiveRatesUnavailable("{provider}: timed out", provider=self.name) from None
        except httpx.HTTPError as exc:
            raise LiveRatesUnavailable(
                "{provider}: {reason}", provider=self.name, reason=f"{type(exc).__name__}: {exc}"
            ) from None
        if resp.status_code != 200:
            raise LiveRatesUnavailable(
                "{provider}: HTTP {status}", provider=self.name, status=resp.status_code
            )
        try:
            payload = resp.json()
        except ValueError:
            raise LiveRatesUnavailable(
                "{provider}: answer is not JSON", provider=self.name
            ) from None
        rates = parse_rates(payload)
        with self._lock:
            self._cache[request] = (now, rates)
        return rates

    def close(self) -> None:
        self._client.close()


def provider_from_settings(
    url: str, token: str = "", *, name: str = "live"
) -> HttpRateProvider | None:
    """The configured provider (``SYNCHUB_SHIPPING_LIVE_URL`` / ``_TOKEN``), or None when unset."""
    if not url.strip():
        return None
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"shipping_live_url {url!r} must start with http:// or https://")
    return HttpRateProvider(url.strip(), token, name=name)
