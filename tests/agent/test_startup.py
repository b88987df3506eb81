"""The agent's start-up: what ``agent.startup`` keeps out of every ``syncagent`` process."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap


def run_fresh(code: str) -> dict:
    """Run ``code`` in a new interpreter (imports start from nothing); its printed JSON."""
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def test_a_push_process_does_not_import_invoke_yet_paramiko_can_still_use_it() -> None:
    seen = run_fresh(
        """
        import json, sys
        import agent.cli, agent.runner, agent.export, agent.deliver
        loaded_before = sorted(m for m in sys.modules if m.startswith(("invoke.", "yaml")))
        import paramiko.config
        run = paramiko.config.invoke.run  # what a `Match exec` line would call
        print(json.dumps({
            "before": loaded_before,
            "after": "invoke.runners" in sys.modules,
            "run": run.__module__,
            "plugins": __import__("os").environ.get("PYDANTIC_DISABLE_PLUGINS"),
        }))
        """
    )
    assert seen["before"] == []  # neither invoke's submodules nor its vendored YAML
    assert seen["after"] is True and seen["run"] == "invoke"
    assert seen["plugins"] == "__all__"


def test_an_operators_pydantic_plugin_setting_is_kept() -> None:
    seen = run_fresh(
        """
        import json, os
        os.environ["PYDANTIC_DISABLE_PLUGINS"] = "some_plugin"
        import agent.cli
        print(json.dumps(os.environ["PYDANTIC_DISABLE_PLUGINS"]))
        """
    )
    assert seen == "some_plugin"


def test_numpy_loads_only_when_an_incremental_compares_with_its_ledger() -> None:
    seen = run_fresh(
        """
        import json, sys
        import agent.cli, agent.runner, agent.export, agent.deliver, agent.detect
        print(json.dumps("numpy" in sys.modules))
        """
    )
    assert seen is False  # ≈ 80 ms of every push's start-up otherwise (agent/ledger.py: matcher)
