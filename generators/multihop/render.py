"""Pillow drawings of tables and bar charts (the image side of table and chart documents).

Both use Pillow's built-in bitmap font: about ten times cheaper per string than FreeType,
which is what keeps a record with a table and a chart within the recipe's speed budget. The
chart returns each bar's pixel box, which the record keeps as the bar's evidence region.
"""

from __future__ import annotations

from functools import cache

from PIL import Image, ImageDraw, ImageFont

CHAR_W = 6
LINE_H = 11
PAD = 4
ROW_H = LINE_H + 2 * PAD
BAR_COLOUR = (70, 110, 180)


@cache
def font() -> ImageFont.ImageFont:
    return ImageFont.load_default_imagefont()


def _width(text: str) -> int:
    return CHAR_W * len(text)


def draw_table(caption: str, header: list[str], rows: list[list[str]]) -> Image.Image:
    """A ruled table under its caption, columns as wide as their longest cell."""
    widths = [max(_width(h), *(_width(r[c]) for r in rows)) + 2 * PAD for c, h in enumerate(header)]
    width = sum(widths) + 1
    top = ROW_H
    height = top + ROW_H * (len(rows) + 1) + 1
    image = Image.new("RGB", (max(width, _width(caption) + 2 * PAD), height), "white")
    draw = ImageDraw.Draw(image)
    f = font()
    draw.text((PAD, PAD), caption, fill="black", font=f)
    draw.rectangle((0, top, width - 1, top + ROW_H), fill=(225, 228, 235))
    for r, row in enumerate([header, *rows]):
        y = top + r * ROW_H
        x = 0
        for c, cell in enumerate(row):
            draw.text((x + PAD, y + PAD), cell, fill="black", font=f)
            x += widths[c]
        draw.line((0, y, width - 1, y), fill=(150, 150, 150))
    draw.line((0, height - 1, width - 1, height - 1), fill=(150, 150, 150))
    x = 0
    for w in [0, *widths]:
        x += w
        draw.line((min(x, width - 1), top, min(x, width - 1), height - 1), fill=(150, 150, 150))
    return image


def draw_bar_chart(
    title: str, labels: list[str], values: list[int], texts: list[str], width: int = 320
) -> tuple[Image.Image, list[tuple[int, int, int, int]]]:
    """A horizontal bar chart; returns the image and each bar's (x, y, w, h) box."""
    label_w = max(_width(s) for s in labels) + 2 * PAD
    value_w = max(_width(s) for s in texts) + 2 * PAD
    plot_w = max(60, width - label_w - value_w)
    height = ROW_H * (len(labels) + 1) + PAD
    image = Image.new("RGB", (label_w + plot_w + value_w, height), "white")
    draw = ImageDraw.Draw(image)
    f = font()
    draw.text((PAD, PAD), title, fill="black", font=f)
    top = max(values) or 1
    boxes = []
    for i, (label, value, text) in enumerate(zip(labels, values, texts, strict=True)):
        y = ROW_H * (i + 1)
        w = max(1, round(plot_w * value / top))
        draw.text((PAD, y + PAD), label, fill="black", font=f)
        draw.rectangle((label_w, y + 2, label_w + w - 1, y + ROW_H - 3), fill=BAR_COLOUR)
        draw.text((label_w + w + PAD, y + PAD), text, fill="black", font=f)
        boxes.append((label_w, y + 2, w, ROW_H - 4))
    draw.line((label_w - 1, ROW_H, label_w - 1, height - 1), fill="black")
    return image, boxes
