"""`synchub demo --home DIR` wipes only a folder a demo made: a user's real hub folder is refused, untouched."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from hub.demo.run import demo


def test_a_folder_the_demo_did_not_make_is_refused_and_kept(tmp_path):
    home = tmp_path / "my-hub"
    home.mkdir()
    (home / "hub.db").write_bytes(b"precious")
    result = CliRunner().invoke(demo, ["--home", str(home), "--no-serve"])
    assert result.exit_code == 2
    assert "was not made by synchub demo" in result.output
    assert "--home" in result.output
    assert (home / "hub.db").read_bytes() == b"precious"


@pytest.mark.parametrize("made_by", ["empty", "this demo", "an older demo"])
def test_a_demo_folder_is_wiped_and_rebuilt(tmp_path, monkeypatch, made_by):
    """Stopped right after the wipe (at the hub's start): what the folder held is gone."""
    home = tmp_path / "demo"
    home.mkdir()
    if made_by == "this demo":
        (home / ".synchub-demo").write_text("")
        (home / "hub.db").write_bytes(b"old")
    elif made_by == "an older demo":
        for name in ("resellers", "catalog"):
            (home / name).mkdir()
        (home / "hub.db").write_bytes(b"old")

    def stop(settings):
        raise SystemExit(7)

    monkeypatch.setattr("hub.demo.run.init_hub", stop)
    result = CliRunner().invoke(demo, ["--home", str(home), "--no-serve"])
    assert result.exit_code == 7
    assert not (home / "hub.db").exists()
