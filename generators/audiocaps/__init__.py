"""``audiocaps``: audio captions and audio QA (WavCaps / AudioSetCaps-like) from procedural
sound scenes with signal-verified ground truth. Importing the package registers the program.
"""

from synthgen.generators.audiocaps.program import Audiocaps, AudiocapsConfig, AudiocapsRecord
from synthgen.generators.audiocaps.qa import AudioQA

__all__ = ["AudioQA", "Audiocaps", "AudiocapsConfig", "AudiocapsRecord"]
