"""Progress of a long CSV export on the operator's terminal: rows written of the total (the
hub counts them first, so the total is known), the rate, and the time left."""

from __future__ import annotations

import contextlib
import sys
from typing import Any, Callable, Iterator, Optional


@contextlib.contextmanager
def row_progress(
    label: str, total: int, console: Optional[Any] = None
) -> Iterator[Callable[[int], None]]:
    """``advance(n)`` after each ``n`` rows written. A bar on a terminal (stderr, or
    ``console``), nothing elsewhere: a pipe or a cron log gets the final count only."""
    if console is None and not sys.stderr.isatty():
        yield lambda n: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,} of {task.total:,} rows"),
        TimeRemainingColumn(),
        console=console or Console(stderr=True),
        transient=console is None,
    ) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


__all__ = ["row_progress"]
