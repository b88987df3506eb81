"""`synchub data export --csv FILE` shows rows written of the total and the time left."""

from __future__ import annotations

import io

from rich.console import Console

from hub.data.progress import row_progress


def test_the_bar_counts_rows_of_a_known_total() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100)
    with row_progress("export products", 2000, console=console) as advance:
        advance(1500)
    shown = out.getvalue()
    assert "export products" in shown and "1,500 of 2,000 rows" in shown


def test_nothing_is_drawn_off_a_terminal(capsys) -> None:
    with row_progress("export products", 10) as advance:  # pytest's stderr is no terminal
        advance(10)
    assert capsys.readouterr().err == ""
