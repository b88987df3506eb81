"""Rate-card files the tests write themselves, on real region codes (no open tariffs exist)."""

from __future__ import annotations

import json
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HEADER = (
    "courier,service,origin,destination,price_per_kg,min_weight,etd_min,etd_max,"
    "effective_from,effective_to"
)
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


# A fake live-rate provider on 127.0.0.1 (`mode`: ok, slow, error, nonsense, html).
GOOD_ANSWER = {
    "rates": [{"courier": "jne", "service": "reg", "price": 19000, "etd_min": 1, "etd_max": 2}]
}


class FakeProvider(ThreadingHTTPServer):
    mode = "ok"
    calls = 0
    last_key: str | None = None  # the API key header of the last request


class Handler(BaseHTTPRequestHandler):
    server: FakeProvider

    def do_POST(self) -> None:  # http.server's naming
        self.server.calls += 1
        self.server.last_key = self.headers.get("key")
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        mode = self.server.mode
        if mode == "slow":
            time.sleep(0.6)
        status, body = 200, json.dumps(GOOD_ANSWER)
        if mode == "error":
            status, body = 503, "down for maintenance"
        elif mode == "nonsense":
            body = json.dumps(
                {
                    "rates": [
                        {
                            "courier": "jne",
                            "service": "reg",
                            "price": -3,
                            "etd_min": 5,
                            "etd_max": 1,
                        }
                    ]
                }
            )
        elif mode == "html":
            body = "<html>login</html>"
        payload = body.encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass
