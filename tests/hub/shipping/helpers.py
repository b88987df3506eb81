"""Rate-card files the tests write themselves, on real region codes (no open tariffs exist)."""

from __future__ import annotations

HEADER = ("courier,service,origin,destination,price_per_kg,min_weight,etd_min,etd_max,"
          "effective_from,effective_to")
# Origin: Kota Bandung (32.73). Destinations: Kota Surabaya (35.78) and its district 35.78.01.
GOOD = f"""{HEADER}
JNE,REG,32.73,35.78,11000,1,2,3,2025-01-01,
JNE,REG,32.73,35.78.01,12500,1,2,3,2025-01-01,
JNE,OKE,32,35.78,9000,1,3,5,2025-01-01,
JNE,YES,32.73,35.78,21000,1,1,1,2025-01-01,
JNE,JTR,32.73,35.78,4500,10,4,6,2025-01-01,
TIKI,REG,32.73,35.78,10500,1,2,4,2025-01-01,
"""


def card(text: str) -> bytes:
    return text.encode()
