"""Turning what went wrong into a reason a person understands (stored with the quarantined row).

Each reason says what is wrong and what to do next; ``error_class`` keeps the
machine-readable class name for filtering.
"""

from __future__ import annotations

from hub.merge.errors import IncompatibleSchema
from shared.errors import (
    ConfigError,
    SealTampered,
    SealTruncated,
    SealWrongRecipient,
    SealWrongSigner,
    SnapshotFormatError,
    SnapshotIntegrityError,
    SyncHubError,
)


class Rejected(Exception):
    """A check of the pipeline failed: quarantine the snapshot with this reason."""

    def __init__(self, reason: str, error_class: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.error_class = error_class


# (error class, what it means for the operator, what to do next); the meaning completes a
# sentence that starts with the thing refused ("the snapshot ..."), verb included.
_EXPLAIN: list[tuple[type[BaseException], str, str]] = [
    (
        SealWrongSigner,
        "is signed with a key that is not this reseller's registered signing key",
        "if the reseller changed its key, register the new one with `synchub reseller rotate-key`, then retry",
    ),
    (
        SealWrongRecipient,
        "is encrypted for another hub's key, so this hub cannot open it",
        "configure the agent with this hub's seal public key (shown by `synchub keys`) and push again",
    ),
    (
        SealTruncated,
        "is incomplete: the file ends before its last chunk (an upload that did not finish)",
        "the agent will send it again; retry if the same file is re-uploaded",
    ),
    (
        SealTampered,
        "was altered after it was sealed (signature or authentication check failed)",
        "do not trust this file; ask the reseller to push again and check the transfer path",
    ),
    (
        SnapshotIntegrityError,
        "does not match its manifest",
        "ask the reseller to re-export (`syncagent push --full`)",
    ),
    (
        SnapshotFormatError,
        "is not a snapshot this hub can read",
        "check the agent version, then ask the reseller to push again",
    ),
    (
        IncompatibleSchema,
        "carries an incompatible change of the source's schema",
        "adapt the reseller's mapping or the source, then retry",
    ),
    (
        ConfigError,
        "cannot be checked: the reseller's registered key or settings are invalid",
        "fix the reseller's record (`synchub reseller show`), then retry",
    ),
]


def describe(exc: BaseException, *, what: str = "the snapshot") -> Rejected:
    """A :class:`Rejected` for an error raised while verifying, reading or merging."""
    if isinstance(exc, Rejected):
        return exc
    for cls, meaning, next_step in _EXPLAIN:
        if isinstance(exc, cls):
            detail = exc.message if isinstance(exc, SyncHubError) else str(exc)
            return Rejected(f"{what} {meaning}: {detail} — {next_step}", type(exc).__name__)
    if isinstance(exc, SyncHubError):
        return Rejected(f"{what} was refused: {exc}", type(exc).__name__)
    return Rejected(
        f"unexpected error while processing {what}: {type(exc).__name__}: {exc} — "
        "nothing of it was applied; report this to the hub's maintainers, retry after a fix",
        type(exc).__name__,
    )


def mismatch(field: str, in_name: object, in_file: object, where: str) -> Rejected | None:
    if in_name == in_file:
        return None
    return Rejected(
        f"the file name says {field} {in_name!r} but its {where} says {in_file!r} — "
        "the file was renamed or mixed up; ask the reseller to push again",
        "SnapshotMismatch",
    )
