"""Output for people on a terminal, JSON lines for log collectors otherwise."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Optional


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.exc_info and record.exc_info[1] is not None:
            doc["error"] = str(record.exc_info[1])
        return json.dumps(doc, ensure_ascii=False)


def is_tty() -> bool:
    return sys.stderr.isatty()


def setup_logging(verbose: bool = False) -> None:
    """Rich console logs on a TTY, JSON lines on stderr otherwise (systemd, cron, Windows service)."""
    level = logging.DEBUG if verbose else logging.INFO
    root = logging.getLogger()
    root.handlers.clear()
    if is_tty():
        from rich.logging import RichHandler

        handler: logging.Handler = RichHandler(show_path=False, rich_tracebacks=False)
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("paramiko").setLevel(logging.WARNING)


def amount(unit: str, done: float, total: Optional[float], speed: Optional[float]) -> str:
    """What a progress line says of a task: ``12,345 of 50,000 rows · 8,100/s`` (an export),
    ``3.1 MB/9.8 MB · 40.0 MB/s`` (an upload); the total only where it is known."""
    from rich.filesize import decimal

    if unit == "bytes":
        rate = f" · {decimal(int(speed))}/s" if speed else ""
        return f"{decimal(int(done))}/{decimal(int(total or 0))}{rate}"
    of = f" of {int(total):,}" if total else ""
    rate = f" · {int(speed):,}/s" if speed else ""
    return f"{int(done):,}{of} rows{rate}"


@contextmanager
def progress_bars() -> Iterator[
    tuple[Callable[[str, int], None], Callable[[str], Callable[[int, int], None]]]
]:
    """(rows callback, bytes callback factory): live bars on a TTY, periodic log lines otherwise."""
    log = logging.getLogger("syncagent.progress")
    if not is_tty():
        last: dict[str, int] = {}

        def rows_plain(name: str, n: int) -> None:
            if n - last.get(name, 0) >= 1_000_000:
                last[name] = n
                log.info(json.dumps({"event": "rows", "dataset": name, "rows": n}))

        yield rows_plain, lambda name: lambda done, total: None
        return
    from rich.progress import (
        BarColumn,
        Progress,
        ProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class Amount(ProgressColumn):
        """``12,345 rows · 8,100/s`` for an export, ``3.1/9.8 MB · 40 MB/s`` for an upload:
        each task in its own unit (rows were shown as kilobytes)."""

        def render(self, task: Any) -> Text:
            speed = task.finished_speed or task.speed
            return Text(amount(task.fields.get("unit", "rows"), task.completed, task.total, speed))

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),  # moves to and fro while the total is unknown
        Amount(),
        TimeRemainingColumn(),  # the ETA, where the total is known (uploads)
        transient=True,
    ) as bar:
        tasks: dict[str, Any] = {}

        def rows(name: str, n: int) -> None:
            if name not in tasks:
                tasks[name] = bar.add_task(f"export {name}", total=None, unit="rows")
            bar.update(tasks[name], completed=n)

        def upload(name: str) -> Callable[[int, int], None]:
            task: Optional[Any] = None

            def cb(done: int, total: int) -> None:
                nonlocal task
                if task is None:
                    task = bar.add_task(f"upload {name}", total=total, unit="bytes")
                bar.update(task, completed=done)

            return cb

        yield rows, upload
