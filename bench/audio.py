"""audiocaps throughput: clips/s on 1 and 2 workers for 10-s 16 kHz mono clips with FLAC.

Each run is ``synthgen.make("audiocaps", ...)`` in a fresh interpreter (start-up, noise tables,
process pool and the over-generation of the last wave included), timed end to end; clips/s
counts accepted clips (shards of 100, see SHARD_SIZE). Per-stage figures are the manifest's
per-shard timings summed and divided by the candidates made (sample, synth, check, caption,
qa inside ``generate``; then ``encode`` and ``write`` by the engine). A second table times
FLAC and WAV encoding of one 160k-sample clip alone. Target: >= 200 clips/s on 2 cores.

    python bench/audio.py            # n = 2000
    python bench/audio.py --quick    # n = 500
    python bench/audio.py --blind 2000 [--seed S]   # classes, events per clip, blind baselines

``--blind N`` generates N clips in-process (1 worker), counts the classes seen and events per
clip, and trains question-only classifiers per QA kind (the image suite's machinery,
``synthgen/generators/qa/blind.py``) on 70 % of the clips' questions, scoring the rest against
the form majority (the most frequent answer per template family; for two-option questions
the answer's position among the options).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time

CHILD = r"""
import json, sys, time
import synthgen
import synthgen.generators.audiocaps
n, workers, out, encoder = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
shard_size, extra = int(sys.argv[5]), json.loads(sys.argv[6])
t = time.perf_counter()
m = synthgen.make("audiocaps", n=n, out=out, workers=workers, encoders=[encoder],
                  shard_size=shard_size, config={"duration_s": [10.0, 10.0], **extra})
dt = time.perf_counter() - t
d = json.load(open(out + "/manifest.json"))
print(json.dumps({"seconds": dt, "accepted": m.totals.accepted,
                  "candidates": d["totals"]["candidates"], "timings": d["timings"],
                  "rejects": d["totals"]["rejects_by_reason"]}))
"""

SHARD_SIZE = 100
"""Small shards keep the last wave's over-generation (up to a shard per worker of candidates
made and thrown away once ``n`` is reached) small against n."""

STAGES = ("sample", "synth", "check", "caption", "qa", "generate", "encode", "write", "sync")


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(n: int, workers: int, encoder: str = "flac", config: dict | None = None) -> dict:
    """One ``make`` in a fresh interpreter; adds ``cpu_s``: CPU seconds of that interpreter and
    its worker processes together (start-up included), which other load on the machine does
    not inflate the way it inflates wall-clock time."""
    cpu0 = _children_cpu_s()
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run(
            [
                sys.executable,
                "-c",
                CHILD,
                str(n),
                str(workers),
                tmp + "/ds",
                encoder,
                str(SHARD_SIZE),
                json.dumps(config or {}),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["cpu_s"] = _children_cpu_s() - cpu0
    return out


def encoders_alone(repeats: int = 200) -> dict[str, float]:
    """ms to encode one 10-s 16 kHz clip (a real rendered one) with each audio encoder."""
    import numpy as np

    import synthgen.generators.audiocaps  # noqa: F401
    from synthgen.encoders import FlacEncoder, WavEncoder
    from synthgen.media import Audio
    from synthgen.world.sound import SoundSceneConfig, render_scene, sample_scene

    rng = np.random.default_rng(0)
    scene = render_scene(sample_scene(rng, SoundSceneConfig(duration_s=(10, 10))), rng)
    audio = Audio(scene.mix, scene.sample_rate)
    out = {}
    for enc in (FlacEncoder(), WavEncoder()):
        enc.encode(audio)
        t = time.perf_counter()
        for _ in range(repeats):
            enc.encode(audio)
        out[enc.name] = (time.perf_counter() - t) / repeats * 1e3
    return out


def blind(n: int, seed: int = 0) -> None:
    """Classes seen, events per clip, and per-kind question-only baselines on ``n`` clips."""
    import re
    from collections import Counter, defaultdict

    import synthgen
    import synthgen.generators.audiocaps
    from synthgen.generators.qa.base import QA
    from synthgen.generators.qa.blind import evaluate_family
    from synthgen.world.sound import SYNTHS

    t = time.process_time()
    seen: Counter[str] = Counter()
    events = []
    qas: list[QA] = []
    groups: list[int] = []
    for i, rec in enumerate(synthgen.generate("audiocaps", n=n, seed=seed)):
        events.append(len(rec.graph.events))
        seen.update(e.label for e in rec.graph.events)
        for q in rec.qa:
            pair = re.search(r"the (.+?) or the (.+?)[?]", q.question)
            program = {"options": list(pair.groups())} if pair else {}
            form = q.template.split("/")[0].split(".")[0]
            qas.append(
                QA(
                    kind=form,
                    family="audio",
                    question=q.question,
                    answer=q.answer,
                    answer_type="text",
                    template=q.template,
                    program=program,
                )
            )
            groups.append(i)
    cpu = time.process_time() - t
    print(
        f"{n} clips in {cpu:.0f} CPU s; classes seen {len(seen)} of {len(SYNTHS)}; "
        f"events per clip {sum(events) / n:.2f} (min {min(events)}, max {max(events)})"
    )
    print(f"rarest: {', '.join(f'{k} {v}' for k, v in seen.most_common()[-5:])}")
    by: dict[str, list[tuple[QA, int]]] = defaultdict(list)
    for q, g in zip(qas, groups, strict=True):
        by[q.kind].append((q, g))
    print(f"\n{'form':16s} {'QA':>6s} {'form-maj':>9s} {'NB':>6s} {'LR':>6s} {'gap':>6s}")
    for kind, rows in sorted(by.items()):
        r = evaluate_family(kind, [q for q, _ in rows], [g for _, g in rows])
        print(
            f"{kind:16s} {r.train + r.test:6d} {r.type_majority:9.3f} {r.naive_bayes:6.3f} "
            f"{r.logistic:6.3f} {100 * r.gap:+6.1f}"
        )


def main() -> None:
    if "--blind" in sys.argv:
        seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 0
        blind(int(sys.argv[sys.argv.index("--blind") + 1]), seed)
        return
    n = 500 if "--quick" in sys.argv else 2000
    print(f"audiocaps, 10-s 16 kHz mono clips, FLAC, n={n}, shard size {SHARD_SIZE}")
    print(f"{'workers':>7} {'seconds':>8} {'clips/s':>8} {'CPU ms/clip':>11} {'cand.':>6}  rejects")
    results = {}
    for workers in (1, 2):
        r = results[workers] = run(n, workers)
        rejects = ", ".join(f"{k} {v}" for k, v in sorted(r["rejects"].items())) or "-"
        print(
            f"{workers:>7} {r['seconds']:>8.2f} {r['accepted'] / r['seconds']:>8.1f}"
            f" {r['cpu_s'] / r['accepted'] * 1e3:>11.2f} {r['candidates']:>6}  {rejects}"
        )
    print("\nms per candidate by stage (manifest timings / candidates, summed over workers)")
    print(f"{'workers':>7} " + " ".join(f"{s:>8}" for s in STAGES) + f" {'wall/clip':>9}")
    for workers, r in results.items():
        per = {s: r["timings"].get(s, 0.0) / r["candidates"] * 1e3 for s in STAGES}
        wall = r["seconds"] * workers / r["accepted"] * 1e3
        print(f"{workers:>7} " + " ".join(f"{per[s]:>8.2f}" for s in STAGES) + f" {wall:>9.2f}")
    print("\nencoding one 10-s 16 kHz clip alone (ms):")
    for name, ms in encoders_alone().items():
        print(f"  {name:>5} {ms:6.2f}")


if __name__ == "__main__":
    main()
