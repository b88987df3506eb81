"""The hub's half of a reseller's enrolment: everything ``syncagent init`` needs from the hub.

``synchub reseller enrolment ID --out FILE`` writes it; the reseller runs
``syncagent init --enrolment FILE``. It holds only public values — where to
connect, the SFTP login (which the hub derives: ``sh-<id>`` under OpenSSH),
the host key to pin and the hub's two public keys — so it can travel by
e-mail or chat. Getting them from one file instead of six copied options is
what keeps the login name and the host key of the configured reception right.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.errors import ConfigError
from shared.manifest import RESELLER_ID_RE

FORMAT = "synchub-enrolment/1"


class Enrolment(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    format: str = Field(default=FORMAT, pattern="^synchub-enrolment/1$")
    reseller_id: str = Field(pattern=RESELLER_ID_RE.pattern)
    hub_host: str = Field(min_length=1)
    hub_port: int = Field(ge=1, le=65535)
    hub_username: str = Field(min_length=1, max_length=32)
    host_key: str = Field(min_length=1)  # "ssh-ed25519 AAAA..." of the reception agents reach
    seal_public_key: str = Field(min_length=1)
    signing_public_key: str = Field(min_length=1)

    def to_json(self) -> str:
        return json.dumps(self.model_dump(), indent=2) + "\n"

    @classmethod
    def load(cls, path: Path) -> Enrolment:
        """Read an enrolment file; every problem reported at once (``ConfigError``)."""
        try:
            return cls.model_validate_json(Path(path).read_bytes())
        except OSError as exc:
            raise ConfigError([(str(path), f"cannot read: {exc}")]) from None
        except ValidationError as exc:
            raise ConfigError(
                [(".".join(map(str, e["loc"])) or "file", e["msg"]) for e in exc.errors()],
                source=str(path),
                hint="ask the hub operator for a new one: `synchub reseller enrolment ID --out FILE`",
            ) from None
