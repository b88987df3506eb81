"""The fast "already current?" check reads the same heads Alembic computes, and never skips an
upgrade a database needs."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text

from hub.core.db import make_engine
from hub.core.migrate import alembic_config, code_heads, is_current, pending, upgrade


def test_heads_read_from_the_files_are_what_alembic_leaves_in_the_version_table(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    upgrade(engine)
    with engine.connect() as c:
        stored = {r[0] for r in c.execute(text("SELECT version_num FROM alembic_version"))}
    assert (
        code_heads() == stored
        and pending(engine) == []
        and code_heads() <= set(ScriptDirectory.from_config(alembic_config()).get_heads())
    )
    engine.dispose()


def test_a_new_or_behind_database_is_upgraded(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    assert not is_current(engine)
    upgrade(engine)
    assert is_current(engine)
    cfg = alembic_config()
    head = next(h for h in sorted(code_heads()) if h.startswith("merge_"))
    with engine.begin() as conn:  # one chain one step behind, by its own downgrade
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, ScriptDirectory.from_config(cfg).get_revision(head).down_revision)
    assert not is_current(engine)
    upgrade(engine)
    assert is_current(engine)
    engine.dispose()
