"""The one seam every source platform implements.

A connector reads a reseller's database with SELECT rights only (it creates
nothing there: no triggers, no tables) and hands the agent rows as canonical
COPY-text lines (:mod:`shared.copytext`, :mod:`shared.types`), in bounded
batches, so a table ten times larger never needs ten times the memory.

A new platform is one small module: subclass :class:`Connector`, state the
dialect's facts in :class:`Dialect`, implement the few methods that differ,
register it in :mod:`connectors.registry`, and make it pass the conformance
suite in ``tests/connectors/conformance.py``.

Driver exceptions never leave a connector: they are translated at this
boundary into :mod:`shared.errors` classes that say whether a retry can help.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar, Iterator, Optional, Sequence

from shared.errors import ConfigError, SourceQueryFailed, SyncHubError
from shared.types import Column


@dataclass(frozen=True)
class Dialect:
    """Facts about a platform, as data rather than code."""

    name: str
    quote: str = '"'  # identifier quote character
    supports_cursor: bool = True  # incremental reads by a cursor column
    fast_path: str = ""  # e.g. "COPY TO STDOUT"; shown by `syncagent check`
    tested: bool = True  # False for the generic SQLAlchemy path
    placeholder: str = "%s"  # DB-API parameter marker of the driver
    supports_query: bool = True  # datasets may be a SELECT, not only a table
    schemas: bool = True  # "a.b" names table b in schema a (else the dot is part of the name)


@dataclass(frozen=True)
class ReadRequest:
    """What to read from one dataset.

    ``table`` or ``query`` names the rows (a query is wrapped as a subquery).
    ``columns`` is the allow-list in output order (None: every column).
    With ``cursor_column`` and ``cursor_from`` set, only rows whose cursor is
    ``>= cursor_from`` (canonical text of the cursor's type) are read, ordered
    by the cursor: the overlap window and boundary de-duplication are the
    agent's job, so that rows sharing the last cursor value are never lost.
    ``max_of`` names a selected column whose largest value among the rows read
    a connector with ``reports_max`` finds in the same database snapshot
    (:attr:`Connector.read_max`); others ignore it.
    """

    table: Optional[str] = None
    query: Optional[str] = None
    columns: Optional[Sequence[str]] = None
    cursor_column: Optional[str] = None
    cursor_from: Optional[str] = None
    batch_rows: int = 10_000
    max_of: Optional[str] = None

    def __post_init__(self) -> None:
        if (self.table is None) == (self.query is None):
            raise ConfigError("a dataset names exactly one of `table` or `query`")
        if self.batch_rows < 1:
            raise ConfigError(f"batch_rows must be at least 1, got {self.batch_rows}")
        if (self.cursor_from is not None) and not self.cursor_column:
            raise ConfigError("cursor_from is set but cursor_column is not")

    @property
    def label(self) -> str:
        """How messages name this dataset."""
        return self.table if self.table is not None else "(query)"


@dataclass
class ReadWarnings:
    """Values a connector had to change under a stated policy (e.g. invalid dates -> NULL)."""

    counts: dict[str, int] = field(default_factory=dict)  # "column: reason" -> rows affected

    def add(self, column: str, reason: str, n: int = 1) -> None:
        key = f"{column}: {reason}"
        self.counts[key] = self.counts.get(key, 0) + n


class Connector(ABC):
    """Base for every source platform. Use as a context manager."""

    dialect: ClassVar[Dialect]
    # whether a read honours ReadRequest.max_of: the database finds the maximum (an
    # aggregate over an index or a scan in C) instead of the agent parsing every line
    reports_max: ClassVar[bool] = False

    def __init__(self, url: str, **options: Any) -> None:
        self.url = url
        self.options = options
        self.warnings = ReadWarnings()
        # after a read with ``max_of`` has yielded its last chunk: that maximum as the
        # source's text (None: no rows, or all NULL)
        self.read_max: Optional[str] = None

    # -- lifecycle ---------------------------------------------------------
    def __enter__(self) -> Connector:
        self.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @abstractmethod
    def connect(self) -> None:
        """Open the connection; raise SourceUnavailable / SourceAccessDenied."""

    @abstractmethod
    def close(self) -> None: ...

    # -- errors --------------------------------------------------------------
    def translate_error(self, exc: BaseException, doing: str) -> SyncHubError:
        """Map one driver exception to a :mod:`shared.errors` class (override per platform)."""
        return SourceQueryFailed(
            f"{self.dialect.name}: {doing} failed: {exc}",
            hint="check the dataset's definition against the source",
        )

    @contextmanager
    def boundary(self, doing: str) -> Iterator[None]:
        """Translate any driver exception raised inside into the project's errors, once."""
        try:
            yield
        except SyncHubError:
            raise
        except Exception as exc:
            raise self.translate_error(exc, doing) from exc

    # -- discovery ---------------------------------------------------------
    @abstractmethod
    def list_tables(self) -> list[str]:
        """Tables and views the credentials can read."""

    @abstractmethod
    def describe(self, request: ReadRequest) -> list[Column]:
        """Columns (portable type + native type) the request yields, in order.

        Raises SourceObjectMissing naming the table/column that does not exist.
        """

    @abstractmethod
    def primary_key(self, table: str) -> list[str]:
        """Declared primary key columns ([] when none or not a table)."""

    def leading_index_columns(self, table: str) -> Optional[set[str]]:
        """Columns that begin an index of ``table``: a range on one of them is an index scan.

        ``syncagent check`` warns when a dataset's cursor is not among them (each
        incremental would read the whole table). None: the platform cannot tell.
        """
        return None

    # -- reading -----------------------------------------------------------
    @abstractmethod
    def read(self, request: ReadRequest) -> Iterator[bytes]:
        """Rows as UTF-8 COPY-text lines, yielded in chunks of whole lines.

        Memory stays bounded by ``request.batch_rows`` whatever the table size.
        """

    def count(self, request: ReadRequest) -> int:
        """Rows the request would yield (used by ``export --dry-run``)."""
        n = 0
        for chunk in self.read(request):
            n += chunk.count(b"\n")
        return n
