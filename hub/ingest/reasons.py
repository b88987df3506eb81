"""Turning what went wrong into a reason a person understands (stored with the quarantined row).

Each reason says what is wrong and what to do next; ``error_class`` keeps the
machine-readable class name for filtering. A reason is phrases (:mod:`hub.core.phrases`):
the operator's pages show it in their language, the API and the agent's answer carry its
English text.
"""

from __future__ import annotations

from hub.core.phrases import Phrase, english
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

    def __init__(self, phrases: list[Phrase], error_class: str) -> None:
        super().__init__(english(phrases))
        self.phrases = phrases
        self.reason = english(phrases)
        self.error_class = error_class


def said(template: str, **values: object) -> list[Phrase]:
    """A reason of one phrase."""
    return [(template, dict(values))]


REFUSED = "the snapshot was refused:"
UNEXPECTED = "unexpected error while processing the snapshot: {error}:"
NOTHING_APPLIED = (
    "— nothing of it was applied; report this to the hub's maintainers, retry after a fix"
)

# (error class, what it means for the operator, what to do next).
_EXPLAIN: list[tuple[type[BaseException], str, str]] = [
    (
        SealWrongSigner,
        "the snapshot is signed with a key that is not this reseller's registered signing key:",
        "— if the reseller changed its key, register the new one with `synchub reseller rotate-key`, then retry",
    ),
    (
        SealWrongRecipient,
        "the snapshot is encrypted for another hub's key, so this hub cannot open it:",
        "— configure the agent with this hub's seal public key (shown by `synchub keys`) and push again",
    ),
    (
        SealTruncated,
        "the snapshot is incomplete: the file ends before its last chunk (an upload that did not finish):",
        "— the agent will send it again; retry if the same file is re-uploaded",
    ),
    (
        SealTampered,
        "the snapshot was altered after it was sealed (signature or authentication check failed):",
        "— do not trust this file; ask the reseller to push again and check the transfer path",
    ),
    (
        SnapshotIntegrityError,
        "the snapshot does not match its manifest:",
        "— ask the reseller to re-export (`syncagent push --full`)",
    ),
    (
        SnapshotFormatError,
        "the snapshot is not a snapshot this hub can read:",
        "— check the agent version, then ask the reseller to push again",
    ),
    (
        IncompatibleSchema,
        "the snapshot carries an incompatible change of the source's schema:",
        "— adapt the reseller's mapping or the source, then retry",
    ),
    (
        ConfigError,
        "the snapshot cannot be checked: the reseller's registered key or settings are invalid:",
        "— fix the reseller's record (`synchub reseller show`), then retry",
    ),
]


def describe(exc: BaseException) -> Rejected:
    """A :class:`Rejected` for an error raised while verifying, reading or merging: what it
    means, the error's own message, what to do next."""
    if isinstance(exc, Rejected):
        return exc
    detail: Phrase = (
        (exc.template, dict(exc.context)) if isinstance(exc, SyncHubError) else (str(exc), {})
    )
    for cls, meaning, next_step in _EXPLAIN:
        if isinstance(exc, cls):
            return Rejected([(meaning, {}), detail, (next_step, {})], type(exc).__name__)
    if isinstance(exc, SyncHubError):
        return Rejected([(REFUSED, {}), detail], type(exc).__name__)
    unexpected = (UNEXPECTED, {"error": type(exc).__name__})
    return Rejected([unexpected, detail, (NOTHING_APPLIED, {})], type(exc).__name__)


def mismatch(field: str, in_name: object, in_file: object, where: str) -> Rejected | None:
    if in_name == in_file:
        return None
    return Rejected(
        said(
            "the file name says {field} {in_name} but its {where} says {in_file} — "
            "the file was renamed or mixed up; ask the reseller to push again",
            field=field,
            in_name=repr(in_name),
            where=where,
            in_file=repr(in_file),
        ),
        "SnapshotMismatch",
    )
