"""A program from a separately installed package is found through the entry-point group."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import run_cli

PLUGIN = """
from synthgen.program import Program, ProgramConfig, Sample
from synthgen.records import BaseRecord


class HelloRecord(BaseRecord):
    greeting: str


class Hello(Program):
    name = "ext_hello"
    version = "0.3"
    description = "a program from another package"
    Config = ProgramConfig
    Record = HelloRecord

    def generate(self, ctx):
        return Sample({"greeting": f"hello {int(ctx.rng.integers(100))}"})
"""

PYPROJECT = """
[build-system]
requires = ["setuptools"]
build-backend = "setuptools.build_meta"

[project]
name = "synthgen-ext-hello"
version = "0.3"

[project.entry-points."synthgen.programs"]
ext_hello = "synthgen_ext_hello:Hello"
"""


def test_entry_point_program_is_listed_and_runs(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    (pkg / "synthgen_ext_hello").mkdir(parents=True)
    (pkg / "synthgen_ext_hello/__init__.py").write_text(PLUGIN)
    (pkg / "pyproject.toml").write_text(PYPROJECT)
    site = tmp_path / "site"
    install = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(site),
            str(pkg),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stderr
    assert list(site.glob("synthgen_ext_hello-0.3.dist-info"))
    env = {"PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}

    assert "ext_hello" not in run_cli("list").stdout
    listed = run_cli("list", env=env)
    assert any(line.split("\t")[:2] == ["ext_hello", "0.3"] for line in listed.stdout.splitlines())

    out = tmp_path / "ds"
    made = run_cli(
        "make",
        "ext_hello",
        "--n",
        "4",
        "--out",
        str(out),
        "--workers",
        "2",
        "--shard-size",
        "2",
        env=env,
    )
    assert made.returncode == 0, made.stderr
    records = [
        json.loads(line)
        for p in sorted((out / "data").glob("*.jsonl"))
        for line in p.read_text().splitlines()
    ]
    assert len(records) == 4
    assert all(r["generator"] == {"name": "ext_hello", "version": "0.3"} for r in records)
    assert all(r["greeting"].startswith("hello ") for r in records)
