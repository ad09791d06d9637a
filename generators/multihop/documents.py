"""Documents of a pool: where each fact is stated, and the parts that state it.

Placement. Every fact a question reads is assigned one modality -- prose, a table, a bar chart
(image) or, for a product line, a scene (image) -- and so one document: the text about its
subject, the table of its subject's type, the chart of its predicate, the scene of its
company. An assignment is kept only if the question's facts span at least two documents and
two modalities. Each (subject, predicate) is then stated by at most one part of the pool:
documents add filler facts (and distractor documents their content) only from facts no other
part states, and a table cell whose fact lives elsewhere reads "n/a". With every fact stated
once, no document and no modality can answer the question alone; the oracle checks verify it
on the finished pool.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image

from synthgen.generators.multihop.evaluate import MISSING
from synthgen.generators.multihop.questions import Plan
from synthgen.generators.multihop.render import draw_bar_chart, draw_table
from synthgen.generators.multihop.schema import (
    Bar,
    Document,
    ImagePart,
    SceneItem,
    TablePart,
    TextFact,
    TextPart,
)
from synthgen.generators.multihop.world import NUMERIC, TYPE_PREDICATES, World, format_value

ALLOWED: dict[str, tuple[str, ...]] = {
    "headquarters": ("text", "table"),
    "ceo": ("text", "table"),
    "organiser": ("text", "table"),
    "born_in": ("text", "table"),
    "held_in": ("text", "table"),
    "founded": ("text", "table"),
    "born": ("text", "table"),
    "year": ("text", "table"),
    "population": ("text", "table", "chart"),
    "employees": ("text", "table", "chart"),
}
"""Where each predicate may be stated (charts only show counts)."""

MODALITY = {"text": "text", "table": "table", "chart": "image", "scene": "image"}
TABLE_CAPTION = {"city": "Cities", "person": "People", "company": "Companies", "event": "Events"}
COLUMN_TITLE = {
    "name": None,
    "population": "Population",
    "founded": "Founded",
    "born": "Born",
    "born_in": "Birthplace",
    "headquarters": "Headquarters",
    "ceo": "Chief executive",
    "employees": "Employees",
    "year": "Year",
    "held_in": "Host city",
    "organiser": "Organiser",
}
CHART_TITLE = {"population": "Population by city", "employees": "Employees by company"}

DocKey = tuple[str, str]


def doc_key(world: World, subject: str, predicate: str, where: str) -> DocKey:
    """The document that states a fact placed in modality ``where``: the subject's text,
    the table of its type, or the chart of the predicate."""
    if where == "text":
        return ("text", subject)
    if where == "table":
        return ("table", world.type_of[subject])
    return ("chart", predicate)


@dataclass
class Layout:
    """Which document states which fact, and the documents of the pool in order."""

    placed: dict[tuple[str, str], DocKey] = field(default_factory=dict)
    docs: list[DocKey] = field(default_factory=list)


def place(
    world: World, plan: Plan, rng: np.random.Generator, max_docs: int, tries: int = 24
) -> Layout | None:
    """Assign the question's facts to documents (see the module docstring); None if no
    assignment within ``tries`` spans two documents and two modalities within ``max_docs``."""
    for _ in range(tries):
        layout = Layout()
        for subject, predicate in plan.hops:
            options = ALLOWED[predicate]
            where = options[int(rng.integers(len(options)))]
            if plan.enumerates == predicate:
                # the facts that enumerate candidates ("the companies headquartered in C")
                # share one table: split over documents, a reader missing one document would
                # see a shorter list and could still reach the answer by luck
                where = "table"
            layout.placed[(subject, predicate)] = doc_key(world, subject, predicate, where)
        keys = list(dict.fromkeys(layout.placed.values()))
        keys += [("scene", c) for c in plan.scenes]
        modalities = {MODALITY[k[0]] for k in keys}
        if len(keys) >= 2 and len(modalities) >= 2 and len(keys) <= max_docs:
            layout.docs = keys
            return layout
    return None


def add_distractors(world: World, layout: Layout, rng: np.random.Generator, target: int) -> None:
    """Add documents about other entities until the pool has ``target`` documents."""
    free = _free(world, layout)
    while len(layout.docs) < target:
        options: list[DocKey] = []
        for kind, names in world.entities.items():
            for name in names:
                if ("text", name) not in layout.docs and any(
                    (name, p) in free for p in TYPE_PREDICATES[kind]
                ):
                    options.append(("text", name))
            if ("table", kind) not in layout.docs and _table_rows(world, kind, free):
                options.append(("table", kind))
        for predicate in sorted(NUMERIC):
            if ("chart", predicate) not in layout.docs and _chart_entities(world, predicate, free):
                options.append(("chart", predicate))
        for company in world.entities["company"]:
            if ("scene", company) not in layout.docs:
                options.append(("scene", company))
        if not options:
            return
        key = options[int(rng.integers(len(options)))]
        layout.docs.append(key)
        if key[0] == "text":  # claim the distractor's facts now, so later ones skip them
            for p in TYPE_PREDICATES[world.type_of[key[1]]]:
                if (key[1], p) in free:
                    layout.placed[(key[1], p)] = key
                    free.discard((key[1], p))


def _free(world: World, layout: Layout) -> set[tuple[str, str]]:
    return {k for k in world.facts if k not in layout.placed}


def _table_rows(world: World, kind: str, free: set[tuple[str, str]]) -> list[str]:
    cols = TYPE_PREDICATES[kind]
    return [n for n in world.entities[kind] if any((n, c) in free for c in cols)]


def _chart_entities(world: World, predicate: str, free: set[tuple[str, str]]) -> list[str]:
    kind = "city" if predicate == "population" else "company"
    return [n for n in world.entities[kind] if (n, predicate) in free]


class Builder:
    """Turns a layout into documents (parts and their media), claiming filler facts."""

    def __init__(self, world: World, layout: Layout, templates: dict[str, Any], rng) -> None:  # type: ignore[no-untyped-def]
        self.world = world
        self.layout = layout
        self.templates = templates
        self.rng = rng

    def claim(self, subject: str, predicate: str, key: DocKey) -> bool:
        """Whether ``key`` may state the fact (claiming it if nobody has)."""
        if (subject, predicate) not in self.world.facts:
            return False
        owner = self.layout.placed.setdefault((subject, predicate), key)
        return owner == key

    def text(self, subject: str) -> tuple[str, TextPart]:
        """Prose about ``subject`` in a random style: an intro, then one sentence per fact
        placed here (plus, often, one unclaimed filler fact), each with its span."""
        rng, key = self.rng, ("text", subject)
        kind = self.world.type_of[subject]
        styles = sorted(self.templates["text"])
        style = styles[int(rng.integers(len(styles)))]
        sentences = self.templates["text"][style]
        preds = [p for p in TYPE_PREDICATES[kind] if self.layout.placed.get((subject, p)) == key]
        fillers = [p for p in TYPE_PREDICATES[kind] if (subject, p) not in self.layout.placed]
        if fillers and rng.random() < 0.7:
            extra = fillers[int(rng.integers(len(fillers)))]
            if self.claim(subject, extra, key):
                preds.append(extra)
        preds = [preds[i] for i in rng.permutation(len(preds)).tolist()]
        text = self.templates["intro"][style][kind].format(s=subject)
        anaphors = self.templates["anaphor"][kind]
        plain = anaphors + self.templates["pronoun"][kind]
        facts = []
        for p in preds:
            options = sentences[p]
            template = options[int(rng.integers(len(options)))]
            value = self.world.get(subject, p)
            name = subject
            # a later sentence may refer back to the subject; "It" only as a plain subject
            refs = plain if template.startswith("{s} ") else anaphors
            if refs and template.startswith("{s}") and rng.random() < 0.4:
                name = refs[int(rng.integers(len(refs)))]
            sentence = template.format(s=name, v=format_value(p, value))
            start = len(text) + 1
            text += " " + sentence
            facts.append(
                TextFact(subject=subject, predicate=p, value=str(value), span=(start, len(text)))
            )
        return subject, TextPart(text=text, facts=facts)

    def table(self, kind: str) -> tuple[str, TablePart, Image.Image] | None:
        """The table of entity type ``kind``: the columns and rows its placed facts need plus
        a few distractor rows; a cell whose fact another part states reads ``n/a``. None for
        a distractor table with no row to show."""
        rng, key = self.rng, ("table", kind)
        placed = self.layout.placed
        cols = [
            p
            for p in TYPE_PREDICATES[kind]
            if any(placed.get((n, p)) == key for n in self.world.entities[kind])
        ]
        spare = [p for p in TYPE_PREDICATES[kind] if p not in cols]
        if not cols:  # a distractor table: the column with the most unstated values
            free = [sum((n, p) not in placed for n in self.world.entities[kind]) for p in spare]
            cols.append(spare[int(np.argmax(free))])
        elif spare and rng.random() < 0.5:
            cols.append(spare[int(rng.integers(len(spare)))])
        cols = [p for p in TYPE_PREDICATES[kind] if p in cols]
        needed = [
            n for n in self.world.entities[kind] if any(placed.get((n, p)) == key for p in cols)
        ]
        extra = [
            n
            for n in self.world.entities[kind]
            if n not in needed and all((n, p) not in placed for p in cols)
        ]
        k = int(rng.integers(1, 3)) if needed else int(rng.integers(2, 4))
        rows_of = needed + [extra[i] for i in rng.permutation(len(extra))[:k].tolist()]
        rows_of = [rows_of[i] for i in rng.permutation(len(rows_of)).tolist()]
        if not rows_of:
            return None
        rows = []
        for n in rows_of:
            row = [n]
            for p in cols:
                ok = self.claim(n, p, key)
                row.append(format_value(p, self.world.get(n, p)) if ok else MISSING)
            rows.append(row)
        header = [kind.capitalize()] + [str(COLUMN_TITLE[p]) for p in cols]
        caption = TABLE_CAPTION[kind]
        part = TablePart(caption=caption, header=header, columns=["name", *cols], rows=rows)
        return caption, part, draw_table(caption, header, rows)

    def chart(self, predicate: str) -> tuple[str, ImagePart, Image.Image] | None:
        """The bar chart of a count predicate: the bars its placed facts need plus one or two
        unclaimed ones. None for a distractor chart with nothing left to show."""
        rng, key = self.rng, ("chart", predicate)
        kind = "city" if predicate == "population" else "company"
        placed = self.layout.placed
        needed = [n for n in self.world.entities[kind] if placed.get((n, predicate)) == key]
        extra = [n for n in self.world.entities[kind] if (n, predicate) not in placed]
        k = int(rng.integers(1, 3)) if needed else int(rng.integers(2, 4))
        names = needed + [extra[i] for i in rng.permutation(len(extra))[:k].tolist()]
        names = [names[i] for i in rng.permutation(len(names)).tolist()]
        if not names:
            return None
        for n in names:
            self.claim(n, predicate, key)
        values = [int(self.world.get(n, predicate)) for n in names]
        title = CHART_TITLE[predicate]
        image, boxes = draw_bar_chart(
            title, names, values, [format_value(predicate, v) for v in values]
        )
        bars = [Bar(label=n, value=v, bbox=b) for n, v, b in zip(names, values, boxes, strict=True)]
        part = ImagePart(kind="chart", media="", caption=title, attribute=predicate, bars=bars)
        return title, part, image

    @staticmethod
    def scene(company: str, items: list[SceneItem]) -> tuple[str, ImagePart]:
        title = f"Product line of {company}"
        return title, ImagePart(
            kind="scene", media="", caption=title, entity=company, objects=items
        )


def build_documents(
    builder: Builder, scenes: dict[str, tuple[list[SceneItem], Image.Image]]
) -> tuple[list[Document], dict[str, Image.Image]]:
    """The pool's documents in a random order, with media named image_0, image_1, ... in
    document order. Needed documents are built first (so their facts are claimed before any
    distractor's); a distractor table or chart left with nothing to show is dropped."""
    built: list[Any] = []
    for kind, name in builder.layout.docs:
        if kind == "text":
            title, part = builder.text(name)
            built.append((title, part, None))
        elif kind == "table":
            built.append(builder.table(name))
        elif kind == "chart":
            built.append(builder.chart(name))
        else:
            items, image = scenes[name]
            title, part = builder.scene(name, items)
            built.append((title, part, image))
    built = [b for b in built if b is not None]
    documents: list[Document] = []
    media: dict[str, Image.Image] = {}
    for d, i in enumerate(builder.rng.permutation(len(built)).tolist()):
        title, part, image = built[i]
        if image is not None:
            mname = f"image_{len(media)}"
            media[mname] = image
            part = part.model_copy(update={"media": mname})
        documents.append(Document(id=f"d{d}", title=title, parts=[part]))
    return documents, media
