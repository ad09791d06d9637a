"""``synthgen view DIR``: a static HTML browser of a dataset, ``DIR/view/index.html``.

No server and no network: the page is one HTML file with its script and style inline, plus
``view/data.js`` (the records it shows, as a script, since browsers refuse ``fetch`` of
``file://`` URLs). Images and audio are the dataset's own files (``../media/...``); media kept
inside shards (webdataset, parquet) are copied out to ``view/media/``. The page shows one record
at a time (Prev/Next, a record number box, the arrow keys): its images with their scene-graph
boxes (drawn when the pointer is over the image; an object or relation in the lists lights up
its boxes), the questions and answers (or instruction, caption), lineage (models, prompts, filter
verdicts) and the record's whole JSON; and a tab of rejected candidates grouped by reason.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from synthgen.card import record_graph
from synthgen.card.stats import object_box, object_name
from synthgen.fsutil import atomic_write_bytes
from synthgen.manifest import Manifest
from synthgen.records import media_of, relations_table
from synthgen.sinks import iter_stored
from synthgen.validate import load_dataset

VIEW_DIR = "view"
DEFAULT_LIMIT = 500
MAX_RELATIONS = 400
MAX_REJECTS_PER_REASON = 200


def write_view(root: str | Path, limit: int = DEFAULT_LIMIT) -> Path:
    """Write ``DIR/view/index.html`` (and ``data.js``) for the first ``limit`` records;
    returns the HTML path."""
    manifest = load_dataset(root)
    folder = manifest.root / VIEW_DIR
    (folder / "media").mkdir(parents=True, exist_ok=True)
    records = []
    for stored in iter_stored(manifest):
        if len(records) >= limit:
            break
        records.append(_entry(manifest, stored.data, stored.media, folder))
    data = {
        "title": f"{manifest.job.dataset} ({manifest.job.program} {manifest.job.program_version})",
        "total": manifest.totals.accepted,
        "shown": len(records),
        "records": records,
        "rejects": _rejects(manifest),
    }
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":")).replace("</", "<\\/")
    atomic_write_bytes(folder / "data.js", f"window.SYNTHGEN_VIEW = {text};\n".encode())
    html = folder / "index.html"
    atomic_write_bytes(html, PAGE.encode())
    return html


def _media_src(manifest: Manifest, ref: dict[str, Any], blob: bytes | None, folder: Path) -> str:
    """The URL of a media file relative to ``view/``."""
    if not ref.get("container"):
        return "../" + ref["path"]
    name = ref["path"].rsplit("/", 1)[-1]
    target = folder / "media" / name
    if blob is not None and not target.exists():
        atomic_write_bytes(target, blob)
    return "media/" + name


def _graph_view(record: dict[str, Any], name: str) -> tuple[list[dict], list[dict]]:
    """(objects [{id, label, box}], relations [{s, p, o}]) of image ``name`` of a record."""
    graph = record_graph(record, name)
    objects: list[dict[str, Any]] = []
    relations: list[dict[str, Any]] = []
    if graph is None:
        boxes = record.get("boxes")
        if isinstance(boxes, list):
            objects = [
                {"id": k, "label": "change", "box": b}
                for k, b in enumerate(boxes)
                if isinstance(b, list) and len(b) == 4
            ]
        return objects, relations
    for o in graph.get("objects", []):
        box = object_box(o) if isinstance(o, dict) else None
        if box is not None:
            oid = o.get("id", o.get("object_id"))
            objects.append({"id": oid, "label": object_name(o), "box": box})
    for key in ("relationships", "relations"):
        for r in graph.get(key) or []:
            if isinstance(r, dict) and "predicate" in r:
                s = r.get("subject_id", r.get("subject"))
                o = r.get("object_id", r.get("object"))
                relations.append({"s": s, "p": r["predicate"], "o": o})
    for predicate, pairs in relations_table(graph.get("relations_by_predicate")).items():
        for pair in pairs:
            if isinstance(pair, list) and len(pair) == 2:
                relations.append({"s": pair[0], "p": predicate, "o": pair[1]})
    return objects, relations[:MAX_RELATIONS]


def _entry(
    manifest: Manifest, record: dict[str, Any], blobs: dict[str, bytes | None], folder: Path
) -> dict[str, Any]:
    images, audio = [], []
    for name, ref in media_of(record).items():
        src = _media_src(manifest, ref, blobs.get(ref["path"]), folder)
        if ref["mime"].startswith("image/"):
            objects, relations = _graph_view(record, name)
            images.append(
                {
                    "name": name,
                    "src": src,
                    "w": ref.get("width"),
                    "h": ref.get("height"),
                    "objects": objects,
                    "relations": relations,
                }
            )
        elif ref["mime"].startswith("audio/"):
            audio.append({"name": name, "src": src, "duration": ref.get("duration")})
    qa = [
        {"kind": q.get("kind", ""), "q": q.get("question", ""), "a": _text(q.get("answer"))}
        for q in record.get("qa") or []
        if isinstance(q, dict)
    ]
    if "question" in record:
        qa.insert(
            0,
            {
                "kind": record.get("question_type", ""),
                "q": record["question"],
                "a": _text(record.get("answer")),
            },
        )
    notes = [
        {"k": k, "v": record[k]}
        for k in ("instruction", "caption", "caption_detailed", "edit_type", "category")
        if isinstance(record.get(k), str)
    ]
    return {
        "id": record["id"],
        "index": record["index"],
        "images": images,
        "audio": audio,
        "qa": qa,
        "notes": notes,
        "lineage": record.get("lineage", {}),
        "json": json.dumps(record, indent=1, ensure_ascii=False),
    }


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _rejects(manifest: Manifest) -> dict[str, list[dict[str, Any]]]:
    """Rejected candidates by reason (at most MAX_REJECTS_PER_REASON each), in index order."""
    by_reason: dict[str, list[dict[str, Any]]] = {}
    for entry in manifest.shards:
        path = manifest.root / "rejects" / f"shard-{entry.shard:05d}.jsonl"
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            bucket = by_reason.setdefault(item["reason"], [])
            if len(bucket) < MAX_REJECTS_PER_REASON:
                bucket.append({"index": item["index"], "detail": item.get("detail") or ""})
    return dict(sorted(by_reason.items()))


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>synthgen view</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 0; color: #222; background: #fafafa; }
header { background: #263238; color: #fff; padding: 8px 16px; display: flex; gap: 12px;
  align-items: center; flex-wrap: wrap; }
header h1 { font-size: 16px; margin: 0 12px 0 0; }
header button, header input { font: inherit; }
header input { width: 5em; }
nav.tabs button.on { font-weight: bold; }
main { padding: 12px 16px; }
.images { display: flex; flex-wrap: wrap; gap: 12px; }
figure { margin: 0; position: relative; display: inline-block; }
figure img { display: block; max-width: 640px; height: auto; }
figure svg { position: absolute; left: 0; top: 0; width: 100%; height: 100%;
  pointer-events: none; opacity: 0; transition: opacity .1s; }
figure:hover svg, figure.lit svg { opacity: 1; }
svg rect { fill: none; stroke-width: 2; }
svg rect.hi { stroke-width: 4; }
svg text { font: 11px sans-serif; paint-order: stroke; stroke: #000; stroke-width: 2px;
  fill: #fff; }
figcaption { font-size: 12px; color: #666; }
.cols { display: flex; gap: 24px; flex-wrap: wrap; margin-top: 12px; }
.cols > section { flex: 1 1 360px; }
table { border-collapse: collapse; }
td, th { border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
ul.objs { columns: 2; padding-left: 18px; }
li.obj, li.rel { cursor: default; }
li.obj:hover, li.rel:hover { background: #ffe082; }
pre { background: #fff; border: 1px solid #ddd; padding: 8px; max-height: 400px; overflow: auto; }
.pass { color: #2e7d32; } .fail { color: #c62828; }
.muted { color: #777; }
</style>
</head>
<body>
<header>
  <h1 id="title">synthgen view</h1>
  <nav class="tabs"><button id="tab-records" class="on">Records</button>
  <button id="tab-rejects">Rejects</button></nav>
  <span id="pager"><button id="prev">&larr; Prev</button>
  record <input id="pos" type="number" min="1" value="1"> of <span id="count">0</span>
  <button id="next">Next &rarr;</button></span>
  <span id="recid" class="muted"></span>
</header>
<main>
  <div id="records"></div>
  <div id="rejects" hidden></div>
</main>
<script src="data.js"></script>
<script>
"use strict";
const D = window.SYNTHGEN_VIEW;
const COLORS = ["#e6194b", "#3cb44b", "#ffe119", "#4363d8", "#f58231", "#911eb4",
  "#46f0f0", "#f032e6", "#bcf60c", "#008080", "#9a6324", "#800000"];
const $ = (id) => document.getElementById(id);
function el(tag, attrs, ...kids) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) n.setAttribute(k, v);
  for (const k of kids) n.append(k);
  return n;
}
function svgEl(tag, attrs) {
  const n = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
  return n;
}
let pos = 0;
function figure(image) {
  const fig = el("figure", {"class": "image"});
  const img = el("img", {src: image.src, alt: image.name});
  if (image.w) { img.width = image.w; img.height = image.h; }
  fig.append(img);
  const svg = svgEl("svg", {viewBox: `0 0 ${image.w || 1} ${image.h || 1}`,
    preserveAspectRatio: "none"});
  const rects = {};
  image.objects.forEach((o, k) => {
    const c = COLORS[k % COLORS.length];
    const [x, y, w, h] = o.box;
    const r = svgEl("rect", {x, y, width: w, height: h, stroke: c});
    const t = svgEl("text", {x: x + 2, y: y + 11});
    t.textContent = o.label;
    svg.append(r, t);
    rects[o.id] = rects[o.id] || [];
    rects[o.id].push(r);
  });
  fig.append(svg, el("figcaption", {}, `${image.name}: ${image.objects.length} boxes, ` +
    `${image.relations.length} relations (pointer over the image shows boxes)`));
  const light = (ids, on) => {
    fig.classList.toggle("lit", on);
    for (const id of ids) for (const r of rects[id] || []) r.classList.toggle("hi", on);
  };
  const names = Object.fromEntries(image.objects.map((o) => [o.id, o.label]));
  const objs = el("ul", {"class": "objs"});
  for (const o of image.objects) {
    const li = el("li", {"class": "obj"}, `${o.label} [${o.box.join(", ")}]`);
    li.onmouseenter = () => light([o.id], true);
    li.onmouseleave = () => light([o.id], false);
    objs.append(li);
  }
  const rels = el("ul", {});
  for (const r of image.relations) {
    const li = el("li", {"class": "rel"}, `${names[r.s] ?? r.s} ${r.p} ${names[r.o] ?? r.o}`);
    li.onmouseenter = () => light([r.s, r.o], true);
    li.onmouseleave = () => light([r.s, r.o], false);
    rels.append(li);
  }
  return {fig, objs, rels};
}
function lineage(l) {
  const box = el("div", {});
  const t = el("table", {}, el("tr", {}, el("th", {}, "filter"), el("th", {}, "kind"),
    el("th", {}, "verdict"), el("th", {}, "score"), el("th", {}, "threshold")));
  for (const v of l.verdicts || []) {
    t.append(el("tr", {}, el("td", {}, v.filter), el("td", {}, v.kind),
      el("td", {"class": v.passed ? "pass" : "fail"}, v.passed ? "passed" : "failed"),
      el("td", {}, String(v.score ?? "")), el("td", {}, String(v.threshold ?? ""))));
  }
  box.append(t);
  const models = (l.models || []).map((m) => m.name || m.model || JSON.stringify(m));
  const prompts = (l.prompts || []).map((p) => p.name || JSON.stringify(p));
  box.append(el("p", {}, "models: " + (models.join(", ") || "none")));
  box.append(el("p", {}, "prompts: " + (prompts.join(", ") || "none")));
  return box;
}
function show(k) {
  if (!D.records.length) { $("records").textContent = "This dataset has no records."; return; }
  pos = Math.max(0, Math.min(D.records.length - 1, k));
  const r = D.records[pos];
  $("pos").value = pos + 1;
  $("recid").textContent = `${r.id} (index ${r.index})`;
  const root = $("records");
  root.replaceChildren();
  const images = el("div", {"class": "images"});
  const objLists = el("section", {}, el("h3", {}, "Objects and relations"));
  for (const image of r.images) {
    const {fig, objs, rels} = figure(image);
    images.append(fig);
    if (image.objects.length) objLists.append(el("h4", {}, image.name), objs);
    if (image.relations.length) {
      const det = el("details", {}, el("summary", {}, `${image.relations.length} relations`), rels);
      objLists.append(det);
    }
  }
  for (const a of r.audio) {
    images.append(el("figure", {}, el("audio", {controls: "", src: a.src}),
      el("figcaption", {}, `${a.name}: ${a.duration ?? "?"} s`)));
  }
  root.append(images);
  const qa = el("section", {"id": "qa"}, el("h3", {}, "Questions and answers"));
  const qt = el("table", {});
  for (const q of r.qa) {
    qt.append(el("tr", {"class": "qa"}, el("td", {"class": "muted"}, q.kind),
      el("td", {}, q.q), el("td", {}, el("b", {}, q.a))));
  }
  if (!r.qa.length) qa.append(el("p", {"class": "muted"}, "no questions"));
  qa.append(qt);
  for (const n of r.notes) qa.append(el("p", {}, el("b", {}, n.k + ": "), n.v));
  const lin = el("section", {}, el("h3", {}, "Lineage and verdicts"), lineage(r.lineage));
  const raw = el("details", {}, el("summary", {}, "record JSON"), el("pre", {}, r.json));
  const cols = el("div", {"class": "cols"}, qa);
  if (objLists.children.length > 1) cols.append(objLists);
  cols.append(lin);
  root.append(cols);
  root.append(raw);
}
function rejects() {
  const root = $("rejects");
  const reasons = Object.keys(D.rejects);
  if (!reasons.length) { root.append(el("p", {}, "No candidate was rejected.")); return; }
  for (const reason of reasons) {
    const items = D.rejects[reason];
    const t = el("table", {});
    for (const it of items) {
      t.append(el("tr", {}, el("td", {}, String(it.index)), el("td", {}, it.detail)));
    }
    root.append(el("details", {"class": "reason"},
      el("summary", {}, `${reason}: ${items.length} shown`), t));
  }
}
function tab(records) {
  $("records").hidden = !records; $("rejects").hidden = records;
  $("pager").hidden = !records;
  $("tab-records").classList.toggle("on", records);
  $("tab-rejects").classList.toggle("on", !records);
}
$("title").textContent = D.title;
$("count").textContent = `${D.shown}` + (D.shown < D.total ? ` shown (of ${D.total})` : "");
$("prev").onclick = () => show(pos - 1);
$("next").onclick = () => show(pos + 1);
$("pos").onchange = () => show(Number($("pos").value) - 1);
$("tab-records").onclick = () => tab(true);
$("tab-rejects").onclick = () => tab(false);
document.addEventListener("keydown", (e) => {
  if (e.target.tagName === "INPUT") return;
  if (e.key === "ArrowRight") show(pos + 1);
  if (e.key === "ArrowLeft") show(pos - 1);
});
rejects();
const start = Number(new URLSearchParams(location.search).get("record") || "1") - 1;
show(start);
</script>
</body>
</html>
"""
