"""A sign structure is a signpost, named as a person names it: its whole is "signpost" (the
old whole, "pole", made lists say "two poles" for two signs on posts, and imgdiff say "the
pole has been removed" when the sign went with it), and the sign board is part of it, so
the whole's box, as questions ground it, holds the sign too."""

from __future__ import annotations

from synthgen.generators.qa.sources import world_view
from synthgen.world.sprites.structures import geom
from tests.helpers import sprite_scenes


def test_the_sign_structure_is_a_signpost_with_its_sign_as_a_part() -> None:
    for variant in range(4):
        parts = geom("sign", 40, 120, variant).parts
        assert parts[0].name == "signpost"
        sign = next(p for p in parts if p.name == "sign")
        assert sign.of == 0 and sign.relation == ("part of", "p")


def test_a_signpost_s_box_holds_its_sign() -> None:
    seen = 0
    for scene in sprite_scenes(300, seed=7):
        graph = scene[3]
        posts = [o for o in graph.objects if o.category == "signpost"]
        if not posts:
            continue
        view = world_view(*scene)
        by_id = {o.id: o for o in view.objects}
        objects = {o.id: o for o in graph.objects}
        for post in posts:
            signs = [
                r.subject_id
                for r in graph.relationships
                if r.object_id == post.id and r.predicate == "part of"
            ]
            signs = [i for i in signs if objects[i].category == "sign"]
            assert len(signs) == 1
            x, y, w, h = by_id[post.id].bbox
            sx, sy, sw, sh = objects[signs[0]].bbox
            assert x <= sx and y <= sy and sx + sw <= x + w and sy + sh <= y + h
            assert by_id[post.id].name == "signpost"
            seen += 1
    assert seen >= 3
