"""What a chat backend takes and gives: messages with text and images, sampling, replies.

Images arrive as PIL images or encoded bytes and are held as :class:`ImagePart` (encoded bytes,
mime type, sha256). They travel to the server as base64 ``data:`` URLs in OpenAI ``image_url``
content parts, and into the cache key only as their sha256, never as bytes. A PIL image is
hashed on its pixels (mode, size, raw data), so the key does not depend on the PNG encoder.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from PIL import Image
from pydantic import BaseModel

from synthgen.records import ModelRef
from synthgen.seeding import sample_seed

_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF8", 0, "image/gif"),
    (b"WEBP", 8, "image/webp"),
    (b"BM", 0, "image/bmp"),
)

ROLES = frozenset({"system", "user", "assistant", "developer", "tool"})


def sniff_image_mime(data: bytes) -> str:
    """The mime type of encoded image bytes (PNG, JPEG, GIF, WEBP, BMP); ValueError if unknown."""
    for magic, offset, mime in _MAGIC:
        if data[offset : offset + len(magic)] == magic:
            return mime
    raise ValueError("image bytes are not PNG, JPEG, GIF, WEBP or BMP: encode the image first")


@dataclass(frozen=True)
class ImagePart:
    """One encoded image in a message. Build with :meth:`from_pil` or :meth:`from_bytes`."""

    data: bytes = field(repr=False)
    mime: str
    sha256: str

    @classmethod
    def from_bytes(cls, data: bytes, mime: str | None = None) -> ImagePart:
        return cls(bytes(data), mime or sniff_image_mime(data), hashlib.sha256(data).hexdigest())

    @classmethod
    def from_pil(cls, image: Image.Image) -> ImagePart:
        """PNG-encode (fast level 1) ``image``; the hash is of its pixels, not of the PNG."""
        h = hashlib.sha256(f"pil:{image.mode}:{image.size[0]}x{image.size[1]}:".encode())
        h.update(image.tobytes())
        buf = io.BytesIO()
        image.save(buf, format="PNG", compress_level=1)
        return cls(buf.getvalue(), "image/png", h.hexdigest())

    def data_url(self) -> str:
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}"


Part = str | ImagePart
PartLike = str | ImagePart | Image.Image | bytes | bytearray


def to_part(value: PartLike) -> Part:
    """Normalise one content item: text stays text, images become :class:`ImagePart`."""
    if isinstance(value, (str, ImagePart)):
        return value
    if isinstance(value, Image.Image):
        return ImagePart.from_pil(value)
    if isinstance(value, (bytes, bytearray)):
        return ImagePart.from_bytes(bytes(value))
    raise TypeError(
        f"message content items must be str, PIL.Image, bytes or ImagePart, not {type(value)!r}"
    )


@dataclass(frozen=True)
class ChatMessage:
    """A message: a role and an ordered tuple of text and image parts."""

    role: str
    content: tuple[Part, ...]

    @classmethod
    def of(cls, role: str, content: str | PartLike | Sequence[PartLike]) -> ChatMessage:
        if role not in ROLES:
            raise ValueError(f"unknown chat role {role!r}: use one of {sorted(ROLES)}")
        items = [content] if isinstance(content, (str, bytes, bytearray)) else content
        if isinstance(items, (Image.Image, ImagePart)):
            items = [items]
        return cls(role, tuple(to_part(v) for v in items))  # type: ignore[union-attr]

    @property
    def images(self) -> tuple[ImagePart, ...]:
        return tuple(p for p in self.content if isinstance(p, ImagePart))

    def to_openai(self) -> dict[str, Any]:
        """OpenAI chat format: plain string content for a single text, else typed parts."""
        if len(self.content) == 1 and isinstance(self.content[0], str):
            return {"role": self.role, "content": self.content[0]}
        parts: list[dict[str, Any]] = []
        for p in self.content:
            if isinstance(p, str):
                parts.append({"type": "text", "text": p})
            else:
                parts.append({"type": "image_url", "image_url": {"url": p.data_url()}})
        return {"role": self.role, "content": parts}

    def key_material(self) -> dict[str, Any]:
        """Like :meth:`to_openai` but images as (mime, sha256): what the cache key sees."""
        return {
            "role": self.role,
            "content": [
                p if isinstance(p, str) else {"image": p.sha256, "mime": p.mime}
                for p in self.content
            ],
        }


MessageLike = ChatMessage | Mapping[str, Any]


def to_message(value: MessageLike) -> ChatMessage:
    if isinstance(value, ChatMessage):
        return value
    if isinstance(value, Mapping) and set(value) == {"role", "content"}:
        return ChatMessage.of(value["role"], value["content"])
    raise TypeError("a message is a ChatMessage or a mapping with exactly 'role' and 'content'")


def request_seed(seed: int, index: int, call: int = 0) -> int:
    """The sampling seed of call number ``call`` made for candidate ``index``.

    ``sample_seed(seed, index)`` for the first call; later calls of the same candidate get
    distinct, still reproducible seeds. Always below 2**63 (vLLM takes a signed 64-bit int).
    """
    return (sample_seed(seed, index) + call) % (1 << 63)


def schema_name(model: type[BaseModel]) -> str:
    """A ``json_schema.name`` the OpenAI API accepts: [A-Za-z0-9_-], at most 64 characters."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", model.__name__)[:64] or "output"


@dataclass(frozen=True)
class ChatRequest:
    """One chat completion to make.

    Sampling values left as None take the backend settings' defaults. ``seed`` should come from
    :func:`request_seed` (or ``synthgen.seeding.sample_seed``) so that a record replays; a
    request with no seed and ``temperature > 0`` is never cached (it is meant to vary).
    ``response_model`` asks for structured output validated into that pydantic model.
    ``stage`` names the step for the usage counters. ``allow_truncated`` accepts a plain-text
    reply cut at ``max_tokens`` (by default it is re-asked, then rejected). ``extra`` holds
    further body fields for the server (e.g. ``{"top_k": 20}``); it is part of the cache key.
    """

    messages: tuple[ChatMessage, ...]
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    seed: int | None = None
    stop: tuple[str, ...] = ()
    response_model: type[BaseModel] | None = None
    stage: str | None = None
    allow_truncated: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        msgs = self.messages
        if isinstance(msgs, (ChatMessage, Mapping)):
            msgs = (msgs,)
        object.__setattr__(self, "messages", tuple(to_message(m) for m in msgs))
        object.__setattr__(self, "stop", tuple(self.stop))
        object.__setattr__(self, "extra", dict(self.extra))
        if not self.messages:
            raise ValueError("a chat request needs at least one message")
        if self.max_tokens is not None and self.max_tokens < 1:
            raise ValueError("max_tokens must be >= 1")

    @classmethod
    def user(
        cls,
        text: str,
        images: Sequence[PartLike] = (),
        system: str | None = None,
        **kwargs: Any,
    ) -> ChatRequest:
        """A one-turn request: optional system prompt, then the images and the text."""
        messages = [ChatMessage.of("system", system)] if system else []
        messages.append(ChatMessage.of("user", [*images, text]))
        return cls(messages=tuple(messages), **kwargs)

    @property
    def images(self) -> tuple[ImagePart, ...]:
        return tuple(img for m in self.messages for img in m.images)


@dataclass(frozen=True)
class ChatResponse:
    """A validated reply.

    ``parsed`` is the ``response_model`` instance for structured requests. ``model`` and
    ``revision`` identify what answered (for the record's lineage; see :meth:`note_model`);
    token counts come from the server's ``usage`` (zero on a cache hit, which cost nothing).
    """

    text: str
    finish_reason: str | None
    model: str
    revision: str | None = None
    parsed: BaseModel | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached: bool = False
    reasks: int = 0

    @property
    def model_ref(self) -> ModelRef:
        return ModelRef(id=self.model, revision=self.revision, role="llm")

    def note_model(self, ctx: Any, role: str = "llm") -> None:
        """Add the answering model to a program context's lineage (``ctx.used_model``)."""
        ctx.used_model(self.model, self.revision, role=role)
