"""The wheel holds every package of the source tree under ``synthgen.*`` and no generic
top-level names (``generators``, ``filters``) -- a subpackage missing from pyproject's
explicit package list would otherwise only fail after install."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).parents[2]
MAPPING = {
    "synthgen": "synthgen",
    "generators": "synthgen/generators",
    "filters": "synthgen/filters",
    "prompts": "synthgen/prompts",
}


def test_wheel_contains_every_source_package_and_no_top_level_generic_names(tmp_path: Path) -> None:
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr
    wheel = next(tmp_path.glob("synthgen-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"synthgen"}, tops
    expected = set()
    for src, dest in MAPPING.items():
        for init in (ROOT / src).rglob("__init__.py"):
            if "__pycache__" not in init.parts:
                expected.add(f"{dest}/{init.relative_to(ROOT / src).as_posix()}")
    missing = sorted(expected - names)
    assert not missing, f"add these packages to pyproject's package list: {missing}"
    templates = {f"synthgen/prompts/{p.name}" for p in (ROOT / "prompts").glob("*.toml")}
    assert templates and templates <= names, sorted(templates - names)
