"""The project's errors, named by what the caller should do about them.

Every error carries a plain-language message (what is wrong, which value, what
to do next) plus structured ``context`` that the hub can store and show (file,
dataset, row, column...). Callers decide by class — ``retriable`` says whether
trying again later can help — never by parsing a message.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence


class SyncHubError(Exception):
    """Root of every error this project raises on purpose.

    ``message`` and ``hint`` are English templates whose ``{name}`` fields are filled from
    ``context``: ``NotFound("no order #{order_id}", order_id=7)``. The template is the
    message's id: the hub looks it up in its locale catalogs and fills the translation with
    the same values, so a caller reads the error in its own language
    (:func:`fill` keeps a text that is not a template as it is).
    """

    retriable: bool = False

    def __init__(self, message: str, *, hint: str | None = None, **context: Any) -> None:
        self.template = message
        self.hint_template = hint
        self.message = fill(message, context)
        self.hint = fill(hint, context) if hint is not None else None
        self.context = context
        super().__init__(self.message)

    def __str__(self) -> str:
        text = f"{self.message} — {self.hint}" if self.hint else self.message
        problems = self.problem_list()
        return text + "\n" + format_problems(problems) if problems else text

    def problem_list(self) -> list[tuple[str, str]]:
        """The problems as (where, what) pairs in English (see :func:`problem_parts`)."""
        return [(where, fill(what, values)) for where, what, values in problem_parts(self)]


class RetriableError(SyncHubError):
    """Something outside us is unavailable right now (network, server, lock): try again later."""

    retriable = True


class FatalError(SyncHubError):
    """Retrying the same thing will fail the same way: a person must change something."""


class ConfigError(FatalError):
    """The configuration is wrong; ``problems`` lists every (path, message) found at once."""

    def __init__(
        self,
        problems: Sequence[tuple[str, str]] | str,
        *,
        source: str | None = None,
        hint: str | None = None,
    ) -> None:
        if isinstance(problems, str):
            problems = [("", problems)]
        self.problems = list(problems)
        self.source = source
        lines = [f"{path}: {msg}" if path else msg for path, msg in self.problems]
        where = f" in {source}" if source else ""
        header = f"{len(lines)} configuration problem{'s' if len(lines) != 1 else ''}{where}"
        super().__init__(header, hint=hint, source=source, count=len(lines))
        # The whole text, problems included, is the message (a CLI prints it as it is); the
        # hub's API answers with the translated header and the problems listed apart.
        self.message = header + ":\n  " + "\n  ".join(lines)
        self.args = (self.message,)


class DataError(FatalError):
    """The data itself is wrong (a value, a row, a file); context says where."""


class SkippableError(DataError):
    """One item is bad but the rest can go on (the item is reported, not silently dropped)."""


# --- requests: what the caller asked for cannot be done as asked --------------------
# A request that is invalid is a DataError; these say what else went wrong. The hub's one
# HTTP error handler (hub/core/errors.py) gives each its status.


class NotFound(FatalError):
    """What the request names does not exist, or is not the caller's to see (same answer, so
    ids of other resellers do not leak)."""


class Conflict(FatalError):
    """The request clashes with the current state: already done, not allowed in this state,
    out of stock, a name taken. Reloading and deciding again is the way forward."""


class Forbidden(FatalError):
    """The caller may not do this (role, ownership, a closed period)."""


class TooLarge(DataError):
    """The input is over a limit (file size, rows, body); ``limit`` says which."""


# --- sources (connectors) -------------------------------------------------------


class SourceUnavailable(RetriableError):
    """The reseller's database cannot be reached right now."""


class SourceAccessDenied(FatalError):
    """The database refused the credentials or the SELECT right."""


class SourceObjectMissing(FatalError):
    """A table, view or column named in the configuration does not exist."""


class SourceQueryFailed(FatalError):
    """The database rejected a query for a reason retrying will not fix."""


# --- snapshot format and seal -------------------------------------------------


class SnapshotFormatError(DataError):
    """A snapshot is not in the format this version understands, or is incomplete."""


class SnapshotIntegrityError(DataError):
    """A snapshot's content does not match its manifest (hash, row count, size)."""


class SealError(DataError):
    """A sealed file cannot be opened; the subclass says why."""


class SealTampered(SealError):
    """The bytes were changed after sealing (signature or authentication tag mismatch)."""


class SealWrongSigner(SealError):
    """The file was signed by another key than the one expected for this reseller."""


class SealWrongRecipient(SealError):
    """The file was encrypted to another hub key than this hub's."""


class SealTruncated(SealError):
    """The file ends before its last chunk: an upload that did not finish."""


# --- transfer -----------------------------------------------------------------


class TransferError(RetriableError):
    """Delivery over SFTP failed in a way that a later attempt may fix."""


class HostKeyMismatch(FatalError):
    """The hub's SSH host key is unknown or changed: refuse rather than talk to an impostor."""


def fill(template: str, values: Mapping[str, Any]) -> str:
    """``template`` with its ``{name}`` fields filled from ``values``; as it is when it has none
    (or names a value it was not given: a message is never lost to its own formatting)."""
    if "{" not in template:
        return template
    try:
        return template.format_map(values)
    except (KeyError, IndexError, ValueError, AttributeError, TypeError):
        return template


def problem(where: str, template: str, **values: Any) -> tuple[str, str, dict[str, Any]]:
    """One problem of an error's list: where (a field, a line), what (a template), its values."""
    return (where, template, values)


def problem_parts(exc: SyncHubError) -> list[tuple[str, str, Mapping[str, Any]]]:
    """An error's problems as (where, template, values): a ConfigError's (path, message) list,
    or ``context['problems']`` whose items are a text, a ``(where, text)`` pair or a
    :func:`problem` triple, so each one can be translated like the message."""
    raw: Any = exc.problems if isinstance(exc, ConfigError) else exc.context.get("problems")
    if isinstance(raw, str):
        raw = [raw]
    out: list[tuple[str, str, Mapping[str, Any]]] = []
    for p in raw or []:
        if isinstance(p, tuple) and len(p) == 3:
            out.append((str(p[0]), str(p[1]), p[2]))
        elif isinstance(p, tuple) and len(p) == 2:
            out.append((str(p[0]), str(p[1]), {}))
        else:
            out.append(("", str(p), {}))
    return out


def format_problems(problems: Iterable[tuple[str, str]]) -> str:
    """One line per problem, for CLI output."""
    return "\n".join(f"  {path}: {msg}" if path else f"  {msg}" for path, msg in problems)
