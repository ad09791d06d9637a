"""Scene graphs for real images from an MLLM (``svg`` with ``annotator="mllm"``).

The MLLM sees one of the user's images and answers with a scene graph as structured output
(:class:`AnnotatedGraph`, sent as a JSON Schema). The reply is checked against the image
before anything is asked about it: every box lies inside the image and has positive area,
object ids are unique, every relation's endpoints exist. A graph that fails is rejected with
``mllm_graph_invalid`` and the reason; it never reaches the QA suite. Valid graphs are kept in
Visual Genome's shape (:class:`~synthgen.world.vg.VGImage`), the same as imported VG files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image
from pydantic import BaseModel, ConfigDict, Field

from synthgen.errors import UserError
from synthgen.program import Context, Reject
from synthgen.prompts import load, text_sha256
from synthgen.world.vg import VGImage, VGObject, VGRelationship

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp")


class AnnotatedObject(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int = Field(ge=1)
    name: str = Field(min_length=1, description="a short noun, e.g. 'cup'")
    attributes: list[str] = Field(default_factory=list, description="e.g. 'red', 'wooden'")
    bbox: list[int] = Field(min_length=4, max_length=4, description="x, y, width, height")


class AnnotatedRelation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: int
    predicate: str = Field(min_length=1)
    object: int


class AnnotatedGraph(BaseModel):
    """What the MLLM must answer (its JSON Schema goes to the server)."""

    model_config = ConfigDict(extra="forbid")

    objects: list[AnnotatedObject] = Field(min_length=1)
    relations: list[AnnotatedRelation] = Field(default_factory=list)


def list_images(folder: str) -> list[Path]:
    """The images of a folder, sorted by name (candidate i is the i-th)."""
    path = Path(folder).expanduser()
    if not path.is_dir():
        raise UserError(f"images folder {path} does not exist: check --set images=PATH")
    images = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not images:
        raise UserError(f"images folder {path} holds no {'/'.join(IMAGE_SUFFIXES)} files")
    return images


def problems(graph: AnnotatedGraph, width: int, height: int) -> list[str]:
    """Why an annotated graph cannot be used for ``width`` x ``height`` (empty: valid)."""
    out: list[str] = []
    ids = [o.id for o in graph.objects]
    if len(set(ids)) != len(ids):
        out.append("object ids are not unique")
    for o in graph.objects:
        x, y, w, h = o.bbox
        if w <= 0 or h <= 0 or x < 0 or y < 0 or x + w > width or y + h > height:
            out.append(f"object {o.id} box {o.bbox} is not inside the {width}x{height} image")
    known = set(ids)
    for r in graph.relations:
        if r.subject not in known or r.object not in known:
            out.append(f"relation {r.subject} {r.predicate!r} {r.object} names a missing object")
    return out


def to_vg(graph: AnnotatedGraph, image_id: int, width: int, height: int) -> VGImage:
    return VGImage(
        image_id=image_id,
        width=width,
        height=height,
        objects=[
            VGObject(
                object_id=o.id,
                x=o.bbox[0],
                y=o.bbox[1],
                w=o.bbox[2],
                h=o.bbox[3],
                names=[o.name.strip().lower()],
                attributes=[a.strip().lower() for a in o.attributes],
            )
            for o in graph.objects
        ],
        relationships=[
            VGRelationship(
                relationship_id=i,
                predicate=r.predicate.strip().lower(),
                subject_id=r.subject,
                object_id=r.object,
            )
            for i, r in enumerate(graph.relations)
        ],
    )


def annotate(ctx: Context[Any], llm: Any, image: Image.Image) -> VGImage | Reject:
    """Ask the MLLM for ``image``'s scene graph and validate it against the image."""
    from synthgen.models import ChatRequest, request_seed

    template = load("annotate")["scene_graph"]["prompt"]
    ctx.used_prompt("annotate/scene_graph", text_sha256(template))
    prompt = template.format(width=image.width, height=image.height)
    reply = llm.chat_sync(
        ChatRequest.user(
            prompt,
            images=[image],
            response_model=AnnotatedGraph,
            seed=request_seed(ctx.seed, ctx.index),
            stage="annotate",
        )
    )
    reply.note_model(ctx, role="annotator")
    graph = reply.parsed
    assert isinstance(graph, AnnotatedGraph)
    found = problems(graph, image.width, image.height)
    if found:
        return Reject("mllm_graph_invalid", "; ".join(found[:3]))
    return to_vg(graph, ctx.index, image.width, image.height)
