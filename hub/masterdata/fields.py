"""The fields of a master-data record: how each is typed in a form or a file, checked and shown.

One :class:`Field` list per record kind drives its form, its list columns, its CSV/XLSX
columns and its API schema, so the four never disagree. Values travel in their *external*
form: a product by its SKU, a price list by its name, a region by its code — what a person
types and what an exported file holds — and the record's service resolves them to ids.

Parsing goes through :mod:`hub.core.i18n` (numbers and dates as displayed in the reader's
locale). A form gives every problem at once, each next to its field, as a message id and
its values, translated when the page is drawn.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from hub.core.i18n import parse_date, parse_decimal, parse_int, translatable
from shared.errors import DataError, SyncHubError

# (English message id, values): translated by the page, English in logs and the API.
Msg = tuple[str, dict[str, Any]]
Choices = Callable[[Session], Sequence[tuple[str, str]]]  # (value, label) pairs

KINDS = ("text", "textarea", "int", "decimal", "money", "date", "bool", "choice", "multi")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
TRUE = frozenset({"1", "true", "yes", "ya", "y", "on", "benar"})
FALSE = frozenset({"0", "false", "no", "tidak", "n", "off", "salah", ""})


@dataclass(frozen=True)
class Field:
    """One input. ``label`` and ``help`` are English message ids (translated on the page)."""

    name: str
    label: str
    kind: str = "text"
    required: bool = False
    max_length: int = 200
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    options: Sequence[tuple[str, str]] = ()  # fixed (value, label id) pairs for choice/multi
    choices: Choices | None = None  # or read from the database (price lists, groups, ...)
    help: str = ""
    listed: bool = True  # a column of the list page
    placeholder: str = ""
    suggest: str = ""  # a URL that answers ?q= with <option>s (regions: too many to list)
    default: Any = None  # taken when left empty (and shown in a new form)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"field {self.name}: unknown kind {self.kind!r}")

    def choices_for(self, session: Session) -> Sequence[tuple[str, str]]:
        return self.choices(session) if self.choices is not None else self.options


class Invalid(DataError):
    """Some fields of a record are wrong; ``fields`` maps each to what is wrong with it."""

    def __init__(self, fields: Mapping[str, Msg], *, hint: str | None = None) -> None:
        self.fields = dict(fields)
        problems = [(name, msg.format(**values)) for name, (msg, values) in self.fields.items()]
        hint = hint or "correct the fields named and send again"
        super().__init__(
            "not valid: {fields}", hint=hint, problems=problems, fields=", ".join(self.fields)
        )


def problem(name: str, msgid: str, **values: Any) -> Invalid:
    """One field's problem: ``raise problem("sku", "no product with SKU {sku}", sku=...)``."""
    return Invalid({name: (msgid, values)})


def message_of(exc: SyncHubError) -> Msg:
    """An error as (message id, values): its template and the values apart (shared.errors)."""
    return exc.template, {k: v for k, v in exc.context.items() if k != "problems"}


def _number(f: Field, raw: str, lang: str, from_file: bool) -> Decimal:
    text = raw.strip()
    # Files first try plain machine text (what the export writes): "12.500" there is 12.5.
    if from_file:
        try:
            value = Decimal(text)
            if value.is_finite():
                return value
        except ArithmeticError:
            pass
    return parse_decimal(text, lang)


def parse_value(f: Field, raw: Any, lang: str, *, from_file: bool = False) -> Any:
    """One field from what was typed (a form string, a list for ``multi``, or a file cell).

    Empty means ``None`` (or ``[]``/``False``); the range and required checks are the
    caller's (:func:`parse_values`). Raises ``DataError`` with a message id.
    """
    if f.kind == "multi":
        if raw is None:  # not sent at all (a file without the column): the default applies
            return None
        items = raw if isinstance(raw, (list, tuple)) else str(raw).split(",")
        return [str(i).strip() for i in items if str(i).strip()]
    if isinstance(raw, (list, tuple)):
        raw = raw[-1] if raw else ""
    if isinstance(raw, bool) and f.kind == "bool":
        return raw
    text = "" if raw is None else (format(raw, "f") if isinstance(raw, Decimal) else str(raw))
    text = text.strip()
    if f.kind == "bool":
        if text.lower() in TRUE:
            return True
        if text.lower() in FALSE:
            return False
        raise translatable(DataError, "{value} is not yes or no", value=text)
    if not text:
        return None
    if f.kind in ("int", "decimal", "money"):
        value = _number(f, text, lang, from_file)
        if f.kind == "int":
            return parse_int(value, lang)
        return value
    if f.kind == "date":
        if isinstance(raw, dt.datetime):
            return raw.date()
        return parse_date(raw if isinstance(raw, dt.date) else text, lang)
    return text


def check_value(f: Field, value: Any, session: Session | None = None) -> Msg | None:
    """What is wrong with a parsed value (required, length, range, choice), or None."""
    if value is None or value == [] or value == "":
        return ("fill this in", {}) if f.required else None
    if isinstance(value, str) and len(value) > f.max_length:
        return ("at most {n} characters", {"n": f.max_length})
    if isinstance(value, str) and _CONTROL.search(
        value
        if f.kind != "textarea"
        else value.replace("\n", "").replace("\r", "").replace("\t", "")
    ):
        return ("contains invisible control characters: type it again", {})
    if isinstance(value, Decimal):
        if f.minimum is not None and value < f.minimum:
            return ("at least {n}", {"n": f.minimum})
        if f.maximum is not None and value > f.maximum:
            return ("at most {n}", {"n": f.maximum})
        if f.kind == "money" and value != value.quantize(Decimal("0.01")):
            return ("at most 2 decimals", {})
    if isinstance(value, int) and not isinstance(value, bool):
        if f.minimum is not None and value < f.minimum:
            return ("at least {n}", {"n": f.minimum})
        if f.maximum is not None and value > f.maximum:
            return ("at most {n}", {"n": f.maximum})
    if f.kind in ("choice", "multi") and (f.options or (f.choices and session is not None)):
        known = {v for v, _ in f.choices_for(session)}  # type: ignore[arg-type]
        wrong = [v for v in (value if isinstance(value, list) else [value]) if v not in known]
        if wrong:
            return ("unknown choice {value}", {"value": ", ".join(map(str, wrong))})
    return None


def parse_values(
    fields: Sequence[Field],
    raw: Mapping[str, Any],
    lang: str,
    *,
    session: Session | None = None,
    partial: bool = False,
    from_file: bool = False,
) -> dict[str, Any]:
    """Every field of a form or file row, parsed and checked; ``Invalid`` lists all problems.

    ``partial``: only the fields present in ``raw`` (an API PATCH).
    """
    values: dict[str, Any] = {}
    wrong: dict[str, Msg] = {}
    for f in fields:
        if partial and f.name not in raw:
            continue
        try:
            value = parse_value(f, raw.get(f.name), lang, from_file=from_file)
        except DataError as exc:
            wrong[f.name] = message_of(exc)
            continue
        if value is None and f.default is not None:
            value = f.default
        if (msg := check_value(f, value, session)) is not None:
            wrong[f.name] = msg
        values[f.name] = value
    if wrong:
        raise Invalid(wrong)
    return values


def cell(f: Field, value: Any) -> Any:
    """A value as an exported file holds it: machine text, the same the import reads back."""
    if value is None:
        return ""
    if f.kind == "bool":
        return "yes" if value else "no"
    if f.kind == "multi":
        return ",".join(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def shown(f: Field, value: Any, fmt: Any) -> str:
    """A value as a form field or list cell shows it in the reader's locale."""
    if value is None or value == "":
        return ""
    if f.kind == "bool":
        return fmt.gettext("yes") if value else fmt.gettext("no")
    if f.kind == "multi":
        return ", ".join(fmt.gettext(label_of(f, v)) for v in value)
    if f.kind == "money":
        return str(fmt.number(value, 2))
    if f.kind == "decimal":
        places = max(0, -Decimal(value).normalize().as_tuple().exponent)  # type: ignore[operator]
        return str(fmt.number(value, places))
    if f.kind == "int":
        return str(fmt.number(value))
    if f.kind == "date":
        return str(fmt.date(value))
    if f.kind == "choice" and f.options:
        return str(fmt.gettext(label_of(f, value)))
    return str(value)


def label_of(f: Field, value: Any) -> str:
    return next((label for v, label in f.options if v == value), str(value))


def typed(f: Field, value: Any) -> str:
    """A value as an input's ``value`` attribute holds it (dates ISO for ``<input type=date>``)."""
    if value is None:
        return ""
    if f.kind == "date" and isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


@dataclass
class FormState:
    """What a form shows: the typed text per field (kept on error) and the problems found."""

    typed: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, Msg] = field(default_factory=dict)
    message: Msg | None = None  # a problem of the whole record (e.g. a name already taken)


def initial_values(fields: Sequence[Field], values: Mapping[str, Any]) -> dict[str, Any]:
    """Values as a form's inputs hold them (a new form shows the fields' defaults)."""
    values = {f.name: f.default for f in fields if f.default is not None} | dict(values)
    return {
        f.name: (values.get(f.name) or []) if f.kind == "multi" else typed(f, values.get(f.name))
        for f in fields
    }


def posted_values(fields: Sequence[Field], form: Mapping[str, list[str]]) -> dict[str, Any]:
    """What was typed, as the form shows it again."""
    return {
        f.name: form.get(f.name, []) if f.kind == "multi" else (form.get(f.name) or [""])[-1]
        for f in fields
    }
