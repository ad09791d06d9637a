"""Signs with text for the text edits: a placard drawn in a free corner of the render.

The procedural world has no text, so text-edit records show a sign: a light board with a
dark frame and one word on it, composited in an image corner where no object is visible
(checked on the exact id map, so the sign hides no object and the scene graph stays true).
Text is drawn with Pillow's built-in scalable font (``ImageFont.load_default(size=...)``,
Pillow >= 10.1 with FreeType), so no system font is needed. Styles are made from that one
font: bold (a stroke of the text colour), italic (a sheared text layer), underlined.

The edit region of a text edit is the sign's board: the only pixels either version draws.
When ``rapidocr_onnxruntime`` is importable, :func:`ocr_text` reads the target's sign back;
otherwise the check is recorded as skipped.
"""

from __future__ import annotations

import functools
import re
from typing import Any, Literal

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from pydantic import BaseModel, ConfigDict

WORDS = (
    "OPEN",
    "CLOSED",
    "EXIT",
    "CAFE",
    "SALE",
    "STOP",
    "HOTEL",
    "BAKERY",
    "MARKET",
    "PARK",
    "TAXI",
    "BOOKS",
    "PHARMACY",
    "GARAGE",
    "MUSEUM",
    "PIZZA",
)
FONT_COLORS: dict[str, tuple[int, int, int]] = {
    "black": (20, 20, 20),
    "red": (190, 30, 30),
    "blue": (35, 60, 200),
    "green": (25, 120, 30),
    "brown": (120, 70, 25),
    "purple": (120, 35, 170),
}
FONT_SIZES: dict[str, float] = {"small": 0.045, "medium": 0.062, "large": 0.082}
"""Font size as a fraction of the image width (14, 20 and 26 px at 320 px)."""
FONT_STYLES = ("regular", "bold", "italic", "underlined")
BOARD_RGB = (236, 231, 214)
FRAME_RGB = (70, 62, 54)
BOARD_W = 0.36
BOARD_H = 0.16
MARGIN = 4
Corner = Literal["top-left", "top-right", "bottom-left", "bottom-right"]
CORNERS: tuple[Corner, ...] = ("top-left", "top-right", "bottom-left", "bottom-right")


class Sign(BaseModel):
    """A sign as drawn: its word, font colour/size/style and the board's pixel box."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str
    font_color: str
    font_size: str
    font_style: str
    box: tuple[int, int, int, int]
    """(x, y, w, h) of the board in pixels."""


NO_SIGN = Sign(text="", font_color="", font_size="", font_style="", box=(0, 0, 0, 0))
"""What an edit record holds for "no sign" (edits of other types): a Sign with every key, not
null, so a shard without text edits types the field like one with them (Arrow, ``datasets``)."""


@functools.lru_cache(maxsize=64)
def _font(px: int) -> Any:
    return ImageFont.load_default(size=px)


def board_box(corner: Corner, width: int, height: int) -> tuple[int, int, int, int]:
    """(x, y, w, h) of a sign's board in a corner of a width x height image."""
    w, h = round(BOARD_W * width), round(BOARD_H * height)
    x = MARGIN if corner.endswith("left") else width - MARGIN - w
    y = MARGIN if corner.startswith("top") else height - MARGIN - h
    return (x, y, w, h)


def free_corners(ids: np.ndarray) -> list[Corner]:
    """Corners whose board would cover no object pixel."""
    height, width = ids.shape
    out = []
    for c in CORNERS:
        x, y, w, h = board_box(c, width, height)
        if not ids[y : y + h, x : x + w].any():
            out.append(c)
    return out


def font_px(size: str, width: int) -> int:
    return max(8, round(FONT_SIZES[size] * width))


def fits(sign: Sign, image_width: int) -> bool:
    """Whether the word fits on the board at its font size (with the italic slant)."""
    font = _font(font_px(sign.font_size, image_width))
    x0, y0, x1, y1 = font.getbbox(sign.text, stroke_width=1)
    return (x1 - x0) * 1.25 + 8 <= sign.box[2] and (y1 - y0) + 6 <= sign.box[3]


def draw_sign(image: Image.Image, sign: Sign) -> Image.Image:
    """A copy of ``image`` with the sign drawn on it."""
    out = image.copy()
    x, y, w, h = sign.box
    board = Image.new("RGB", (w, h), BOARD_RGB)
    ImageDraw.Draw(board).rectangle((0, 0, w - 1, h - 1), outline=FRAME_RGB, width=2)
    layer = _text_layer(sign.text, sign.font_size, sign.font_style, w, h, image.width)
    board.paste(FONT_COLORS[sign.font_color], (0, 0, w, h), layer)
    out.paste(board, (x, y))
    return out


@functools.lru_cache(maxsize=512)
def _text_layer(
    text: str, font_size: str, font_style: str, w: int, h: int, image_width: int
) -> Image.Image:
    """The coverage (L) of a sign's text on its w x h board (shared: never modify it). A pure
    function of its arguments, cached: rasterising text is most of a sign's cost, and the
    words x sizes x styles are a few hundred layers (one byte per board pixel each)."""
    font = _font(font_px(font_size, image_width))
    stroke = 1 if font_style == "bold" else 0
    x0, y0, x1, y1 = font.getbbox(text, stroke_width=stroke)
    tw, th = x1 - x0, y1 - y0
    layer = Image.new("L", (w, h), 0)
    tx, ty = (w - tw) // 2 - x0, (h - th) // 2 - y0
    d = ImageDraw.Draw(layer)
    d.text((tx, ty), text, font=font, fill=255, stroke_width=stroke, stroke_fill=255)
    if font_style == "underlined":
        uy = ty + y1 + 2
        d.line((tx + x0, uy, tx + x1, uy), fill=255, width=max(1, th // 10))
    if font_style == "italic":
        shear = 0.25
        layer = layer.transform(
            layer.size,
            Image.Transform.AFFINE,
            (1, shear, -shear * h / 2, 0, 1, 0),
            resample=Image.Resampling.BILINEAR,
        )
    return layer


def box_mask(sign: Sign, height: int, width: int) -> np.ndarray:
    """(H, W) bool: the sign's board, the only pixels a text edit may change."""
    x, y, w, h = sign.box
    mask = np.zeros((height, width), dtype=bool)
    mask[y : y + h, x : x + w] = True
    return mask


def ocr_available() -> bool:
    """Whether the optional OCR package is importable (else OCR checks are skipped)."""
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


@functools.lru_cache(maxsize=1)
def _ocr_engine() -> Any:
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR()


def ocr_text(image: Image.Image, sign: Sign) -> str:
    """The text OCR reads on the sign's board (upper case, letters and digits only)."""
    x, y, w, h = sign.box
    crop = image.crop((x, y, x + w, y + h)).resize((w * 3, h * 3), Image.Resampling.LANCZOS)
    result, _ = _ocr_engine()(np.asarray(crop))
    words = " ".join(r[1] for r in result or [])
    return re.sub(r"[^A-Z0-9]", "", words.upper())
