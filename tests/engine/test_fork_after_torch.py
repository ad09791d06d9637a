"""Forked workers of a process that already ran torch kernels must not deadlock."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = r"""
import sys
import torch
import synthgen
from synthgen.program import Program, ProgramConfig, Sample, register_program
from synthgen.records import BaseRecord

x = torch.randn(256, 256)
torch.nn.functional.conv2d(torch.randn(1, 3, 32, 32), torch.randn(4, 3, 3, 3)).sum()
(x @ x).sum()  # the parent's OpenMP pool is now running


class TorchRecord(BaseRecord):
    value: float


@register_program
class TorchKernels(Program[ProgramConfig]):
    name = "test_torch_kernels"
    version = "1"
    Config = ProgramConfig
    Record = TorchRecord

    def generate(self, ctx):
        g = torch.Generator().manual_seed(ctx.index)
        image = torch.randn(1, 3, 32, 32, generator=g)
        out = torch.nn.functional.conv2d(image, torch.ones(4, 3, 3, 3))
        return Sample({"value": round(float(out.mean()), 4)})


m = synthgen.make("test_torch_kernels", n=8, out=sys.argv[1], workers=2, shard_size=2)
print(m.totals.accepted)
"""


def test_forked_workers_run_torch_kernels_after_the_parent_did(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "ds")],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split()[-1] == "8"
