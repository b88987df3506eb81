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
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,}"),
        DownloadColumn(),
        TransferSpeedColumn(),
        transient=True,
    ) as bar:
        tasks: dict[str, Any] = {}

        def rows(name: str, n: int) -> None:
            if name not in tasks:
                tasks[name] = bar.add_task(f"export {name}", total=None)
            bar.update(tasks[name], completed=n)

        def upload(name: str) -> Callable[[int, int], None]:
            task: Optional[Any] = None

            def cb(done: int, total: int) -> None:
                nonlocal task
                if task is None:
                    task = bar.add_task(f"upload {name}", total=total)
                bar.update(task, completed=done)

            return cb

        yield rows, upload
