"""Spectrogram pictures of clips with the scene graph's events drawn on top (Pillow only).

For looking and checking by eye that each event sits where the graph says: a log-magnitude
STFT of the mix (time left to right, frequency bottom to top on a mel scale, so low sounds
such as hums and thumps get room), and for each event a box from its onset to its offset over
its measured band, labelled with its id and class. :func:`contact_sheet` tiles several such
pictures with a text line under each.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw

from synthgen.world.sound.graph import AudioSceneGraph

COLORS = (
    (255, 80, 80),
    (80, 220, 255),
    (255, 220, 60),
    (120, 255, 120),
    (255, 120, 255),
    (255, 160, 60),
)
# a dark-to-bright palette (black, purple, orange, pale yellow)
_ANCHORS = np.array([[0, 0, 4], [80, 18, 123], [182, 54, 121], [251, 136, 97], [252, 253, 191]])


def hz_to_mel(hz: float | np.ndarray) -> np.ndarray:
    return 2595.0 * np.log10(1.0 + np.asarray(hz, dtype=np.float64) / 700.0)


def mel_to_hz(mel: float | np.ndarray) -> np.ndarray:
    return 700.0 * (10.0 ** (np.asarray(mel, dtype=np.float64) / 2595.0) - 1.0)


def _palette(values: np.ndarray) -> np.ndarray:
    """Map values in [0, 1] to RGB uint8 through :data:`_ANCHORS`."""
    pos = np.clip(values, 0.0, 1.0) * (len(_ANCHORS) - 1)
    lo = np.floor(pos).astype(int).clip(0, len(_ANCHORS) - 2)
    frac = (pos - lo)[..., None]
    rgb = _ANCHORS[lo] * (1 - frac) + _ANCHORS[lo + 1] * frac
    return rgb.astype(np.uint8)


def spectrogram_image(
    samples: np.ndarray,
    sample_rate: int,
    graph: AudioSceneGraph | None = None,
    size: tuple[int, int] = (480, 200),
    floor_db: float = -90.0,
    top_db: float = -10.0,
) -> Image.Image:
    """The log-power spectrogram of ``samples`` (mixed to mono) as an RGB image of ``size``,
    with ``graph``'s events boxed (time span x band) and labelled."""
    x = np.asarray(samples, dtype=np.float32)
    if x.ndim == 2:
        x = x.mean(axis=1)
    frame = int(2 ** round(np.log2(0.032 * sample_rate)))
    hop = frame // 4
    window = np.hanning(frame).astype(np.float32)
    if x.size < frame:
        x = np.pad(x, (0, frame - x.size))
    frames = np.lib.stride_tricks.sliding_window_view(x, frame)[::hop]
    power = np.abs(np.fft.rfft(frames * window, axis=1)) ** 2 / (frame * np.sum(window**2) / 2)
    db = 10.0 * np.log10(np.maximum(power, 1e-12))
    level = (db - floor_db) / (top_db - floor_db)
    width, height = size
    nyquist = sample_rate / 2.0
    # row r (0 = top) shows the bin nearest to the mel-spaced frequency of that row
    row_hz = mel_to_hz(np.linspace(hz_to_mel(nyquist), 0.0, height))
    bins = np.clip(np.round(row_hz / nyquist * (level.shape[1] - 1)).astype(int), 0, None)
    rgb = _palette(level[:, bins].T)
    image = Image.fromarray(rgb, "RGB").resize((width, height), Image.Resampling.BILINEAR)
    if graph is None:
        return image
    draw = ImageDraw.Draw(image)
    duration = x.size / sample_rate

    def y_of(hz: float) -> float:
        return (1.0 - hz_to_mel(min(hz, nyquist)) / hz_to_mel(nyquist)) * (height - 1)

    for event in graph.events:
        color = COLORS[event.id % len(COLORS)]
        x0 = event.onset / duration * width
        x1 = event.offset / duration * width
        y0, y1 = y_of(event.band_hz[1]), y_of(event.band_hz[0])
        draw.rectangle([x0, max(0, y0), x1, min(height - 1, y1)], outline=color, width=1)
        draw.text((x0 + 2, max(0, y0) + 1), f"{event.id}:{event.label}", fill=color)
    return image


def contact_sheet(
    tiles: Sequence[tuple[Image.Image, str]], cols: int = 3, pad: int = 6, text_h: int = 28
) -> Image.Image:
    """Tile (image, text) pairs in rows of ``cols``; the text goes under its image, wrapped
    to two lines."""
    if not tiles:
        raise ValueError("contact_sheet needs at least one tile")
    w = max(im.width for im, _ in tiles)
    h = max(im.height for im, _ in tiles)
    rows = -(-len(tiles) // cols)
    sheet = Image.new("RGB", (cols * (w + pad) + pad, rows * (h + text_h + pad) + pad), "white")
    draw = ImageDraw.Draw(sheet)
    chars = max(10, w // 6)
    for k, (im, text) in enumerate(tiles):
        r, c = divmod(k, cols)
        x, y = pad + c * (w + pad), pad + r * (h + text_h + pad)
        sheet.paste(im, (x, y))
        lines = [text[i : i + chars] for i in range(0, min(len(text), 2 * chars), chars)]
        for i, line in enumerate(lines):
            draw.text((x, y + h + 2 + 12 * i), line, fill=(0, 0, 0))
    return sheet
