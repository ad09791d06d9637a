from __future__ import annotations

from PIL import Image

from synthgen.world import contact_sheet


def test_contact_sheet_layout():
    ims = [Image.new("RGB", (32, 24), (i * 40, 0, 0)) for i in range(5)]
    sheet = contact_sheet(ims, cols=3, pad=2)
    assert sheet.size == (3 * 32 + 4 * 2, 2 * 24 + 3 * 2)
    assert sheet.getpixel((2 + 32 + 2 + 1, 3)) == (40, 0, 0)
