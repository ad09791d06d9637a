"""A small procedural stand-in atlas (flat shapes, same API as :mod:`.atlas`): used when
``SpritesConfig.atlas == "placeholder"`` (tests on a checkout without the emoji data)."""

from __future__ import annotations

import functools
from types import MappingProxyType

import numpy as np

from synthgen.world.sprites.atlas import Atlas, Category, Sprite

_CATS = {  # name: (group, height lo, hi, colour name, rgb, shape)
    "man": ("person", 1.65, 1.9, "blue", (60, 90, 170), "person"),
    "woman": ("person", 1.55, 1.75, "red", (180, 60, 80), "person"),
    "boy": ("person", 1.1, 1.4, "green", (60, 140, 80), "person"),
    "girl": ("person", 1.1, 1.4, "purple", (140, 70, 160), "person"),
    "dog": ("animal", 0.4, 0.7, "brown", (150, 100, 60), "animal"),
    "cat": ("animal", 0.25, 0.35, "orange", (230, 140, 50), "animal"),
    "horse": ("animal", 1.5, 1.7, "brown", (120, 80, 50), "animal"),
    "cow": ("animal", 1.3, 1.5, "white", (235, 235, 230), "animal"),
    "sheep": ("animal", 0.8, 1.0, "white", (240, 240, 240), "animal"),
    "bird": ("animal", 0.15, 0.25, "blue", (70, 120, 200), "ball"),
    "car": ("vehicle", 1.4, 1.6, "red", (200, 40, 40), "box"),
    "bus": ("vehicle", 3.0, 3.3, "yellow", (230, 190, 40), "box"),
    "bicycle": ("vehicle", 1.0, 1.1, "black", (40, 40, 40), "wheel"),
    "boat": ("vehicle", 1.0, 2.0, "white", (240, 240, 240), "box"),
    "train": ("vehicle", 3.5, 4.0, "green", (40, 130, 70), "box"),
    "airplane": ("vehicle", 4.0, 6.0, "gray", (180, 180, 190), "box"),
    "kite": ("sports", 0.8, 1.0, "red", (220, 50, 60), "ball"),
    "apple": ("food", 0.07, 0.09, "red", (210, 30, 40), "ball"),
    "banana": ("food", 0.05, 0.07, "yellow", (240, 210, 60), "ball"),
    "pizza": ("food", 0.05, 0.08, "orange", (230, 160, 60), "box"),
    "carrot": ("food", 0.15, 0.2, "orange", (240, 130, 30), "box"),
    "bone": ("food", 0.1, 0.15, "white", (240, 240, 230), "box"),
    "cup": ("kitchenware", 0.09, 0.12, "white", (240, 240, 245), "box"),
    "bowl": ("kitchenware", 0.08, 0.12, "white", (235, 235, 235), "bowl"),
    "plate": ("kitchenware", 0.03, 0.04, "white", (245, 245, 245), "box"),
    "bottle": ("kitchenware", 0.25, 0.32, "green", (50, 150, 80), "box"),
    "vase": ("household", 0.25, 0.35, "blue", (70, 100, 200), "bowl"),
    "flower": ("plant", 0.3, 0.4, "pink", (240, 120, 170), "ball"),
    "tree": ("plant", 4.0, 7.0, "green", (50, 130, 50), "tree"),
    "potted plant": ("plant", 0.5, 0.9, "green", (60, 150, 60), "tree"),
    "chair": ("furniture", 0.85, 1.0, "brown", (140, 95, 60), "box"),
    "couch": ("furniture", 0.8, 0.95, "red", (170, 60, 60), "box"),
    "bed": ("furniture", 0.6, 0.9, "blue", (90, 110, 180), "box"),
    "laptop": ("electronics", 0.2, 0.25, "gray", (150, 150, 160), "box"),
    "phone": ("electronics", 0.12, 0.15, "black", (30, 30, 30), "box"),
    "tv": ("electronics", 0.5, 0.7, "black", (20, 20, 25), "box"),
    "clock": ("household", 0.25, 0.35, "white", (245, 245, 240), "ball"),
    "picture": ("household", 0.4, 0.6, "brown", (140, 100, 60), "box"),
    "lamp": ("household", 0.35, 0.5, "yellow", (250, 220, 90), "ball"),
    "book": ("household", 0.2, 0.25, "red", (180, 40, 40), "box"),
    "hat": ("clothing", 0.12, 0.18, "black", (30, 30, 30), "box"),
    "glasses": ("clothing", 0.04, 0.05, "black", (20, 20, 20), "box"),
    "backpack": ("clothing", 0.4, 0.5, "green", (60, 120, 60), "box"),
    "helmet": ("clothing", 0.2, 0.25, "red", (200, 40, 40), "ball"),
    "umbrella": ("accessory", 0.9, 1.1, "purple", (150, 60, 170), "ball"),
    "handbag": ("accessory", 0.3, 0.4, "brown", (120, 70, 40), "box"),
    "guitar": ("sports", 0.9, 1.0, "brown", (170, 110, 50), "box"),
    "ball": ("sports", 0.2, 0.24, "white", (245, 245, 245), "ball"),
    "towel": ("household", 0.05, 0.08, "blue", (60, 140, 210), "box"),
    "snowman": ("nature", 1.2, 1.6, "white", (250, 250, 250), "ball"),
    "surfboard": ("sports", 0.15, 0.2, "yellow", (240, 210, 60), "box"),
    "skis": ("sports", 0.1, 0.12, "red", (200, 40, 40), "box"),
}


def _sprite_img(shape: str, rgb, pose: str) -> tuple[np.ndarray, dict]:
    h, w = (
        (64, 32)
        if shape == "person" and pose != "sit"
        else (48, 32)
        if shape == "person"
        else (48, 64)
        if shape == "animal"
        else (64, 48)
        if shape == "tree"
        else (40, 40)
    )
    a = np.zeros((h, w, 4), np.uint8)
    yy, xx = np.mgrid[0:h, 0:w]
    if shape == "person":
        head = (yy - 8) ** 2 + (xx - w / 2) ** 2 <= 64
        body = (yy >= 16) & (abs(xx - w / 2) <= 9)
        m = head | body
        a[head] = (250, 210, 80, 255)
        a[body & ~head] = (*rgb, 255)
        anchors = {
            "head": (0.5, 0.12),
            "face": (0.5, 0.14),
            "hand": (0.9, 0.55),
            "hand_right": (0.9, 0.55),
            "hand_left": (0.1, 0.55),
            "feet": (0.5, 1.0),
            "back": (0.2, 0.4),
            "seat": (0.5, 0.75),
        }
    elif shape == "animal":
        m = ((yy - h * 0.45) / (h * 0.3)) ** 2 + ((xx - w * 0.45) / (w * 0.4)) ** 2 <= 1
        m |= ((yy - h * 0.25) / (h * 0.2)) ** 2 + ((xx - w * 0.85) / (w * 0.14)) ** 2 <= 1
        m |= (yy > h * 0.6) & ((abs(xx - w * 0.25) < 3) | (abs(xx - w * 0.65) < 3))
        a[m] = (*rgb, 255)
        anchors = {
            "head": (0.85, 0.25),
            "face": (0.9, 0.3),
            "feet": (0.5, 1.0),
            "back": (0.45, 0.18),
            "seat": (0.45, 0.2),
        }
    elif shape == "tree":
        m = ((yy - h * 0.35) / (h * 0.35)) ** 2 + ((xx - w / 2) / (w * 0.5)) ** 2 <= 1
        trunk = (yy >= h * 0.6) & (abs(xx - w / 2) <= 4)
        a[m] = (*rgb, 255)
        a[trunk & ~m] = (110, 70, 40, 255)
        m = m | trunk
        anchors = {"top": (0.5, 0.0), "feet": (0.5, 1.0)}
    elif shape == "ball":
        m = (yy - h / 2) ** 2 + (xx - w / 2) ** 2 <= (h / 2) ** 2
        a[m] = (*rgb, 255)
        anchors = {"top": (0.5, 0.0), "feet": (0.5, 1.0)}
    elif shape == "bowl":
        m = ((yy - 0) / h) ** 2 + ((xx - w / 2) / (w / 2)) ** 2 <= 1
        m &= yy >= h * 0.35
        a[m] = (*rgb, 255)
        anchors = {"top": (0.5, 0.35), "feet": (0.5, 1.0)}
    else:
        m = (yy >= 2) & (yy < h - 2) & (xx >= 2) & (xx < w - 2)
        a[m] = (*rgb, 255)
        anchors = {"top": (0.5, 0.0), "feet": (0.5, 1.0), "seat": (0.5, 0.5)}
    a[..., 3] = np.where(m, 255, 0)
    ys, xs = np.nonzero(m)
    a = a[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1].copy()
    a.setflags(write=False)
    return a, anchors


@functools.cache
def placeholder_atlas() -> Atlas:
    cats = {}
    sprites = []
    for name, (group, lo, hi, cname, rgb, shape) in _CATS.items():
        cats[name] = Category(
            name, name + "s", (), f"{name.replace(' ', '_')}.n.01", (group, name), group, (lo, hi)
        )
        poses = ("stand", "walk", "sit") if shape == "person" else ("",)
        for pose in poses:
            img, anchors = _sprite_img(shape, rgb, pose)
            facing = "right" if shape in ("person", "animal") else "none"
            sprites.append(
                Sprite(name, "placeholder", pose, img, MappingProxyType(anchors), facing, cname)
            )
    return Atlas(cats, tuple(sprites))
