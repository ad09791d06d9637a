"""The imgdiff record: two images, their changes with boxes and captions, QA, conversations.

One schema for both paths (procedural world and model-backed imagery): fields that only the
world can fill (instance ids, ground positions, scene graphs) are optional and left out of the
JSON when unset, which is the same for every record of a dataset. What varies from record to
record is written in every record (schema 5: ``datasets``' bare JSON loader types every shard
from the first, so a key only a later record has fails it): a change's ``before`` / ``after``
are both written, the side where the object does not exist as an empty state (``name`` ``""``,
id 0, the other side's keys with empty or zero values), and its unset boxes, captions and
direction as ``[0, 0, 0, 0]`` / ``""``; a question's unset ``choices`` ``""`` (else JSON text),
``boxes`` ``[]`` and ``change`` -1. In memory (and read back) they are None.

Boxes are (x, y, w, h) in pixels, like ``SceneGraph`` bboxes, and QA answers that state a box
write it the same way, ``[x, y, w, h]`` (one convention for every program).
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field, model_validator

from synthgen.records import (
    BaseRecord,
    CompactModel,
    FilledModel,
    OptionalIndex,
    OptionalStrings,
)
from synthgen.world import SceneGraph

Box = tuple[int, int, int, int]


class ObjectState(FilledModel):
    """An object as one image shows it. ``position`` is written ``[0.0, 0.0]`` when unset (a
    sprite held by or attached to another stands on no ground point; the model path knows
    none) and reads back as None: whether a sprite has one varies from record to record."""

    json_none: ClassVar[dict[str, Any]] = {"position": [0.0, 0.0]}

    name: str = Field(description="shape (procedural) or object noun (model path)")
    attributes: dict[str, str] = Field(
        default_factory=dict, description="color, material, size (procedural)"
    )
    id: int | None = Field(None, description="instance id in that image's id map / graph")
    bbox: Box | None = Field(None, description="visible box (x, y, w, h) in that image")
    visible_pixels: int | None = None
    position: tuple[float, float] | None = Field(None, description="ground (x, y), world units")
    rotation: float | None = None


NO_BOX = (0, 0, 0, 0)
"""How a change writes an unset box (a visible box is never empty)."""


def _absent_like(state: dict[str, Any]) -> dict[str, Any]:
    """The JSON of the state on the side where the object does not exist: the present
    side's keys, each empty or zero (name ``""``, id 0)."""

    def empty(value: Any) -> Any:
        if isinstance(value, str):
            return ""
        if isinstance(value, bool):
            return False
        if isinstance(value, int):
            return 0
        if isinstance(value, float):
            return 0.0
        if isinstance(value, dict):
            return {k: empty(v) for k, v in value.items()}
        if isinstance(value, list):
            return [empty(v) for v in value]
        return value

    return empty(state)


class ChangeRecord(FilledModel):
    json_none: ClassVar[dict[str, Any]] = {
        "box_a": list(NO_BOX),
        "box_b": list(NO_BOX),
        "shadow_box": list(NO_BOX),
        "region_caption_before": "",
        "region_caption_after": "",
        "direction": "",
    }

    kind: Literal["replace", "remove", "add", "attach", "recolor", "material", "move", "resize"]
    before: ObjectState | None = Field(None, description="the object in image A (None: add)")
    after: ObjectState | None = Field(None, description="the object in image B (None: remove)")
    box_a: Box | None = Field(None, description="the object's visible box in image A")
    box_b: Box | None = Field(None, description="the object's visible box in image B")
    box: Box = Field(
        description="the changed region: union of box_a and box_b (the object's visible boxes; "
        "its ground shadow is not in it, see shadow_box)"
    )
    shadow_box: Box | None = Field(
        None,
        description="the box of the object's ground shadow in A and B where it has one: "
        "changed pixels outside box lie there",
    )
    region_caption_before: str | None = Field(None, description="what the region shows in A")
    region_caption_after: str | None = Field(None, description="what the region shows in B")
    captions: list[str] = Field(description="phrasings of this change")
    direction: str | None = Field(None, description="move: where the object went")

    @model_validator(mode="before")
    @classmethod
    def _no_empty_side(cls, data: Any) -> Any:
        # the JSON's empty state on the side where the object does not exist is None
        if isinstance(data, dict):
            data = dict(data)
            for side in ("before", "after"):
                state = data.get(side)
                if isinstance(state, dict) and state.get("name") == "":
                    data[side] = None
        return data

    def _sentinels(self, out: dict[str, Any]) -> dict[str, Any]:
        # the side where the object does not exist: the other side's state, emptied
        return {
            **self.json_none,
            "before": _absent_like(out["after"] or {}),
            "after": _absent_like(out["before"] or {}),
        }


class DiffQA(FilledModel):
    json_none: ClassVar[dict[str, Any]] = {"boxes": []}

    kind: Literal["what_changed", "where", "which_image", "how_many"]
    question: str
    answer: str
    choices: OptionalStrings = Field(None, description="options (which_image: A then B)")
    boxes: list[Box] | None = Field(None, description="where: the answer's boxes (x, y, w, h)")
    change: OptionalIndex = Field(None, description="index into changes the question is about")


class ImgDiffRecord(BaseRecord, CompactModel):
    source: Literal["procedural", "model"]
    width: int
    height: int
    changes: list[ChangeRecord]
    boxes: list[Box] = Field(description="changed regions, one per change (Img-Diff box list)")
    union_box: Box = Field(description="the smallest box holding every changed region")
    captions: list[str] = Field(description="phrasings of the difference caption")
    qa: list[DiffQA]
    conversations: list[dict[str, Any]] = Field(
        description="LLaVA turns, two <image> tokens first (always written: the exporters' "
        "fallback rebuilds turns from svg-style QA, which these records do not have)"
    )
    scene_graphs: list[SceneGraph] | None = Field(
        None, description="exact graphs of image A and B (procedural, scene_graphs=true)"
    )
    world_graphs: list[dict[str, Any]] | None = Field(
        None, description="graphs of image A and B of a non-shapes world (scene_graphs=true)"
    )
    prompts: list[str] | None = Field(
        None, description="model path: the text prompts of image A and B"
    )
