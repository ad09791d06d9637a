"""``synthgen view DIR`` writes a static HTML browser that works in a real browser with no
server: headless Chromium loads it without console errors, shows the first record's image and
its questions, and the Next button pages to the second record (issue #16). Skipped, with the
reason, where Debian's ``chromium`` is not installed (``.ci/run`` installs it)."""

from __future__ import annotations

import html as html_lib
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from synthgen.records import media_of
from tests.helpers import run_cli

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium)"
)

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0"]


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _records(root: Path) -> list[dict]:
    return [
        json.loads(line)
        for path in sorted((root / "data").glob("*.jsonl"))
        for line in path.read_text().splitlines()
    ]


ERROR_PROBE = (
    "<script>window.__errors = [];"
    "const __ce = console.error;"
    "console.error = (...a) => { __errors.push(a.join(' ')); __ce(...a); };"
    "window.addEventListener('error', (e) => __errors.push(e.message || "
    "('failed to load ' + (e.target.src || e.target.href))), true);"
    "window.addEventListener('load', () => setTimeout(() => "
    "{ document.body.dataset.errors = JSON.stringify(__errors); }, 0));</script>"
)
"""Put first in <head>: collects console.error calls, uncaught errors and resources (images,
scripts) that failed to load, and writes them to ``body[data-errors]`` once the page loaded."""


def _probe(html: Path, name: str, tail: str = "") -> Path:
    """A copy of the page with ERROR_PROBE first in <head> and ``tail`` run after its scripts."""
    probe = html.with_name(name)
    text = html.read_text().replace("<head>", "<head>" + ERROR_PROBE, 1)
    probe.write_text(text.replace("</body>", f"<script>{tail}</script></body>", 1))
    return probe


def _errors(page: subprocess.CompletedProcess[str]) -> list[str]:
    """Everything the page reported: the probe's list, and any console line in the log (the
    viewer itself never writes to the console)."""
    match = re.search(r'data-errors="([^"]*)"', page.stdout)
    assert match, "the probe ran (the page finished loading)"
    logged = [line for line in page.stderr.splitlines() if ":CONSOLE" in line]
    return json.loads(html_lib.unescape(match[1])) + logged


@pytest.mark.parametrize("program", ["svg", "svg_multi"])
def test_view_loads_shows_the_first_record_and_pages(
    made: Callable[[str, str], Path], program: str, tmp_path: Path
) -> None:
    root = made(program, "jsonl")
    result = run_cli("view", str(root))
    assert result.returncode == 0, result.stderr
    html = root / "view" / "index.html"
    records = _records(root)
    first, second = records[0], records[1]

    page = _chromium(tmp_path, "--dump-dom", _probe(html, "probe0.html").as_uri())
    assert page.returncode == 0, page.stderr[-2000:]
    assert _errors(page) == []
    dom = page.stdout
    assert first["id"] in dom
    for ref in media_of(first).values():
        assert f'src="../{ref["path"]}"' in dom
    for qa in first["qa"]:
        assert qa["question"].replace("&", "&amp;").replace("<", "&lt;") in dom

    # Paging: the real Next button, clicked by a script after the page's own.
    click = (
        "document.getElementById('next').click();"
        "document.body.dataset.after = document.getElementById('recid').textContent;"
    )
    paged = _chromium(tmp_path, "--dump-dom", _probe(html, "probe1.html", click).as_uri())
    assert _errors(paged) == []
    assert f'data-after="{second["id"]} (index {second["index"]})"' in paged.stdout
    assert second["qa"][0]["question"].replace("&", "&amp;") in paged.stdout

    shot = tmp_path / "shot.png"
    _chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,900", html.as_uri())
    with Image.open(shot) as image:
        colors = image.convert("RGB").getcolors(1 << 20) or []
    assert len(colors) > 200, "the screenshot shows the record's image, not a blank page"


def test_view_of_a_parquet_dataset_copies_its_media_out(
    made: Callable[[str, str], Path], tmp_path: Path
) -> None:
    root = made("edit", "parquet")
    assert run_cli("view", str(root)).returncode == 0
    names = {p.name for p in (root / "view" / "media").iterdir()}
    assert any(n.endswith(".source.png") for n in names) and any(
        n.endswith(".mask.png") for n in names
    )
    page = _chromium(
        tmp_path, "--dump-dom", _probe(root / "view" / "index.html", "p.html").as_uri()
    )
    assert _errors(page) == []
    assert 'src="media/' in page.stdout
