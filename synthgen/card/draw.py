"""The card's plots and contact sheet, drawn with Pillow (no plotting library).

Every picture is a pure function of its inputs and is encoded by synthgen's own PNG encoder
(libdeflate, pinned), so a card's bytes are the same on every machine.
"""

from __future__ import annotations

import io
import wave
from collections.abc import Sequence
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

BG = (255, 255, 255)
INK = (30, 30, 30)
MUTED = (110, 110, 110)
BAR = (70, 120, 190)
BOX_COLORS = [
    (230, 25, 75),
    (60, 180, 75),
    (255, 180, 0),
    (0, 130, 200),
    (245, 130, 48),
    (145, 30, 180),
    (70, 240, 240),
    (240, 50, 230),
    (0, 128, 128),
    (170, 110, 40),
]


def font(size: int = 13) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def png_bytes(image: Image.Image) -> bytes:
    from synthgen.encoders import encoders

    data, _ = encoders.get("png")().encode(image.convert("RGB"))
    return data


def _fit(draw: ImageDraw.ImageDraw, text: str, width: int, f: Any) -> str:
    """``text`` cut with an ellipsis to fit ``width`` pixels."""
    if draw.textlength(text, font=f) <= width:
        return text
    while text and draw.textlength(text + "...", font=f) > width:
        text = text[:-1]
    return text + "..."


def bar_chart(
    title: str, items: Sequence[tuple[str, float]], *, width: int = 520, percent: bool = False
) -> Image.Image:
    """Horizontal bars, one per (label, value), largest value full width; values printed
    (as a share of the total when ``percent``)."""
    row, top, label_w, value_w = 18, 28, 190, 70
    image = Image.new("RGB", (width, top + row * max(len(items), 1) + 8), BG)
    draw = ImageDraw.Draw(image)
    f, fb = font(12), font(14)
    draw.text((6, 5), _fit(draw, title, width - 12, fb), fill=INK, font=fb)
    total = sum(v for _, v in items) or 1
    peak = max((v for _, v in items), default=0) or 1
    bar_w = width - label_w - value_w - 12
    for i, (label, value) in enumerate(items):
        y = top + i * row
        draw.text((6, y + 2), _fit(draw, label, label_w - 10, f), fill=INK, font=f)
        draw.rectangle(
            (label_w, y + 3, label_w + max(1, round(bar_w * value / peak)), y + row - 3), fill=BAR
        )
        shown = f"{100 * value / total:.1f}%" if percent else f"{value:g}"
        draw.text((width - value_w, y + 2), shown, fill=MUTED, font=f)
    if not items:
        draw.text((6, top), "(none)", fill=MUTED, font=f)
    return image


def histogram(
    title: str, values: Sequence[float], *, bins: int = 20, width: int = 520, unit: str = ""
) -> Image.Image:
    """Vertical-bar histogram of ``values`` with the range and count under it."""
    height, top, bottom = 200, 28, 34
    image = Image.new("RGB", (width, height), BG)
    draw = ImageDraw.Draw(image)
    f, fb = font(12), font(14)
    draw.text((6, 5), title, fill=INK, font=fb)
    if not values:
        draw.text((6, top), "(none)", fill=MUTED, font=f)
        return image
    lo, hi = float(min(values)), float(max(values))
    integer = all(float(v).is_integer() for v in values)
    if integer:
        bins = min(bins, int(hi - lo) + 1)
        edges = np.arange(lo, lo + bins + 1) - 0.5
    else:
        edges = np.linspace(lo, hi if hi > lo else lo + 1, bins + 1)
    counts, _ = np.histogram(np.asarray(values, dtype=float), bins=edges)
    plot_h = height - top - bottom
    col = (width - 20) / len(counts)
    peak = counts.max() or 1
    for i, c in enumerate(counts):
        x0 = 10 + i * col
        h = round(plot_h * c / peak)
        draw.rectangle((x0 + 1, top + plot_h - h, x0 + col - 2, top + plot_h), fill=BAR)
        if integer and len(counts) <= 25:
            label = f"{int(lo) + i}"
            draw.text(
                (x0 + col / 2 - draw.textlength(label, font=f) / 2, top + plot_h + 2),
                label,
                fill=MUTED,
                font=f,
            )
    summary = (
        f"n={len(values)}  min={lo:g}{unit}  mean={float(np.mean(values)):.2f}{unit}  "
        f"max={hi:g}{unit}  peak bin={int(peak)}"
    )
    draw.text((10, height - 16), summary, fill=MUTED, font=f)
    return image


def stack(images: Sequence[Image.Image], columns: int = 2, gap: int = 8) -> Image.Image:
    """Images in a grid, row by row."""
    if not images:
        return Image.new("RGB", (10, 10), BG)
    cell_w = max(i.width for i in images)
    rows = [images[k : k + columns] for k in range(0, len(images), columns)]
    heights = [max(i.height for i in r) for r in rows]
    out = Image.new(
        "RGB", (columns * cell_w + (columns + 1) * gap, sum(heights) + (len(rows) + 1) * gap), BG
    )
    y = gap
    for r, h in zip(rows, heights, strict=True):
        for k, image in enumerate(r):
            out.paste(image, (gap + k * (cell_w + gap), y))
        y += h + gap
    return out


def side_by_side(images: Sequence[Image.Image], gap: int = 4) -> Image.Image:
    """Images in one row, scaled to the first one's height."""
    height = images[0].height
    scaled = [
        i if i.height == height else i.resize((max(1, round(i.width * height / i.height)), height))
        for i in images
    ]
    out = Image.new("RGB", (sum(i.width for i in scaled) + gap * (len(scaled) - 1), height), BG)
    x = 0
    for image in scaled:
        out.paste(image.convert("RGB"), (x, 0))
        x += image.width + gap
    return out


def with_boxes(image: Image.Image, boxes: Sequence[tuple[str, Sequence[float]]]) -> Image.Image:
    """``image`` with labelled ``[x, y, w, h]`` boxes drawn on it."""
    out = image.convert("RGB")
    draw = ImageDraw.Draw(out)
    f = font(11)
    for k, (label, (x, y, w, h)) in enumerate(boxes):
        color = BOX_COLORS[k % len(BOX_COLORS)]
        draw.rectangle((x, y, x + w - 1, y + h - 1), outline=color, width=2)
        tw = draw.textlength(label, font=f)
        draw.rectangle((x, y, x + tw + 4, y + 13), fill=color)
        draw.text((x + 2, y), label, fill=(255, 255, 255), font=f)
    return out


def spectrogram(data: bytes, *, width: int = 320, height: int = 160) -> Image.Image:
    """Log-magnitude spectrogram of a WAV (or, with soundfile, FLAC) file; low frequencies at
    the bottom, time left to right."""
    samples, rate = _read_audio(data)
    n_fft, hop = 512, 256
    if samples.shape[0] < n_fft:
        samples = np.pad(samples, (0, n_fft - samples.shape[0]))
    frames = 1 + (samples.shape[0] - n_fft) // hop
    window = np.hanning(n_fft).astype(np.float32)
    idx = np.arange(n_fft)[None, :] + hop * np.arange(frames)[:, None]
    spec = np.abs(np.fft.rfft(samples[idx] * window, axis=1)).T
    db = 20 * np.log10(spec + 1e-6)
    db = np.clip((db - (db.max() - 80)) / 80, 0, 1)
    pixels = (255 * (1 - db[::-1])).astype(np.uint8)
    gray = Image.fromarray(pixels).resize((width, height), Image.Resampling.BILINEAR)
    del rate
    return gray.convert("RGB")


def _read_audio(data: bytes) -> tuple[np.ndarray, int]:
    if data[:4] == b"RIFF":
        with wave.open(io.BytesIO(data)) as w:
            raw = w.readframes(w.getnframes())
            width, channels, rate = w.getsampwidth(), w.getnchannels(), w.getframerate()
        dtype = {1: np.uint8, 2: np.int16, 4: np.int32}[width]
        samples = np.frombuffer(raw, dtype=dtype).astype(np.float32)
        if channels > 1:
            samples = samples.reshape(-1, channels).mean(axis=1)
        return samples, rate
    import soundfile

    samples, rate = soundfile.read(io.BytesIO(data), dtype="float32", always_2d=True)
    return samples.mean(axis=1), rate


def tile(media: Image.Image, caption: Sequence[str], *, width: int = 300) -> Image.Image:
    """One contact-sheet cell: the picture scaled to ``width`` and caption lines under it."""
    scale = width / media.width
    picture = media.resize((width, max(1, round(media.height * scale))), Image.Resampling.LANCZOS)
    f = font(11)
    lines: list[str] = []
    probe = ImageDraw.Draw(picture)
    for text in caption:
        lines += _wrap(probe, text, width - 8, f)[:3]
    out = Image.new("RGB", (width, picture.height + 4 + 14 * len(lines)), BG)
    out.paste(picture, (0, 0))
    draw = ImageDraw.Draw(out)
    for i, line in enumerate(lines):
        draw.text((4, picture.height + 2 + 14 * i), line, fill=INK, font=f)
    return out


def _wrap(draw: ImageDraw.ImageDraw, text: str, width: int, f: Any) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if draw.textlength(trial, font=f) <= width or not line:
            line = trial
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return [_fit(draw, t, width, f) for t in lines]
