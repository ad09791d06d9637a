"""The filter registry imports only the looked-up filter's module (``synthgen.filters.MODULES``):
an audio program's replay does not pay for the image world and the model code that the image
filters import; listing the filters still imports and registers every one."""

from __future__ import annotations

import json
import subprocess
import sys

from synthgen.filters import MODULES

PROBE = r"""
import json, sys
from synthgen.filter import filters
from synthgen.filters import MODULES
cls = filters.get(sys.argv[1])
print(json.dumps({
    "module": cls.__module__,
    "filters": sorted(m for m in set(MODULES.values()) if m in sys.modules),
    "image_world": "synthgen.world.render" in sys.modules,
}))
"""


def test_get_imports_only_that_filters_module() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, "audibility"], check=True, capture_output=True, text=True
    ).stdout
    seen = json.loads(out.splitlines()[-1])
    assert seen["module"] == MODULES["audibility"]
    assert seen["filters"] == [MODULES["audibility"]]
    assert not seen["image_world"]


def test_every_mapped_name_is_registered_by_its_module() -> None:
    from synthgen.filter import filters

    assert set(MODULES) == set(filters.names()) - _entry_point_names()
    for name, module in MODULES.items():
        assert filters.get(name).__module__ == module
        assert filters.get(name).name == name


def _entry_point_names() -> set[str]:
    from importlib.metadata import entry_points

    return {ep.name for ep in entry_points(group="synthgen.filters")}
