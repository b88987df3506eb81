"""What every agent process sets up first, so that ``syncagent`` starts fast.

Measured with ``python -X importtime`` (bench/README.md, "agent start-up"): of the
imports a push needs, two cost CPU without doing anything for the agent —

* paramiko's ``config`` module imports ``invoke`` (with its vendored YAML,
  ``unittest.mock`` and ``asyncio``) only to run ``Match exec`` lines of an
  OpenSSH client config, which the agent never reads;
* pydantic looks for plugins by scanning the entry points of every installed
  distribution when the first model is built; the agent installs none.

``invoke`` is registered as a stand-in that imports the real module the first
time anything asks it for an attribute, and pydantic's plugin scan is switched off for
this process unless the operator set ``PYDANTIC_DISABLE_PLUGINS`` themselves.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import os
import sys
import types
from typing import Any

DEFERRED = ("invoke",)


def defer(name: str) -> None:
    """Make ``import name`` cheap: a stand-in module that imports the real one on the first
    attribute it is asked for and hands that on (``importlib.util.LazyLoader`` does not do
    here: the import statement itself reads ``__spec__`` of a module found in
    ``sys.modules``, which makes LazyLoader execute the module at once)."""
    if name in sys.modules or importlib.util.find_spec(name) is None:
        return  # already loaded, or not installed: the importer's own ImportError handling applies
    stand_in = types.ModuleType(name, f"{name}, imported on first use (agent.startup)")
    stand_in.__spec__ = importlib.machinery.ModuleSpec(name, None)

    def load(attr: str) -> Any:
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]
        return getattr(importlib.import_module(name), attr)

    stand_in.__dict__["__getattr__"] = load  # PEP 562: asked for missing attributes only
    sys.modules[name] = stand_in


def prepare() -> None:
    """Call once, before pydantic models or paramiko are imported (``agent.cli`` does)."""
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    for name in DEFERRED:
        defer(name)
