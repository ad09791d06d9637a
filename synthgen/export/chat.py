"""Chat exports: ``llava`` and ``sharegpt`` (and the turns ``parquet`` embeds).

What a record says as a conversation (:func:`chat_item`):

- records with LLaVA ``conversations`` (svg, svg_multi, imgdiff), or with QA-suite ``qa`` made
  without them (rebuilt from the QA): their images and turns;
- multihop: the documents in order as text (a table's cells, a chart's or scene's picture as
  an ``<image>`` token where the document shows it), then the question; the answer;
- audiocaps: ``<audio>`` then "Write a short caption", the caption, a detailed caption, then
  each audio question (LLaMA-Factory's ShareGPT audio layout, as Qwen2-Audio is tuned on).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from synthgen.export import (
    Export,
    ExportOptions,
    exporters,
    media_path,
    media_refs,
    write_json_items,
)
from synthgen.manifest import Manifest
from synthgen.records import listed_json, media_of
from synthgen.sinks import iter_records

QA_SUITE_PROGRAMS = frozenset({"svg", "svg_multi"})
"""Programs whose ``qa`` entries are the QA suite's, so turns can be rebuilt from them."""

CAPTION_PROMPT = "Write a short caption of this audio clip."
DETAILED_PROMPT = "Describe the audio clip in detail: every sound, when it happens, how loud."


@dataclass
class ChatItem:
    kind: str  # "image" or "audio": what the <image>/<audio> tokens stand for
    refs: list[dict[str, Any]]
    turns: list[dict[str, str]]  # LLaVA turns: {"from": "human" | "gpt", "value"}


def chat_item(record: dict[str, Any]) -> ChatItem | None:
    """The record as a conversation about its media, or None when it is not one."""
    program = record.get("generator", {}).get("name")
    if program == "multihop" or "documents" in record:
        return _multihop(record)
    if media_of(record).get("audio") and "caption" in record:
        return _audio(record)
    refs = media_refs(record, "image")
    turns = _image_turns(record, len(refs)) if refs else []
    return ChatItem("image", refs, turns) if turns else None


def _image_turns(record: dict[str, Any], images: int) -> list[dict[str, str]]:
    turns = record.get("conversations")
    if turns:
        return turns
    if record.get("generator", {}).get("name") not in QA_SUITE_PROGRAMS:
        return []
    from synthgen.generators.qa.base import QA  # lazy: only for records without turns
    from synthgen.generators.qa.suite import conversations

    return conversations([QA.model_validate(q) for q in record.get("qa") or []], images)


def _document_text(doc: dict[str, Any], media: dict[str, Any], order: list[str]) -> str:
    lines = [f"Document {doc.get('id', '')}: {doc.get('title', '')}".strip()]
    for part in doc.get("parts", []):
        name = part.get("media")
        if name and name in media:
            order.append(name)
            caption = part.get("caption") or part.get("type", "")
            lines.append(f"<image>{f' ({caption})' if caption else ''}")
        elif part.get("type") == "table":
            lines.append(" | ".join(map(str, listed_json(part.get("header")))))
            lines += [" | ".join(map(str, row)) for row in listed_json(part.get("rows"))]
        elif part.get("text"):
            lines.append(str(part["text"]))
    return "\n".join(lines)


def _multihop(record: dict[str, Any]) -> ChatItem | None:
    media = media_of(record)
    order: list[str] = []
    docs = [_document_text(d, media, order) for d in record.get("documents", [])]
    if "question" not in record:
        return None
    unplaced = [n for n in media if n not in order and media[n]["mime"].startswith("image/")]
    prompt = "<image>\n" * len(unplaced) + "\n\n".join(docs)
    prompt += f"\n\nAnswer from the documents above.\nQuestion: {record['question']}"
    refs = [media[n] for n in unplaced + order]
    turns = [
        {"from": "human", "value": prompt},
        {"from": "gpt", "value": str(record.get("answer", ""))},
    ]
    return ChatItem("image", refs, turns)


def _audio(record: dict[str, Any]) -> ChatItem:
    turns = [
        {"from": "human", "value": f"<audio>\n{CAPTION_PROMPT}"},
        {"from": "gpt", "value": record["caption"]},
    ]
    if record.get("caption_detailed"):
        turns += [
            {"from": "human", "value": DETAILED_PROMPT},
            {"from": "gpt", "value": record["caption_detailed"]},
        ]
    for qa in record.get("qa") or []:
        turns += [
            {"from": "human", "value": qa["question"]},
            {"from": "gpt", "value": str(qa["answer"])},
        ]
    return ChatItem("audio", [media_of(record)["audio"]], turns)


def chat_items(manifest: Manifest, kinds: tuple[str, ...]) -> Iterator[tuple[dict, ChatItem]]:
    for record in iter_records(manifest):
        item = chat_item(record)
        if item is not None and item.kind in kinds and item.refs:
            yield record, item


@exporters.register
class Llava(Export):
    name = "llava"
    summary = (
        "LLaVA JSON: {id, image, conversations} with <image> tokens (svg, svg_multi, imgdiff, "
        "multihop)"
    )
    needs = "images with questions"

    def fits(self, record: dict[str, Any]) -> bool:
        item = chat_item(record)
        return item is not None and item.kind == "image" and bool(item.refs)

    def write(self, manifest: Manifest, out: Path, options: ExportOptions) -> int:
        def items() -> Iterator[dict[str, Any]]:
            for record, item in chat_items(manifest, ("image",)):
                paths = [media_path(manifest, r, out, options, self.name) for r in item.refs]
                yield {
                    "id": record["id"],
                    "image": paths[0] if len(paths) == 1 else paths,
                    "conversations": item.turns,
                }

        return write_json_items(out, items())


@exporters.register
class ShareGPT(Export):
    name = "sharegpt"
    summary = (
        "LLaMA-Factory ShareGPT: {id, messages, images | audios} (image programs; audiocaps "
        "with <audio>, the Qwen2-Audio layout)"
    )
    needs = "images or audio with questions or captions"

    def fits(self, record: dict[str, Any]) -> bool:
        item = chat_item(record)
        return item is not None and bool(item.refs)

    def write(self, manifest: Manifest, out: Path, options: ExportOptions) -> int:
        roles = {"human": "user", "gpt": "assistant"}

        def items() -> Iterator[dict[str, Any]]:
            for record, item in chat_items(manifest, ("image", "audio")):
                paths = [media_path(manifest, r, out, options, self.name) for r in item.refs]
                yield {
                    "id": record["id"],
                    "messages": [
                        {"role": roles[t["from"]], "content": t["value"]} for t in item.turns
                    ],
                    f"{item.kind}s": paths,
                }

        return write_json_items(out, items())
