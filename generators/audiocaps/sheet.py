"""Look and listen: a spectrogram contact sheet of ``audiocaps`` clips.

    python -m synthgen.generators.audiocaps.sheet docs/audio_contact_sheet.png --n 12

Each tile is one accepted clip's spectrogram with its graph's events boxed (onset to offset,
over the measured band), and its short caption underneath, so a person can check that every
event sits where the graph says and that the caption tells them in the right order.
``--wav DIR`` also writes the clips as WAV files to listen to.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from PIL import Image

from synthgen.world.sound.contact_sheet import contact_sheet, spectrogram_image


def render_sheet(
    n: int = 12, seed: int = 0, cols: int = 3, config: dict[str, Any] | None = None
) -> tuple[Image.Image, list[Any]]:
    """The contact sheet of the first ``n`` accepted clips, and their records."""
    import synthgen
    import synthgen.generators.audiocaps  # registers the program

    records = list(synthgen.generate("audiocaps", n=n, seed=seed, config=config or {}))
    tiles = []
    for r in records:
        audio = r.media_objects["audio"]
        image = spectrogram_image(audio.samples, audio.sample_rate, r.graph)
        tiles.append((image, f"{r.index}: {r.caption}"))
    return contact_sheet(tiles, cols=cols), records


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--n", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--wav", type=Path, default=None, help="also write the clips here")
    args = parser.parse_args(argv)
    sheet, records = render_sheet(args.n, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(args.out)
    if args.wav is not None:
        from synthgen.encoders import WavEncoder

        args.wav.mkdir(parents=True, exist_ok=True)
        for r in records:
            data, _ = WavEncoder().encode(r.media_objects["audio"])
            (args.wav / f"{r.index:04d}.wav").write_bytes(data)
    for r in records:
        print(f"{r.index:4d} {r.caption}")


if __name__ == "__main__":
    main()
