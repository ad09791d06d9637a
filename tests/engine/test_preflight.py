"""User errors that a worker would only meet when it opens its backends are found before the
output directory exists: bad ``llm.*`` values, an unknown ``world.renderer``, a missing
optional dependency of a mode. Each exits 2 with one line naming the field, leaves no
directory behind, and the corrected command then succeeds in that same directory."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from synthgen.cli import main
from synthgen.engine import resolve_config
from synthgen.errors import UserError
from synthgen.program import programs

LLM_HINT = 'pip install -e ".[llm]"'
Args = list[str] | Callable[[Path], list[str]]


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    with pytest.raises(SystemExit) as info:
        main(list(args))
    return int(info.value.code or 0), capsys.readouterr().err


def _images(tmp_path: Path) -> str:
    folder = tmp_path / "photos"
    folder.mkdir(exist_ok=True)
    Image.new("RGB", (32, 32), (200, 30, 30)).save(folder / "a.png")
    return str(folder)


IMGDIFF_MODEL = [
    "--set", 'mode="model"',
    "--set", 'model.clip_model="openai/clip-vit-base-patch32"',
    "--set", 'diffusion.model="tiny/sd"',
]  # fmt: skip


def _edit_images(tmp_path: Path) -> list[str]:
    return [
        "--set", 'source="images"',
        "--set", f'images="{_images(tmp_path)}"',
        "--set", 'clip_model="openai/clip-vit-base-patch32"',
        "--set", 'llm.model="tiny"',
        "--set", 'diffusion.model="tiny/ip2p"',
    ]  # fmt: skip


# (program, bad args, words the one line must hold, modules hidden, corrected args)
CASES: list[tuple[str, Args, list[str], tuple[str, ...], Args]] = [
    (
        "svg",
        ["--set", 'llm.base_url="ftp://x"'],
        ["llm.base_url", "http://"],
        (),
        ["--set", 'llm.base_url="http://127.0.0.1:9/v1"'],
    ),
    ("svg", ["--set", "llm.timeout_s=-1"], ["llm.timeout_s"], (), ["--set", "llm.timeout_s=5"]),
    (
        "svg",
        ["--set", 'llm.base_ulr="http://x/v1"'],
        ["llm.base_ulr", "base_url"],
        (),
        ["--set", 'llm.base_url="http://x/v1"'],
    ),
    (
        "audiocaps",
        ["--set", "llm.max_tokens=10", "--set", "llm.max_tokens_cap=5"],
        ["llm.max_tokens_cap"],
        (),
        ["--set", "llm.max_tokens=10", "--set", "llm.max_tokens_cap=20"],
    ),
    (
        "imgdiff",
        ["--set", 'world.renderer="blender"'],
        ["world.renderer", "pillow"],
        (),
        ["--set", 'world.renderer="pillow"'],
    ),
    ("svg_multi", ["--set", 'world.renderer="blender"'], ["world.renderer", "pillow"], (), []),
    ("svg", ["--set", 'paraphrase="llm"'], ["aiohttp", LLM_HINT], ("aiohttp",), []),
    (
        "svg",
        ["--set", 'paraphrase="llm"', "--set", 'llm.backend="vllm"', "--set", 'llm.model="m"'],
        ["vllm", ".[vllm]"],
        ("vllm",),
        [],
    ),
    (
        "svg",
        ["--set", 'paraphrase="llm"', "--set", 'llm.backend="vllm"'],
        ["llm.model"],
        (),
        [],
    ),
    ("multihop", ["--set", 'rewrite="llm"'], ["aiohttp", LLM_HINT], ("aiohttp",), []),
    ("audiocaps", ["--set", 'rewrite="llm"'], ["aiohttp", LLM_HINT], ("aiohttp",), []),
    ("audiocaps", ["--set", 'clap_model="m"'], ["transformers", ".[hf]"], ("transformers",), []),
    ("imgdiff", IMGDIFF_MODEL, ["torch", ".[diffusion]"], ("torch",), []),
    ("imgdiff", IMGDIFF_MODEL, ["diffusers"], ("diffusers",), []),
    ("imgdiff", IMGDIFF_MODEL, ["aiohttp", LLM_HINT], ("aiohttp",), []),
    ("edit", _edit_images, ["transformers", ".[diffusion]"], ("transformers",), []),
    ("edit", _edit_images, ["aiohttp"], ("aiohttp",), []),
]  # fmt: skip


def _ids(case: tuple[Any, ...]) -> str:
    program, _args, words, hidden, _ = case
    return f"{program}-{words[0]}" + (f"-no-{hidden[0]}" if hidden else "")


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_error_before_the_first_byte_then_the_fix_resumes_nothing(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    case: tuple[str, Args, list[str], tuple[str, ...], Args],
) -> None:
    program, bad, words, hidden, fixed = case
    bad_args = bad(tmp_path) if callable(bad) else bad
    fixed_args = fixed(tmp_path) if callable(fixed) else fixed
    out = tmp_path / "ds"
    common = ["make", program, "--n", "2", "--out", str(out), "--workers", "1", "--no-progress"]
    with monkeypatch.context() as m:
        for module in hidden:
            m.setitem(sys.modules, module, None)  # find_spec and import both say missing
        code, err = _cli(capsys, *common, *bad_args)
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for word in words:
        assert word in lines[0], lines[0]
    assert not out.exists()

    code, err = _cli(capsys, *common, *fixed_args)
    assert code == 0, err
    assert (out / "manifest.json").is_file()


def test_modes_pass_preflight_when_their_modules_are_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The checks ask importlib only; with every module 'installed' each mode passes."""
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a, **k: object())
    for program, bad, _, hidden, _ in CASES:
        if not hidden:
            continue
        args = bad(tmp_path) if callable(bad) else bad
        sets = dict(a.split("=", 1) for a in args[1::2])
        config: dict[str, Any] = {}
        for key, text in sets.items():
            node = config
            *path, last = key.split(".")
            for part in path:
                node = node.setdefault(part, {})
            node[last] = text.strip('"')
        cls = programs.get(program)
        cls.preflight(cls.Config.model_validate(resolve_config(cls, config)))


def test_default_preflight_names_a_nested_path() -> None:
    """The base class checks every ``llm`` table, wherever it is, by its dotted path."""
    from synthgen.models.config import check_llm_settings

    check_llm_settings({"llm": {}, "stage": {"llm": {"model": "m"}}})
    with pytest.raises(UserError, match=r"^stage\.llm\.temperature: "):
        check_llm_settings({"llm": {}, "stage": {"llm": {"temperature": -1}}})
