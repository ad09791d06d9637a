"""The program registry imports only the looked-up program (``synthgen replay`` of one record
pays for its own program's imports, not every program's): ``synthgen.generators.MODULES``."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from synthgen.generators import MODULES

PROBE = r"""
import json, sys
from synthgen.generators import MODULES
from synthgen.program import programs
cls = programs.get(sys.argv[1])
print(json.dumps({
    "module": cls.__module__,
    "imported": sorted(n for n, m in MODULES.items() if m in sys.modules),
}))
"""


@pytest.mark.parametrize("name", sorted(MODULES))
def test_get_imports_only_that_program(name: str) -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, name], check=True, capture_output=True, text=True
    ).stdout
    seen = json.loads(out.splitlines()[-1])
    assert seen["module"] == MODULES[name] or seen["module"].startswith(MODULES[name] + ".")
    # svg_multi builds on svg's world and QA; nothing else pulls in another program
    allowed = {name, "svg"} if name == "svg_multi" else {name}
    assert set(seen["imported"]) <= allowed and name in seen["imported"]


def test_names_lists_every_program() -> None:
    from synthgen.program import programs

    assert set(MODULES) <= set(programs.names())
    for name in MODULES:
        assert programs.get(name).name == name
