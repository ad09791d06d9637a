"""Dataset identity: operational settings (how to reach and pace a server) are not hashed into
``config_hash``, so changing them resumes; settings that can change a reply are hashed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from synthgen.cli import main
from synthgen.engine import build_job, resolve_config
from synthgen.models.config import HASHED_FIELDS, OPERATIONAL_FIELDS, LLMSettings
from synthgen.program import programs
from synthgen.seeding import config_hash
from synthgen.validate import validate_dataset
from synthgen.world.choice import world_identity

OPERATIONAL = {
    "base_url": "http://gpu:8000/v1",
    "api_key_env": "MY_KEY",
    "max_concurrency": 64,
    "timeout_s": 5.0,
    "max_retries": 0,
    "max_consecutive_unavailable": 5,
    "backoff_base_s": 2.0,
    "max_backoff_s": 9.0,
    "cache_dir": "/tmp/elsewhere",
    "cache": False,
}
HASHED = {
    "backend": "openai",
    "model": "other/model",
    "revision": "abc",
    "max_tokens": 99,
    "max_tokens_cap": 4096,
    "max_reasks": 0,
    "temperature": 0.1,
    "top_p": 0.5,
    "structured_output_mode": "structured_outputs",
    "vllm_args": {"max_model_len": 4096},
}


def _hash(tmp_path: Path, name: str = "svg", **config: Any) -> str:
    return build_job(name, 2, tmp_path / "ds", config=config).config_hash


def test_every_llm_field_is_classified() -> None:
    assert set(OPERATIONAL) == OPERATIONAL_FIELDS
    assert set(HASHED) == HASHED_FIELDS
    assert set(LLMSettings.model_fields) == OPERATIONAL_FIELDS | HASHED_FIELDS


@pytest.mark.parametrize("name", ["svg", "imgdiff", "edit", "audiocaps", "multihop"])
def test_operational_llm_keys_keep_the_hash(tmp_path: Path, name: str) -> None:
    base = _hash(tmp_path, name)
    assert _hash(tmp_path, name, llm=OPERATIONAL) == base
    for key, value in OPERATIONAL.items():
        assert _hash(tmp_path, name, llm={key: value}) == base, key


@pytest.mark.parametrize("key", sorted(HASHED))
def test_output_affecting_llm_keys_change_the_hash(tmp_path: Path, key: str) -> None:
    base = _hash(tmp_path, llm={"model": "m"})
    changed = {"model": "m", key: HASHED[key]}
    assert _hash(tmp_path, llm=changed) != base
    # and an operational change beside it does not hide it
    assert _hash(tmp_path, llm={**changed, "timeout_s": 1.0}) == _hash(tmp_path, llm=changed)


def test_temperature_changes_the_hash(tmp_path: Path) -> None:
    assert _hash(tmp_path, llm={"timeout_s": 5}) == _hash(tmp_path)
    assert _hash(tmp_path, llm={"temperature": 0.2}) != _hash(tmp_path)


@pytest.mark.parametrize("name", sorted(programs.names()))
def test_default_configs_hash_as_before(tmp_path: Path, name: str) -> None:
    """Existing datasets (empty llm tables) still resume: the hash is the whole config's,
    less the ``world.name`` of the shapes world (configs hashed it before it had a name)."""
    program = programs.get(name)
    resolved = resolve_config(program)
    expected = world_identity(resolved)
    if name in ("svg", "imgdiff", "edit"):  # real things by default: hashed by world name
        assert resolved["world"]["name"] == "sprites" and expected["world"]["name"] == "sprites"
    elif name == "svg_multi":  # the other program that draws scenes: shapes by default
        assert resolved["world"]["name"] == "shapes" and "name" not in expected["world"]
    assert program.identity_config(resolved) == expected
    assert _hash(tmp_path, name) == config_hash(expected)


def test_changing_only_the_timeout_resumes(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "ds"
    common = ["make", "svg", "--n", "2", "--out", str(out), "--workers", "1", "--no-progress"]

    def run(*extra: str) -> tuple[int, str]:
        capsys.readouterr()
        with pytest.raises(SystemExit) as info:
            main([*common, *extra])
        return int(info.value.code or 0), capsys.readouterr().err

    code, err = run()
    assert code == 0, err
    before = json.loads((out / "manifest.json").read_text())
    records = (out / "data" / "shard-00000.jsonl").read_bytes()

    code, err = run("--set", "llm.timeout_s=5", "--set", "llm.max_concurrency=2")
    assert code == 0, err
    assert "different config" not in err
    after = json.loads((out / "manifest.json").read_text())
    assert after["job"]["config"]["llm"] == {"timeout_s": 5, "max_concurrency": 2}
    assert after["job"]["config_hash"] == before["job"]["config_hash"]
    assert (out / "data" / "shard-00000.jsonl").read_bytes() == records
    assert validate_dataset(out).ok

    code, err = run("--set", "llm.temperature=0.1")
    assert code == 2 and "different config" in err
