"""The curated category table of the sprite atlas (read by scripts/build_atlas.py).

One line per category: ``GROUP(name, emoji, (lo, hi) metres, **options)``.

- ``emoji``: the code points (hex, '-' joined) of the art, or ``{pose: codepoints}``.
  The first pose is the category's default. Both styles are drawn for every pose where the
  art exists (noto is required, fluent is taken when the package has it).
- ``syn``: comma-separated synonyms (VG150's nouns are names or synonyms); ``plural``
  defaults to name + "s".
- ``wn``: the WordNet 3.0 synset id when the first noun sense of ``name`` is the wrong
  one; the build checks that the synset lies under the group's synsets (GROUP_SYNSETS).
- ``facing``: as drawn, "left" | "right" | "front" | "none", or {pose or style: facing}.
- ``anchors``: a preset name (ANCHORS) or {pose: preset}; presets are written for art that
  faces right (or front) and mirrored in x for art that faces left. Points are approximate
  (per kind of thing, not measured per sprite).

People use the emoji sets' skin-tone-neutral default (yellow skin, no modifier): one sprite
per pose and style. A person's left/right hand is their own (a front-facing person's right
hand is on the image's left).
"""

from __future__ import annotations

from dataclasses import dataclass

ANCHORS: dict[str, dict[str, tuple[float, float]]] = {
    "none": {},
    "body": {"head": (0.5, 0.08), "face": (0.5, 0.1), "hand_right": (0.18, 0.52),
             "hand_left": (0.82, 0.52), "feet": (0.5, 1.0)},
    "side_body": {"head": (0.55, 0.08), "face": (0.62, 0.1), "hand_right": (0.75, 0.5),
                  "hand_left": (0.3, 0.5), "feet": (0.5, 1.0)},
    "sitting": {"head": (0.5, 0.12), "face": (0.5, 0.14), "hand_right": (0.2, 0.6),
                "hand_left": (0.8, 0.6), "seat": (0.5, 0.85)},
    "bust": {"head": (0.5, 0.38), "face": (0.5, 0.45)},
    "rider": {"head": (0.55, 0.1), "face": (0.6, 0.12), "hand_right": (0.7, 0.4),
              "hand_left": (0.7, 0.4), "feet": (0.5, 1.0)},
    "quadruped": {"head": (0.85, 0.25), "face": (0.9, 0.3), "back": (0.45, 0.3),
                  "tail": (0.04, 0.35), "feet": (0.5, 1.0)},
    "animal_face": {"head": (0.5, 0.5), "face": (0.5, 0.55)},
    "bird": {"head": (0.72, 0.22), "back": (0.45, 0.4), "tail": (0.08, 0.6), "feet": (0.5, 1.0)},
    "small": {"top": (0.5, 0.0), "bottom": (0.5, 1.0)},
    "seat": {"seat": (0.5, 0.62), "back": (0.5, 0.22), "bottom": (0.5, 1.0)},
    "bed": {"top": (0.55, 0.45), "head": (0.12, 0.4), "bottom": (0.5, 1.0)},
    "top": {"top": (0.5, 0.0), "bottom": (0.5, 1.0)},
    "ride": {"seat": (0.4, 0.3), "handle": (0.72, 0.2), "bottom": (0.5, 1.0)},
    "vehicle": {"top": (0.5, 0.05), "bottom": (0.5, 1.0)},
    "hang": {"hook": (0.5, 0.0), "bottom": (0.5, 1.0)},
    "held": {"hand": (0.5, 0.75)},
    "worn_head": {"head": (0.5, 0.9)},
    "worn_feet": {"feet": (0.5, 0.9)},
    "worn_body": {"hook": (0.5, 0.02)},
    "plant": {"top": (0.5, 0.0), "bottom": (0.5, 1.0)},
}

#: the build warns when a category's synset is under none of its group's synsets
GROUP_SYNSETS: dict[str, tuple[str, ...]] = {
    "person": ("person.n.01",),
    "animal": ("animal.n.01",),
    "vehicle": ("vehicle.n.01", "conveyance.n.03", "craft.n.02", "wheeled_vehicle.n.01",
                "wheel.n.01"),
    "food": ("food.n.01", "food.n.02", "foodstuff.n.02", "edible_fruit.n.01", "produce.n.01",
             "beverage.n.01", "vegetable.n.01", "nutriment.n.01", "fruit.n.01"),
    "plant": ("plant.n.02", "plant_organ.n.01", "plant_part.n.01", "vascular_plant.n.01",
              "flower.n.01", "flower.n.02", "flower.n.03", "wood.n.01", "natural_object.n.01",
              "fungus.n.01", "bouquet.n.01"),
}

ONE_THING_BELOW = frozenset({"couch"})
"""Art that draws a second thing with the named one (the couch emoji's floor lamp, behind
it in noto, beside it in fluent): the build keeps only the named thing (a person would
name the lamp, and the sprite's height would be the lamp's, not the couch's)."""

ONE_REGION = {"plate": "largest", "fork": "leftmost"}
"""Art that draws other things beside the named one, apart from it: the plate emoji's fork
and knife on either side, the fork emoji's knife to the right. The build keeps the one
opaque region this names (a person would see, and count, the knife)."""

NOT_IN_STYLE = frozenset({("plate", "fluent")})
"""(category, style) whose art is not used: fluent's plate has its fork and knife lying on
the rim, one region with the plate (noto's plate is drawn for every plate)."""

SNOW_BACKDROP = frozenset({"skier", "snowboarder"})
"""Art drawn on a patch of snow slope (a white or light-blue parallelogram behind the
skier): the build clears the snow-coloured region that touches the sprite's border, so
the person stands on the scene's own snow instead of a pasted square."""

#: hypernym path entries renamed to the word a caption uses
HYPERNYM_RENAME = {"edible fruit": "fruit", "edible nut": "nut", "motor vehicle": "vehicle"}

#: hypernym path entries too abstract to keep
HYPERNYM_STOP = {
    "entity", "physical entity", "abstraction", "object", "whole", "living thing", "organism",
    "causal agent", "matter", "substance", "solid", "artifact", "instrumentality",
    "thing", "unit", "part", "relation", "group", "attribute", "psychological feature",
    "chordate", "vertebrate", "placental", "eutherian mammal", "physical object",
    "natural object", "plant organ", "plant part", "reproductive structure",
    "vascular plant", "spermatophyte", "angiosperm", "woody plant", "herb", "herbaceous plant",
    "commodity", "consumer goods", "covering", "structure", "construction", "device",
    "implement", "container", "equipment", "article", "ware", "merchandise", "system",
    "means", "instrument", "invertebrate", "arthropod", "diapsid", "aquatic vertebrate",
    "even-toed ungulate", "odd-toed ungulate", "ungulate", "ruminant", "bovid",
    "carnivore", "canine", "feline", "rodent", "gnawing mammal", "hoofed mammal",
}


@dataclass(frozen=True)
class Entry:
    name: str
    group: str
    poses: tuple[tuple[str, str], ...]
    height: tuple[float, float]
    synonyms: tuple[str, ...]
    plural: str
    wn: str | None
    facing: object
    anchors: object

    def facing_for(self, style: str, pose: str) -> str:
        f = self.facing
        if isinstance(f, dict):
            return f.get(f"{style}:{pose}", f.get(pose, f.get(style, f.get("", "none"))))
        return f

    def anchors_for(self, pose: str) -> dict[str, tuple[float, float]]:
        a = self.anchors
        if isinstance(a, dict):
            a = a.get(pose, a.get("", "none"))
        return ANCHORS[a]


_ENTRIES: list[Entry] = []


def group(name: str, facing: object = "none", anchors: object = "none"):
    def add(cat: str, emoji: str | dict[str, str], height: tuple[float, float], *,
            syn: str = "", plural: str | None = None, wn: str | None = None,
            facing: object = facing, anchors: object = anchors) -> None:
        poses = tuple(emoji.items()) if isinstance(emoji, dict) else (("", emoji),)
        synonyms = tuple(s.strip() for s in syn.split(",") if s.strip())
        _ENTRIES.append(Entry(cat, name, poses, (float(height[0]), float(height[1])), synonyms,
                              plural or (cat + "es" if cat.endswith(("s", "sh", "ch", "x"))
                                         else cat + "s"),
                              wn, facing, anchors))
    return add


def entries() -> list[Entry]:
    names = [e.name for e in _ENTRIES]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ValueError(f"duplicate categories: {dup}")
    return list(_ENTRIES)


# ------------------------------------------------------------------------------ people
PERSON = group("person", facing="front", anchors="bust")
WALK = {"walking": "side_body", "running": "side_body", "standing": "body",
        "kneeling": "side_body", "sitting": "sitting", "": "bust", "portrait": "bust",
        "wheelchair": "sitting", "cane": "side_body", "in bed": "none"}
FACE_WALK = {"walking": "left", "running": "left", "kneeling": "left", "cane": "left",
             "wheelchair": "left", "in bed": "none", "": "front"}


def _people(zwj: str) -> dict[str, str]:
    return {"standing": f"1f9cd{zwj}", "walking": f"1f6b6{zwj}", "running": f"1f3c3{zwj}",
            "kneeling": f"1f9ce{zwj}"}


PERSON("person", {**_people(""), "sitting": "1f9d8", "wheelchair": "1f9d1-200d-1f9bd",
                  "cane": "1f9d1-200d-1f9af", "in bed": "1f6cc", "portrait": "1f9d1"},
       (1.5, 1.9), plural="people", syn="human, someone, pedestrian, persons",
       facing=FACE_WALK, anchors=WALK)
PERSON("man", {**_people("-200d-2642-fe0f"), "sitting": "1f9d8-200d-2642-fe0f",
               "portrait": "1f468"},
       (1.6, 1.95), plural="men", syn="guy, gentleman, male, guys", facing=FACE_WALK,
       anchors=WALK)
PERSON("woman", {**_people("-200d-2640-fe0f"), "sitting": "1f9d8-200d-2640-fe0f",
                 "portrait": "1f469"},
       (1.5, 1.85), plural="women", syn="lady, ladies, female", facing=FACE_WALK, anchors=WALK)
PERSON("boy", "1f466", (1.0, 1.6), wn="male_child.n.01", syn="son, schoolboy")
PERSON("girl", "1f467", (1.0, 1.6), syn="daughter, schoolgirl")
PERSON("child", "1f9d2", (0.9, 1.5), plural="children", syn="kid, kids, youngster")
PERSON("baby", "1f476", (0.5, 0.8), syn="infant, toddler")
PERSON("old man", "1f474", (1.55, 1.85), syn="elderly man, grandfather, grandpa")
PERSON("old woman", "1f475", (1.45, 1.75), syn="elderly woman, grandmother, grandma")
PERSON("old person", "1f9d3", (1.5, 1.8), wn="oldster.n.01", syn="elder, senior")
SPORT = {"": "rider"}
PERSON("skier", "26f7-fe0f", (1.5, 1.9), facing="left", anchors=SPORT)
PERSON("snowboarder", "1f3c2", (1.5, 1.9), facing="left", anchors=SPORT)
PERSON("surfer", {"": "1f3c4", "man": "1f3c4-200d-2642-fe0f",
                  "woman": "1f3c4-200d-2640-fe0f"}, (1.5, 1.9),
       facing={"noto": "left", "fluent": "front"}, anchors=SPORT)
PERSON("cyclist", {"": "1f6b4", "mountain biking": "1f6b5"}, (1.5, 1.9),
       syn="biker, bicyclist, bike rider", facing="left", anchors=SPORT)
PERSON("jockey", "1f3c7", (1.5, 2.6), syn="rider, horse rider, horseman, equestrian",
       facing="left", anchors=SPORT)
PERSON("swimmer", "1f3ca", (0.4, 0.8), facing="left", anchors="none")
PERSON("player", {"basketball": "26f9-fe0f", "handball": "1f93e", "water polo": "1f93d"},
       (1.5, 2.1), syn="athlete, basketball player, sportsman", anchors="body", facing="front")
PERSON("golfer", "1f3cc-fe0f", (1.5, 1.9), anchors="body", facing="front")
PERSON("gymnast", "1f938", (1.4, 1.8), anchors="none")
PERSON("climber", "1f9d7", (1.5, 1.9), wn="climber.n.04", syn="rock climber", anchors="body")
PERSON("rower", "1f6a3", (1.0, 1.6), wn="oarsman.n.01", syn="oarsman, rowing boat",
       anchors="none", facing="right")
PERSON("juggler", "1f939", (1.5, 1.9), anchors="body")
PERSON("dancer", {"": "1f483", "man": "1f57a"}, (1.5, 1.9), anchors="body")
PERSON("fencer", "1f93a", (1.5, 1.9), anchors="body", facing="left")
PERSON("wrestler", "1f93c", (1.5, 1.9), plural="wrestlers", anchors="none")
PERSON("weightlifter", "1f3cb-fe0f", (1.5, 1.9), anchors="body")
PERSON("police officer", "1f46e", (1.55, 1.95), wn="policeman.n.01",
       syn="policeman, policewoman, cop, officer")
PERSON("construction worker", "1f477", (1.55, 1.95), wn="laborer.n.01",
       syn="builder, worker, laborer")
PERSON("guard", "1f482", (1.6, 1.95), wn="guard.n.01", syn="guardsman, soldier")
PERSON("detective", "1f575-fe0f", (1.55, 1.95), wn="detective.n.01")
PERSON("chef", "1f9d1-200d-1f373", (1.55, 1.95), syn="cook")
PERSON("farmer", "1f9d1-200d-1f33e", (1.55, 1.95))
PERSON("doctor", "1f9d1-200d-2695-fe0f", (1.55, 1.95), syn="physician, nurse")
PERSON("student", "1f9d1-200d-1f393", (1.5, 1.9), syn="graduate")
PERSON("teacher", "1f9d1-200d-1f3eb", (1.5, 1.9))
PERSON("firefighter", "1f9d1-200d-1f692", (1.55, 1.95), syn="fireman")
PERSON("pilot", "1f9d1-200d-2708-fe0f", (1.55, 1.95), wn="pilot.n.01")
PERSON("astronaut", "1f9d1-200d-1f680", (1.55, 1.95), syn="spaceman")
PERSON("mechanic", "1f9d1-200d-1f527", (1.55, 1.95))
PERSON("scientist", "1f9d1-200d-1f52c", (1.55, 1.95))
PERSON("painter", "1f9d1-200d-1f3a8", (1.55, 1.95), wn="painter.n.01", syn="artist")
PERSON("singer", "1f9d1-200d-1f3a4", (1.55, 1.95))
PERSON("judge", "1f9d1-200d-2696-fe0f", (1.55, 1.95), wn="judge.n.01")
PERSON("prince", "1f934", (1.6, 1.95))
PERSON("princess", "1f478", (1.5, 1.85), plural="princesses")
PERSON("bride", "1f470", (1.5, 1.85))
PERSON("groom", "1f935", (1.6, 1.95), wn="bridegroom.n.01", syn="bridegroom")
PERSON("mage", "1f9d9", (1.55, 1.95), wn="sorcerer.n.01", syn="wizard, sorcerer")

# ------------------------------------------------------------------------------ animals
ANIMAL = group("animal", facing="left", anchors="quadruped")
FACE = {"": "front"}
ANIMAL("dog", {"": "1f415", "poodle": "1f429", "guide dog": "1f9ae"}, (0.3, 0.9),
       syn="puppy, hound, doggy")
ANIMAL("cat", {"": "1f408", "black": "1f408-200d-2b1b"}, (0.2, 0.35), syn="kitten, kitty")
ANIMAL("horse", "1f40e", (1.4, 1.8), syn="pony, stallion, mare")
ANIMAL("zebra", "1f993", (1.2, 1.5))
ANIMAL("giraffe", "1f992", (4.3, 5.7))
ANIMAL("elephant", "1f418", (2.5, 4.0))
ANIMAL("bear", "1f43b", (1.0, 2.8), syn="brown bear, grizzly", facing=FACE,
       anchors="animal_face")
ANIMAL("polar bear", "1f43b-200d-2744-fe0f", (1.3, 2.5), wn="ice_bear.n.01", facing=FACE,
       anchors="animal_face")
ANIMAL("panda", "1f43c", (0.6, 1.5), wn="giant_panda.n.01", facing=FACE,
       anchors="animal_face")
ANIMAL("koala", "1f428", (0.6, 0.85), facing=FACE, anchors="animal_face")
ANIMAL("cow", "1f404", (1.3, 1.8), syn="cattle, bull")
ANIMAL("ox", "1f402", (1.4, 1.9), plural="oxen")
ANIMAL("water buffalo", "1f403", (1.3, 1.9), syn="buffalo")
ANIMAL("bison", "1f9ac", (1.5, 2.0), plural="bison")
ANIMAL("sheep", "1f411", (0.7, 1.1), plural="sheep", syn="lamb, ewe",
       facing={"noto:": "front", "": "left"})
ANIMAL("ram", "1f40f", (0.7, 1.1), wn="ram.n.05", syn="tup",
       facing={"noto:": "front", "": "left"})
ANIMAL("goat", "1f410", (0.6, 1.0))
ANIMAL("pig", "1f416", (0.6, 1.0), wn="hog.n.03", syn="hog, swine")
ANIMAL("boar", "1f417", (0.6, 1.0), wn="wild_boar.n.01", syn="wild boar")
ANIMAL("deer", "1f98c", (0.9, 1.6), plural="deer", syn="stag, doe")
ANIMAL("moose", "1face", (1.4, 2.1), plural="moose", syn="elk")
ANIMAL("camel", "1f42b", (1.8, 2.3), syn="bactrian camel")
ANIMAL("dromedary", "1f42a", (1.8, 2.2), syn="arabian camel")
ANIMAL("llama", "1f999", (1.6, 1.9), syn="alpaca")
ANIMAL("donkey", "1facf", (0.9, 1.4), wn="domestic_ass.n.01", syn="mule, ass")
ANIMAL("rhinoceros", "1f98f", (1.4, 1.9), syn="rhino")
ANIMAL("hippopotamus", "1f99b", (1.3, 1.6), plural="hippopotami", syn="hippo")
ANIMAL("mammoth", "1f9a3", (3.0, 4.0), wn="mammoth.n.01")
ANIMAL("tiger", "1f405", (0.8, 1.1), wn="tiger.n.02")
ANIMAL("leopard", "1f406", (0.6, 0.8), wn="leopard.n.02")
ANIMAL("lion", "1f981", (0.9, 1.2), facing=FACE, anchors="animal_face")
ANIMAL("wolf", "1f43a", (0.6, 0.9), plural="wolves", facing=FACE, anchors="animal_face")
ANIMAL("fox", "1f98a", (0.35, 0.5), plural="foxes", facing=FACE, anchors="animal_face")
ANIMAL("raccoon", "1f99d", (0.25, 0.4), wn="raccoon.n.02", facing=FACE, anchors="animal_face")
ANIMAL("monkey", "1f412", (0.4, 0.8), facing="front", anchors="body")
ANIMAL("gorilla", "1f98d", (1.2, 1.8), facing="front", anchors="body")
ANIMAL("orangutan", "1f9a7", (1.0, 1.5), facing="front", anchors="body")
ANIMAL("kangaroo", "1f998", (1.0, 1.8))
ANIMAL("sloth", "1f9a5", (0.5, 0.7), wn="sloth.n.02", facing="front")
ANIMAL("otter", "1f9a6", (0.3, 0.6), wn="otter.n.02")
ANIMAL("skunk", "1f9a8", (0.2, 0.35), wn="skunk.n.04")
ANIMAL("badger", "1f9a1", (0.25, 0.3), wn="badger.n.02")
ANIMAL("beaver", "1f9ab", (0.3, 0.45), wn="beaver.n.07")
ANIMAL("hedgehog", "1f994", (0.1, 0.2))
ANIMAL("chipmunk", "1f43f-fe0f", (0.08, 0.15), syn="squirrel")
ANIMAL("rabbit", "1f407", (0.2, 0.4), syn="bunny, hare")
ANIMAL("mouse", "1f401", (0.03, 0.08), plural="mice")
ANIMAL("rat", "1f400", (0.05, 0.12))
ANIMAL("hamster", "1f439", (0.05, 0.1), facing=FACE, anchors="animal_face")
ANIMAL("bat", "1f987", (0.1, 0.4), facing="front", anchors="none")
ANIMAL("whale", "1f40b", (3.0, 6.0), wn="whale.n.02")
ANIMAL("dolphin", "1f42c", (0.8, 1.5))
ANIMAL("seal", "1f9ad", (0.6, 1.2), wn="seal.n.09", syn="sea lion")
ANIMAL("shark", "1f988", (0.8, 2.5))
ANIMAL("fish", {"": "1f41f", "tropical": "1f420"}, (0.05, 0.4), plural="fish")
ANIMAL("blowfish", "1f421", (0.1, 0.3), wn="puffer.n.02", syn="pufferfish")
ANIMAL("octopus", "1f419", (0.2, 0.6), wn="octopus.n.02", plural="octopuses", facing="front")
ANIMAL("squid", "1f991", (0.2, 0.8), wn="squid.n.02", facing="front")
ANIMAL("jellyfish", "1fabc", (0.1, 0.5), plural="jellyfish", facing="front")
ANIMAL("crab", "1f980", (0.05, 0.2), facing="front")
ANIMAL("lobster", "1f99e", (0.05, 0.15), wn="lobster.n.02", facing="front")
ANIMAL("shrimp", "1f990", (0.02, 0.08), plural="shrimp", wn="shrimp.n.03")
ANIMAL("snail", "1f40c", (0.02, 0.06))
ANIMAL("turtle", "1f422", (0.1, 0.5), wn="turtle.n.02", syn="tortoise")
ANIMAL("crocodile", "1f40a", (0.3, 0.6), syn="alligator, croc")
ANIMAL("lizard", "1f98e", (0.03, 0.2))
ANIMAL("snake", "1f40d", (0.05, 0.3), syn="serpent", facing="front")
ANIMAL("frog", "1f438", (0.03, 0.1), facing=FACE, anchors="animal_face")
ANIMAL("dinosaur", {"": "1f995", "t-rex": "1f996"}, (3.0, 6.0), syn="sauropod, t-rex")
BIRD = group("animal", facing="left", anchors="bird")
BIRD("bird", {"": "1f426", "black": "1f426-200d-2b1b"}, (0.1, 0.3),
     syn="songbird, sparrow, crow")
BIRD("chicken", "1f414", (0.3, 0.5), wn="chicken.n.02", syn="hen")
BIRD("rooster", "1f413", (0.4, 0.7), syn="cock, cockerel")
BIRD("chick", "1f424", (0.05, 0.1), wn="chick.n.01")
BIRD("turkey", "1f983", (0.6, 1.0), wn="turkey.n.01")
BIRD("duck", "1f986", (0.3, 0.5), syn="mallard")
BIRD("goose", "1fabf", (0.6, 0.9), plural="geese")
BIRD("swan", "1f9a2", (0.8, 1.3))
BIRD("dove", "1f54a-fe0f", (0.2, 0.35), syn="pigeon")
BIRD("eagle", "1f985", (0.7, 1.0), syn="hawk")
BIRD("owl", "1f989", (0.2, 0.7), facing="front")
BIRD("parrot", "1f99c", (0.3, 0.9), syn="macaw")
BIRD("flamingo", "1f9a9", (0.8, 1.5), plural="flamingos")
BIRD("peacock", "1f99a", (0.9, 1.2), wn="peacock.n.02", syn="peafowl", facing="front")
BIRD("penguin", "1f427", (0.4, 1.2), facing="front")
BIRD("dodo", "1f9a4", (0.7, 1.0), wn="dodo.n.02")
BUG = group("animal", facing="front", anchors="none")
BUG("butterfly", "1f98b", (0.02, 0.1), plural="butterflies", facing="front")
BUG("caterpillar", "1f41b", (0.005, 0.02), syn="bug", facing="left")
BUG("ant", "1f41c", (0.002, 0.01), facing="left")
BUG("bee", "1f41d", (0.01, 0.02), syn="honeybee")
BUG("ladybug", "1f41e", (0.005, 0.01), syn="ladybird")
BUG("beetle", "1fab2", (0.01, 0.04))
BUG("cricket", "1f997", (0.01, 0.03), wn="cricket.n.01", syn="grasshopper",
    facing="left")
BUG("cockroach", "1fab3", (0.01, 0.03), syn="roach", facing="left")
BUG("spider", "1f577-fe0f", (0.01, 0.05))
BUG("scorpion", "1f982", (0.01, 0.04), wn="scorpion.n.03")
BUG("mosquito", "1f99f", (0.003, 0.01), plural="mosquitoes")
BUG("fly", "1fab0", (0.003, 0.01), wn="fly.n.01", plural="flies")
BUG("earthworm", "1fab1", (0.003, 0.01), syn="worm", facing="left")

# ------------------------------------------------------------------------------ plants
PLANT = group("plant", facing="none", anchors="plant")
PLANT("tree", {"": "1f333", "evergreen": "1f332"}, (3.0, 20.0),
      syn="deciduous tree, oak, pine, pine tree, evergreen")
PLANT("palm tree", "1f334", (4.0, 20.0), wn="palm.n.03", syn="palm")
PLANT("cactus", "1f335", (0.3, 5.0), plural="cacti")
PLANT("potted plant", "1fab4", (0.3, 1.2), wn="pot_plant.n.01",
      syn="plant, houseplant, plants")
PLANT("seedling", "1f331", (0.03, 0.15), syn="sprout")
PLANT("herb", "1f33f", (0.1, 0.4), wn="herb.n.01")
PLANT("clover", {"": "2618-fe0f", "four leaf": "1f340"}, (0.03, 0.15), syn="shamrock")
PLANT("leaf", {"maple": "1f341", "fallen": "1f342", "fluttering": "1f343"}, (0.04, 0.2),
      plural="leaves", syn="maple leaf")
PLANT("rice plant", "1f33e", (0.5, 1.2), wn="rice.n.02", syn="sheaf, wheat, grain")
PLANT("flower", {"": "1f33c", "hibiscus": "1f33a", "hyacinth": "1fabb", "lotus": "1fab7"},
      (0.1, 0.6), syn="blossom, daisy, flowers")
PLANT("tulip", "1f337", (0.3, 0.6))
PLANT("rose", "1f339", (0.3, 1.0))
PLANT("sunflower", "1f33b", (1.0, 3.0))
PLANT("cherry blossom", "1f338", (0.02, 0.05), wn="blossom.n.02")
PLANT("wilted flower", "1f940", (0.2, 0.5), wn="flower.n.01")
PLANT("bouquet", "1f490", (0.3, 0.6), syn="bunch of flowers")
PLANT("log", "1fab5", (0.2, 0.6), wn="log.n.01", syn="wood, trunk, firewood")
PLANT("mushroom", "1f344", (0.03, 0.2), wn="mushroom.n.02", syn="toadstool")

# ------------------------------------------------------------------------------ nature
NATURE = group("nature", facing="none", anchors="top")
NATURE("rock", "1faa8", (0.2, 1.5), wn="rock.n.01", syn="stone, boulder, rocks")
NATURE("shell", "1f41a", (0.03, 0.15), wn="seashell.n.01", syn="seashell")
NATURE("snowman", "2603-fe0f", (1.0, 1.8), plural="snowmen", wn="snowman.n.01")
NATURE("feather", "1fab6", (0.1, 0.3))
NATURE("nest", "1fab9", (0.1, 0.2), wn="nest.n.01")
NATURE("coral", "1fab8", (0.2, 1.0), wn="coral.n.04")

# ------------------------------------------------------------------------------ food
FOOD = group("food", facing="none", anchors="small")
FOOD("apple", {"": "1f34e", "green": "1f34f"}, (0.06, 0.1))
FOOD("banana", "1f34c", (0.03, 0.2), wn="banana.n.02", syn="bananas")
FOOD("orange", "1f34a", (0.06, 0.1), wn="orange.n.01", syn="tangerine, mandarin")
FOOD("lemon", "1f34b", (0.05, 0.08), wn="lemon.n.01")
FOOD("lime", "1f34b-200d-1f7e9", (0.04, 0.06), wn="lime.n.06")
FOOD("pear", "1f350", (0.08, 0.12))
FOOD("peach", "1f351", (0.05, 0.09), plural="peaches", wn="peach.n.03")
FOOD("cherry", "1f352", (0.02, 0.08), plural="cherries", wn="cherry.n.03")
FOOD("strawberry", "1f353", (0.02, 0.04), plural="strawberries")
FOOD("blueberry", "1fad0", (0.01, 0.03), plural="blueberries", wn="blueberry.n.02")
FOOD("grapes", "1f347", (0.1, 0.25), plural="grapes", wn="grape.n.01", syn="grape")
FOOD("watermelon", "1f349", (0.15, 0.3), wn="watermelon.n.02")
FOOD("melon", "1f348", (0.12, 0.2), wn="melon.n.01", syn="cantaloupe")
FOOD("pineapple", "1f34d", (0.2, 0.35), wn="pineapple.n.02")
FOOD("mango", "1f96d", (0.08, 0.15), plural="mangoes", wn="mango.n.02")
FOOD("kiwi", "1f95d", (0.05, 0.08), wn="kiwi.n.03", syn="kiwifruit")
FOOD("coconut", "1f965", (0.15, 0.25), wn="coconut.n.01")
FOOD("tomato", "1f345", (0.04, 0.09), plural="tomatoes", wn="tomato.n.01")
FOOD("olive", "1fad2", (0.01, 0.03), wn="olive.n.04")
FOOD("avocado", "1f951", (0.08, 0.12), wn="avocado.n.01")
FOOD("eggplant", "1f346", (0.12, 0.25), wn="eggplant.n.01", syn="aubergine")
FOOD("potato", "1f954", (0.04, 0.1), plural="potatoes", wn="potato.n.01")
FOOD("sweet potato", "1f360", (0.05, 0.1), plural="sweet potatoes", wn="sweet_potato.n.02")
FOOD("carrot", "1f955", (0.1, 0.25), wn="carrot.n.03")
FOOD("corn", "1f33d", (0.15, 0.25), wn="corn.n.03", syn="ear of corn, maize, corn cob")
FOOD("chili pepper", "1f336-fe0f", (0.04, 0.12), wn="chili.n.02", syn="hot pepper, chili")
FOOD("bell pepper", "1fad1", (0.07, 0.12), wn="sweet_pepper.n.02", syn="pepper, capsicum")
FOOD("cucumber", "1f952", (0.15, 0.3), wn="cucumber.n.02", syn="pickle")
FOOD("lettuce", "1f96c", (0.1, 0.25), wn="lettuce.n.03", syn="leafy green, greens, cabbage")
FOOD("broccoli", "1f966", (0.1, 0.2), plural="broccoli", wn="broccoli.n.02",
     syn="vegetable, vegetables, veggie")
FOOD("garlic", "1f9c4", (0.03, 0.06), plural="garlic", wn="garlic.n.02")
FOOD("onion", "1f9c5", (0.05, 0.1), wn="onion.n.03")
FOOD("peanut", "1f95c", (0.02, 0.05), wn="peanut.n.04", syn="peanuts")
FOOD("chestnut", "1f330", (0.02, 0.04), wn="chestnut.n.03")
FOOD("beans", "1fad8", (0.01, 0.03), plural="beans", wn="bean.n.01", syn="bean")
FOOD("pea pod", "1fadb", (0.05, 0.1), wn="pea.n.01", syn="peas, pea")
FOOD("ginger", "1fada", (0.03, 0.08), plural="ginger", wn="ginger.n.02")
FOOD("bread", "1f35e", (0.08, 0.15), plural="bread", syn="loaf, toast")
FOOD("croissant", "1f950", (0.04, 0.08))
FOOD("baguette", "1f956", (0.05, 0.7), wn="french_bread.n.01", syn="french bread")
FOOD("pretzel", "1f968", (0.02, 0.12))
FOOD("bagel", "1f96f", (0.03, 0.05))
FOOD("pancake", "1f95e", (0.03, 0.12), syn="pancakes")
FOOD("waffle", "1f9c7", (0.01, 0.03))
FOOD("cheese", "1f9c0", (0.03, 0.1), plural="cheese")
FOOD("meat", "1f356", (0.04, 0.15), plural="meat", syn="meat on bone, steak")
FOOD("drumstick", "1f357", (0.04, 0.15), wn="chicken.n.01", syn="chicken leg, poultry leg")
FOOD("bacon", "1f953", (0.005, 0.02), plural="bacon")
FOOD("hamburger", "1f354", (0.06, 0.12), syn="burger, cheeseburger, sandwich")
FOOD("french fries", "1f35f", (0.1, 0.18), plural="french fries", wn="french_fries.n.01",
     syn="fries, chips")
FOOD("pizza", "1f355", (0.01, 0.05), syn="pizza slice, slice of pizza")
FOOD("hot dog", "1f32d", (0.04, 0.08), wn="hotdog.n.02", syn="hotdog")
FOOD("sandwich", "1f96a", (0.04, 0.1), plural="sandwiches", syn="sub")
FOOD("taco", "1f32e", (0.05, 0.1), wn="taco.n.02")
FOOD("burrito", "1f32f", (0.05, 0.08))
FOOD("egg", "1f95a", (0.04, 0.06), wn="egg.n.02", syn="eggs")
FOOD("fried egg", "1f373", (0.01, 0.05), wn="fried_egg.n.01", syn="frying pan, skillet, pan")
FOOD("salad", "1f957", (0.06, 0.15))
FOOD("popcorn", "1f37f", (0.1, 0.25), plural="popcorn", wn="popcorn.n.02")
FOOD("butter", "1f9c8", (0.02, 0.05), plural="butter")
FOOD("rice", "1f35a", (0.05, 0.1), plural="rice", wn="rice.n.01", syn="bowl of rice")
FOOD("curry", "1f35b", (0.03, 0.08), plural="curries")
FOOD("noodles", "1f35c", (0.08, 0.15), plural="noodles", wn="noodle.n.01",
     syn="ramen, noodle soup")
FOOD("spaghetti", "1f35d", (0.03, 0.08), plural="spaghetti", syn="pasta")
FOOD("sushi", "1f363", (0.02, 0.05), plural="sushi")
FOOD("dumpling", "1f95f", (0.02, 0.05), wn="dumpling.n.01")
FOOD("bento", "1f371", (0.04, 0.08), plural="bentos", wn="meal.n.01",
     syn="food, meal, lunch, lunch box, bento box")
FOOD("stew", "1f372", (0.1, 0.25), wn="stew.n.02", syn="soup, pot of food")
FOOD("ice cream", "1f366", (0.1, 0.2), plural="ice creams", syn="ice cream cone, cone")
FOOD("sundae", "1f368", (0.08, 0.15), wn="sundae.n.01")
FOOD("doughnut", "1f369", (0.03, 0.05), wn="doughnut.n.02", syn="donut")
FOOD("cookie", "1f36a", (0.01, 0.02), syn="biscuit")
FOOD("cake", {"": "1f382", "slice": "1f370"}, (0.08, 0.25), wn="cake.n.03",
     syn="birthday cake, shortcake")
FOOD("cupcake", "1f9c1", (0.05, 0.1))
FOOD("pie", "1f967", (0.03, 0.06))
FOOD("chocolate", "1f36b", (0.01, 0.02), plural="chocolates", wn="chocolate.n.02",
     syn="chocolate bar, candy bar")
FOOD("candy", "1f36c", (0.01, 0.03), plural="candies", syn="sweet")
FOOD("lollipop", "1f36d", (0.1, 0.2))
FOOD("honey", "1f36f", (0.08, 0.15), plural="honey", syn="honey pot")
FOOD("coffee", "2615", (0.07, 0.12), plural="coffees", wn="coffee.n.01",
     syn="cup of coffee, hot drink, tea, mug")
FOOD("milk", "1f95b", (0.1, 0.16), plural="milk", wn="milk.n.01", syn="glass of milk")
FOOD("wine", "1f377", (0.15, 0.22), plural="wines", wn="wine.n.01", syn="wine glass")
FOOD("cocktail", "1f378", (0.12, 0.2), syn="martini")
FOOD("tropical drink", "1f379", (0.12, 0.2), wn="mixed_drink.n.01", syn="drink")
FOOD("beer", "1f37a", (0.12, 0.2), wn="beer.n.01", syn="beer mug, mug")
FOOD("soda", "1f964", (0.12, 0.25), wn="soda.n.02", syn="cup with straw, soft drink, drink")
FOOD("juice box", "1f9c3", (0.08, 0.12), plural="juice boxes", wn="juice.n.01", syn="juice")
FOOD("bubble tea", "1f9cb", (0.12, 0.2), wn="tea.n.01")
FOOD("canned food", "1f96b", (0.07, 0.15), plural="canned food", wn="canned_food.n.01",
     syn="can, tin")

# ------------------------------------------------------------------------------ kitchenware
KITCHEN = group("kitchenware", facing="none", anchors="top")
KITCHEN("glass", "1f943", (0.08, 0.15), plural="glasses", wn="glass.n.02",
        syn="tumbler, drinking glass")
KITCHEN("cup", "1f375", (0.06, 0.12), wn="cup.n.01", syn="teacup")
KITCHEN("bowl", "1f963", (0.05, 0.12), wn="bowl.n.03", syn="cereal bowl, bowl of cereal")
KITCHEN("plate", "1f37d-fe0f", (0.02, 0.05), wn="plate.n.04",
        syn="dish, place setting, dinner plate")
KITCHEN("fork", "1f374", (0.15, 0.22), wn="fork.n.01",
        syn="knife and fork, cutlery, silverware, utensil")
KITCHEN("spoon", "1f944", (0.12, 0.2), wn="spoon.n.01")
KITCHEN("knife", "1f52a", (0.2, 0.35), plural="knives", wn="knife.n.01",
        syn="kitchen knife")
KITCHEN("chopsticks", "1f962", (0.2, 0.27), plural="chopsticks", wn="chopstick.n.01",
        syn="chopstick")
KITCHEN("bottle", {"champagne": "1f37e", "lotion": "1f9f4"}, (0.15, 0.35),
        syn="wine bottle, champagne")
KITCHEN("baby bottle", "1f37c", (0.12, 0.2), wn="feeding_bottle.n.01")
KITCHEN("teapot", "1fad6", (0.12, 0.25), wn="teapot.n.01", syn="kettle")
KITCHEN("jar", "1fad9", (0.08, 0.2), wn="jar.n.01")
KITCHEN("vase", "1f3fa", (0.2, 0.6), wn="vase.n.01", syn="amphora, urn")
KITCHEN("pot", "1f958", (0.05, 0.15), wn="pan.n.01", syn="pan, paella, shallow pan")
KITCHEN("takeout box", "1f961", (0.08, 0.12), plural="takeout boxes", wn="carton.n.02",
        syn="takeout, carton")

# ------------------------------------------------------------------------------ vehicles
VEHICLE = group("vehicle", facing="left", anchors="vehicle")
VEHICLE("car", {"": "1f697", "front": "1f698"}, (1.3, 1.7), syn="automobile, auto, sedan",
        facing={"": "left", "front": "front"})
VEHICLE("taxi", {"": "1f695", "front": "1f696"}, (1.4, 1.7), syn="cab, taxicab",
        facing={"": "left", "front": "front"})
VEHICLE("police car", {"": "1f693", "front": "1f694"}, (1.4, 1.8), wn="police_cruiser.n.01",
        syn="cruiser, patrol car", facing={"": "left", "front": "front"})
VEHICLE("suv", "1f699", (1.6, 2.0), plural="suvs", wn="recreational_vehicle.n.01",
        syn="sport utility vehicle, jeep")
VEHICLE("pickup truck", "1f6fb", (1.7, 2.0), wn="pickup.n.01", syn="pickup")
VEHICLE("truck", {"": "1f69a", "articulated": "1f69b"}, (2.5, 4.0),
        syn="lorry, delivery truck, semi")
VEHICLE("fire engine", "1f692", (2.8, 3.6), wn="fire_engine.n.01", syn="fire truck")
VEHICLE("ambulance", "1f691", (2.5, 3.0))
VEHICLE("bus", {"": "1f68c", "front": "1f68d"}, (2.8, 4.2), plural="buses",
        wn="bus.n.01", syn="coach, autobus", facing={"": "left", "front": "front"})
VEHICLE("trolleybus", "1f68e", (3.0, 3.5), syn="trolley")
VEHICLE("minibus", "1f690", (2.0, 2.8), plural="minibuses", syn="van")
VEHICLE("tractor", "1f69c", (2.0, 3.0), wn="tractor.n.01", facing="left")
VEHICLE("racing car", "1f3ce-fe0f", (1.0, 1.3), wn="racer.n.02", syn="race car")
VEHICLE("motorcycle", "1f3cd-fe0f", (1.0, 1.5), syn="motorbike, moped", anchors="ride")
VEHICLE("motor scooter", "1f6f5", (1.0, 1.4), wn="motor_scooter.n.01", syn="scooter, vespa",
        anchors="ride")
VEHICLE("bicycle", "1f6b2", (0.9, 1.2), syn="bike, cycle", anchors="ride")
VEHICLE("kick scooter", "1f6f4", (0.8, 1.2), wn="scooter.n.02", anchors="ride")
VEHICLE("auto rickshaw", "1f6fa", (1.6, 2.0), wn="rickshaw.n.01", syn="tuk tuk, rickshaw")
VEHICLE("train", {"": "1f686", "high-speed": "1f684", "bullet": "1f685"}, (3.5, 4.5),
        wn="train.n.01", syn="railway, passenger train",
        facing={"": "front", "high-speed": "left", "bullet": "left"})
VEHICLE("locomotive", "1f682", (3.5, 4.5), syn="engine, steam engine",
        wn="locomotive.n.01")
VEHICLE("railway car", "1f683", (3.5, 4.3), wn="car.n.02", syn="train car, carriage, wagon")
VEHICLE("subway", "1f687", (3.2, 4.0), wn="subway_train.n.01", syn="metro, subway train",
        facing="front")
VEHICLE("tram", {"": "1f68a", "car": "1f68b"}, (3.0, 4.0), wn="streetcar.n.01",
        syn="streetcar, trolley car, light rail", facing={"": "front", "car": "left"})
VEHICLE("airplane", {"": "2708-fe0f", "small": "1f6e9-fe0f", "departure": "1f6eb"},
        (4.0, 20.0), wn="airplane.n.01", syn="plane, aeroplane, jet, aircraft, airliner",
        facing="none")
VEHICLE("helicopter", "1f681", (3.0, 5.0), syn="chopper")
VEHICLE("rocket", "1f680", (20.0, 100.0), wn="rocket.n.01", syn="spaceship",
        facing="none")
VEHICLE("sailboat", "26f5", (5.0, 15.0), wn="sailboat.n.01", syn="sailing boat, yacht")
VEHICLE("boat", {"": "1f6e5-fe0f", "speedboat": "1f6a4"}, (1.5, 4.0), wn="boat.n.01",
        syn="motorboat, speedboat")
VEHICLE("canoe", "1f6f6", (0.4, 0.8), syn="kayak")
VEHICLE("ship", {"": "1f6f3-fe0f", "ferry": "26f4-fe0f"}, (10.0, 50.0), wn="ship.n.01",
        syn="cruise ship, ferry, liner")
VEHICLE("wheel", "1f6de", (0.5, 1.0), wn="wheel.n.01", syn="tire, tyre, tires",
        facing="none", anchors="none")
VEHICLE("sled", "1f6f7", (0.2, 0.5), wn="sled.n.01", syn="sledge, toboggan")

# ------------------------------------------------------------------------------ furniture
FURNITURE = group("furniture", facing="front", anchors="seat")
FURNITURE("chair", "1fa91", (0.8, 1.1), syn="seat, stool")
FURNITURE("couch", "1f6cb-fe0f", (0.7, 1.0), plural="couches", wn="sofa.n.01",
          syn="sofa")
FURNITURE("bed", "1f6cf-fe0f", (0.5, 1.0), syn="mattress", facing="none",
          anchors="bed")
FURNITURE("wheelchair", "1f9bd", (0.9, 1.1), facing="left")
FURNITURE("airplane seat", "1f4ba", (1.0, 1.2), wn="seat.n.03", syn="seat, passenger seat")
FURNITURE("toilet", "1f6bd", (0.7, 0.85), wn="toilet.n.02", syn="toilet bowl, loo",
          anchors="seat")
FURNITURE("bathtub", "1f6c1", (0.5, 0.7), syn="tub, bath, bathroom", anchors="top")
FURNITURE("shower", "1f6bf", (0.15, 0.3), wn="shower.n.01", syn="shower head",
          anchors="hang", facing="none")

# ------------------------------------------------------------------------------ household
HOUSE = group("household", facing="none", anchors="top")
HOUSE("door", "1f6aa", (2.0, 2.3), wn="door.n.01", syn="doorway")
HOUSE("window", "1fa9f", (0.8, 1.8), wn="window.n.01", syn="windows, window pane")
HOUSE("mirror", "1fa9e", (0.4, 1.2))
HOUSE("lamp", "1fa94", (0.05, 0.12), wn="lamp.n.02", syn="oil lamp, diya")
HOUSE("lantern", "1f3ee", (0.3, 0.6), syn="paper lantern")
HOUSE("light bulb", "1f4a1", (0.08, 0.15), wn="light_bulb.n.01", syn="light, bulb, lights")
HOUSE("candle", "1f56f-fe0f", (0.1, 0.3))
HOUSE("flashlight", "1f526", (0.15, 0.3), wn="flashlight.n.01", syn="torch")
HOUSE("clock", {"": "1f570-fe0f", "alarm": "23f0"}, (0.15, 0.4), syn="alarm clock")
HOUSE("hourglass", "231b", (0.1, 0.3), plural="hourglasses")
HOUSE("stopwatch", "23f1-fe0f", (0.05, 0.08), plural="stopwatches")
HOUSE("thermometer", "1f321-fe0f", (0.1, 0.3))
HOUSE("basket", "1f9fa", (0.2, 0.4), syn="laundry basket")
HOUSE("bucket", "1faa3", (0.25, 0.4), syn="pail")
HOUSE("broom", "1f9f9", (1.2, 1.5))
HOUSE("soap", "1f9fc", (0.03, 0.06), plural="soap")
HOUSE("sponge", "1f9fd", (0.03, 0.06), wn="sponge.n.01")
HOUSE("toothbrush", "1faa5", (0.15, 0.2), plural="toothbrushes")
HOUSE("toilet paper", "1f9fb", (0.1, 0.12), plural="toilet paper", wn="toilet_tissue.n.01",
      syn="paper towel, roll of paper, tissue")
HOUSE("plunger", "1faa0", (0.4, 0.6), wn="plunger.n.03")
HOUSE("razor", "1fa92", (0.1, 0.2))
HOUSE("key", "1f511", (0.05, 0.08), wn="key.n.01", syn="keys")
HOUSE("lock", "1f512", (0.04, 0.1), wn="lock.n.01", syn="padlock")
HOUSE("box", "1f4e6", (0.2, 0.6), plural="boxes", wn="box.n.01",
      syn="package, parcel, carton, cardboard box")
HOUSE("gift", "1f381", (0.1, 0.4), wn="present.n.02", syn="present, gift box")
HOUSE("balloon", "1f388", (0.25, 0.4), anchors="hang")
HOUSE("teddy bear", "1f9f8", (0.2, 0.6), syn="stuffed animal, toy, teddy")
HOUSE("kite", "1fa81", (0.6, 1.2), wn="kite.n.03")
HOUSE("yo-yo", "1fa80", (0.05, 0.07), wn="yo-yo.n.01")
HOUSE("pinata", "1fa85", (0.4, 0.8), wn="pinata.n.01")
HOUSE("fire extinguisher", "1f9ef", (0.4, 0.7))
HOUSE("ladder", "1fa9c", (1.5, 4.0))
HOUSE("wastebasket", "1f5d1-fe0f", (0.3, 0.5), wn="wastebasket.n.01",
      syn="trash can, garbage can, bin, trash")
HOUSE("book", {"": "1f4d5", "open": "1f4d6", "green": "1f4d7", "blue": "1f4d8",
               "orange": "1f4d9"}, (0.15, 0.3), syn="novel, books, notebook")
HOUSE("books", "1f4da", (0.1, 0.4), plural="books", wn="book.n.02", syn="stack of books")
HOUSE("newspaper", "1f4f0", (0.3, 0.6), syn="magazine")
HOUSE("paper", "1f4c4", (0.21, 0.3), plural="papers", wn="paper.n.01",
      syn="page, document, sheet of paper")
HOUSE("scroll", "1f4dc", (0.2, 0.5))
HOUSE("envelope", "2709-fe0f", (0.1, 0.2), wn="envelope.n.01", syn="mail")
HOUSE("clipboard", "1f4cb", (0.25, 0.35))
HOUSE("calendar", "1f4c5", (0.2, 0.4), wn="calendar.n.02")
HOUSE("pencil", "270f-fe0f", (0.15, 0.19))
HOUSE("pen", "1f58a-fe0f", (0.13, 0.15), wn="pen.n.01")
HOUSE("crayon", "1f58d-fe0f", (0.08, 0.1))
HOUSE("paintbrush", "1f58c-fe0f", (0.15, 0.3), plural="paintbrushes")
HOUSE("scissors", "2702-fe0f", (0.15, 0.25), plural="scissors", syn="scissor")
HOUSE("ruler", "1f4cf", (0.3, 0.3), wn="rule.n.12")
HOUSE("pushpin", "1f4cc", (0.01, 0.02), syn="thumbtack, pin")
HOUSE("paperclip", "1f4ce", (0.02, 0.05), wn="paper_clip.n.01", syn="paper clip")
HOUSE("briefcase", "1f4bc", (0.3, 0.45), syn="case", anchors="hang")
HOUSE("luggage", "1f9f3", (0.5, 0.8), plural="luggage", syn="suitcase, baggage",
      anchors="hang")
HOUSE("file folder", "1f4c1", (0.2, 0.3), wn="folder.n.02", syn="folder")
HOUSE("magnifying glass", "1f50d", (0.15, 0.25), plural="magnifying glasses",
      wn="magnifier.n.01", syn="magnifier")
HOUSE("money bag", "1f4b0", (0.2, 0.4), wn="purse.n.02", syn="sack, moneybag")

# ------------------------------------------------------------------------------ electronics
ELEC = group("electronics", facing="none", anchors="top")
ELEC("phone", "1f4f1", (0.12, 0.16), wn="cellular_telephone.n.01",
     syn="cell phone, cellphone, mobile phone, smartphone, mobile")
ELEC("telephone", "260e-fe0f", (0.1, 0.2), wn="telephone.n.01", syn="landline")
ELEC("laptop", "1f4bb", (0.2, 0.3), syn="notebook computer, computer, laptops")
ELEC("computer", "1f5a5-fe0f", (0.35, 0.6), wn="computer.n.01",
     syn="desktop computer, monitor, screen, computer monitor, display")
ELEC("keyboard", "2328-fe0f", (0.02, 0.04), wn="computer_keyboard.n.01",
     syn="computer keyboard")
ELEC("computer mouse", "1f5b1-fe0f", (0.03, 0.04), plural="computer mice", wn="mouse.n.04")
ELEC("printer", "1f5a8-fe0f", (0.2, 0.4), wn="printer.n.03")
ELEC("television", "1f4fa", (0.4, 1.0), wn="television_receiver.n.01",
     syn="tv, television set, tv screen")
ELEC("radio", "1f4fb", (0.15, 0.3), wn="radio.n.01")
ELEC("camera", "1f4f7", (0.08, 0.15), wn="camera.n.01")
ELEC("video camera", "1f4f9", (0.1, 0.2), wn="television_camera.n.01", syn="camcorder")
ELEC("movie camera", "1f3a5", (0.3, 0.6), wn="motion-picture_camera.n.01")
ELEC("headphones", "1f3a7", (0.15, 0.25), plural="headphones", wn="earphone.n.01",
     syn="headphone, headset")
ELEC("microphone", "1f3a4", (0.15, 0.25), syn="mic")
ELEC("battery", "1f50b", (0.04, 0.1), plural="batteries", wn="battery.n.02")
ELEC("plug", "1f50c", (0.04, 0.08), wn="plug.n.05", syn="electric plug, cord")
ELEC("game controller", "1f3ae", (0.05, 0.08), wn="joystick.n.01", syn="controller")
ELEC("satellite dish", "1f4e1", (0.5, 1.5), plural="satellite dishes", wn="dish.n.05",
     syn="antenna")
ELEC("traffic light", {"": "1f6a6", "horizontal": "1f6a5"}, (0.8, 1.2),
     wn="traffic_light.n.01", syn="stoplight, traffic signal")

# ------------------------------------------------------------------------------ clothing
CLOTH = group("clothing", facing="front", anchors="worn_body")
CLOTH("shirt", "1f455", (0.6, 0.8), wn="shirt.n.01", syn="t-shirt, tee, tshirt, tee shirt")
CLOTH("jeans", "1f456", (0.9, 1.1), plural="jeans", wn="jean.n.01",
      syn="jean, pants, pant, trousers, denim")
CLOTH("shorts", "1fa73", (0.3, 0.5), plural="shorts", wn="short_pants.n.01",
      syn="short, swim trunks")
CLOTH("dress", "1f457", (0.8, 1.3), plural="dresses", wn="dress.n.01", syn="gown")
CLOTH("coat", "1f9e5", (0.7, 1.1), wn="coat.n.01", syn="jacket, overcoat, parka")
CLOTH("lab coat", "1f97c", (0.9, 1.1), syn="white coat")
CLOTH("vest", "1f9ba", (0.5, 0.7), wn="vest.n.01", syn="safety vest")
CLOTH("tie", "1f454", (0.4, 0.6), wn="necktie.n.01", syn="necktie")
CLOTH("scarf", "1f9e3", (0.8, 1.8), plural="scarves")
CLOTH("glove", "1f9e4", (0.2, 0.3), syn="gloves, mitten")
CLOTH("sock", "1f9e6", (0.2, 0.4), syn="socks")
CLOTH("kimono", "1f458", (1.3, 1.6), syn="robe, bathrobe")
CLOTH("sari", "1f97b", (1.3, 1.6), wn="sari.n.01")
CLOTH("swimsuit", "1fa71", (0.6, 0.8), wn="swimsuit.n.01", syn="bathing suit")
CLOTH("bikini", "1f459", (0.4, 0.6), wn="bikini.n.02")
CLOTH("briefs", "1fa72", (0.2, 0.3), plural="briefs", wn="brief.n.02",
      syn="underwear, swim briefs")
CLOTH("blouse", "1f45a", (0.5, 0.7), wn="blouse.n.01", syn="top")
CLOTH("running shirt", "1f3bd", (0.6, 0.8), wn="jersey.n.03", syn="jersey, tank top, sash")
FEET = group("clothing", facing="left", anchors="worn_feet")
FEET("shoe", {"": "1f45e", "flat": "1f97f"}, (0.08, 0.15), wn="shoe.n.01",
     syn="shoes, dress shoe")
FEET("sneaker", "1f45f", (0.1, 0.15), wn="gym_shoe.n.01",
     syn="sneakers, running shoe, trainer, tennis shoe")
FEET("boot", {"": "1f97e", "woman's": "1f462"}, (0.15, 0.5), wn="boot.n.01",
     syn="boots, hiking boot")
FEET("high heel", "1f460", (0.1, 0.2), wn="pump.n.03", syn="high-heeled shoe, heels")
FEET("sandal", {"": "1f461", "flip-flop": "1fa74"}, (0.03, 0.1), syn="flip-flop, thong",
     facing={"flip-flop": "none", "": "left"})
FEET("ballet shoes", "1fa70", (0.05, 0.1), plural="ballet shoes", wn="slipper.n.01",
     syn="ballet shoe, slipper", facing="none")
FEET("ice skate", "26f8-fe0f", (0.25, 0.35), wn="ice_skate.n.01", syn="skate")
FEET("roller skate", "1f6fc", (0.2, 0.3), syn="skates, rollerskate", facing="none")
HEAD = group("clothing", facing="front", anchors="worn_head")
HEAD("hat", {"": "1f452", "top": "1f3a9", "cowboy": "1f920"}, (0.1, 0.25),
     wn="hat.n.01", syn="sun hat, top hat, cowboy hat")
HEAD("cap", "1f9e2", (0.08, 0.15), wn="cap.n.01", syn="baseball cap, ball cap")
HEAD("graduation cap", "1f393", (0.08, 0.12), wn="mortarboard.n.02", syn="mortarboard")
HEAD("helmet", {"": "1fa96", "rescue": "26d1-fe0f"}, (0.2, 0.3), wn="helmet.n.02",
     syn="hard hat, military helmet")
HEAD("crown", "1f451", (0.1, 0.3), wn="crown.n.07", syn="tiara")
HEAD("glasses", "1f453", (0.04, 0.06), plural="glasses", wn="spectacles.n.01",
     syn="eyeglasses, spectacles")
HEAD("sunglasses", "1f576-fe0f", (0.04, 0.06), plural="sunglasses", wn="dark_glasses.n.01",
     syn="shades")
HEAD("goggles", "1f97d", (0.05, 0.08), plural="goggles", wn="goggles.n.01")

# ------------------------------------------------------------------------------ accessories
ACC = group("accessory", facing="none", anchors="hang")
ACC("bag", {"": "1f45c", "shopping": "1f6cd-fe0f", "clutch": "1f45d"}, (0.2, 0.45),
    wn="bag.n.04", syn="handbag, purse, shopping bag, bags")
ACC("purse", "1f45b", (0.1, 0.15), wn="purse.n.01", syn="wallet, coin purse")
ACC("backpack", "1f392", (0.35, 0.55), syn="rucksack, school bag, knapsack")
ACC("umbrella", {"": "2602-fe0f", "closed": "1f302", "beach": "26f1-fe0f"}, (0.6, 2.5),
    syn="parasol, umbrellas")
ACC("ring", "1f48d", (0.01, 0.03), wn="ring.n.08")
ACC("gem", "1f48e", (0.01, 0.03), wn="gem.n.02", syn="diamond, jewel")
ACC("lipstick", "1f484", (0.05, 0.08))
ACC("watch", "231a", (0.03, 0.05), plural="watches", wn="watch.n.01", syn="wristwatch")

# ------------------------------------------------------------------------------ sports
SPORTS = group("sports", facing="none", anchors="small")
SPORTS("soccer ball", "26bd", (0.21, 0.23), wn="soccer_ball.n.01", syn="ball")
SPORTS("basketball", "1f3c0", (0.23, 0.25), wn="basketball.n.02", syn="ball")
SPORTS("american football", "1f3c8", (0.17, 0.18), wn="football.n.02", syn="football")
SPORTS("baseball", "26be", (0.07, 0.08), wn="baseball.n.02", syn="ball")
SPORTS("softball", "1f94e", (0.09, 0.1), wn="softball.n.01")
SPORTS("tennis ball", "1f3be", (0.06, 0.07), wn="tennis_ball.n.01", syn="ball")
SPORTS("volleyball", "1f3d0", (0.2, 0.22), wn="volleyball.n.02")
SPORTS("rugby ball", "1f3c9", (0.18, 0.2), wn="rugby_ball.n.01")
SPORTS("bowling ball", "1f3b3", (0.2, 0.22), wn="bowling_ball.n.01", syn="bowling pins")
SPORTS("billiard ball", "1f3b1", (0.05, 0.06), wn="billiard_ball.n.01", syn="pool ball")
SPORTS("racket", "1f3f8", (0.6, 0.7), wn="racket.n.04",
       syn="racquet, badminton racket, tennis racket, shuttlecock")
SPORTS("cricket bat", "1f3cf", (0.8, 0.97), wn="cricket_bat.n.01")
SPORTS("hockey stick", "1f3d1", (0.9, 1.0), wn="hockey_stick.n.01", syn="field hockey")
SPORTS("ice hockey stick", "1f3d2", (1.4, 1.6), wn="hockey_stick.n.01", syn="puck")
SPORTS("lacrosse stick", "1f94d", (1.0, 1.8), wn="stick.n.01")
SPORTS("ping pong paddle", "1f3d3", (0.25, 0.27), wn="paddle.n.01",
       syn="paddle, table tennis bat")
SPORTS("boxing glove", "1f94a", (0.25, 0.35), wn="boxing_glove.n.01")
SPORTS("goal net", "1f945", (1.8, 2.5), wn="goal.n.03", syn="goal, net")
SPORTS("fishing rod", "1f3a3", (1.5, 3.0), wn="fishing_rod.n.01", syn="fishing pole")
SPORTS("diving mask", "1f93f", (0.1, 0.15), wn="mask.n.04", syn="snorkel")
SPORTS("skis", "1f3bf", (1.5, 1.9), plural="skis", wn="ski.n.01", syn="ski, ski poles")
SPORTS("skateboard", "1f6f9", (0.1, 0.15), wn="skateboard.n.01", syn="board")
SPORTS("flying disc", "1f94f", (0.02, 0.03), wn="frisbee.n.01", syn="frisbee, disc")
SPORTS("boomerang", "1fa83", (0.3, 0.5))
SPORTS("bow and arrow", "1f3f9", (1.2, 1.8), plural="bows and arrows", wn="bow.n.04",
       syn="bow, arrow")
SPORTS("trophy", "1f3c6", (0.2, 0.6), plural="trophies")
SPORTS("medal", "1f3c5", (0.05, 0.08), wn="decoration.n.02")
SPORTS("dartboard", "1f3af", (0.45, 0.45), wn="dartboard.n.01", syn="target, dart")
SPORTS("curling stone", "1f94c", (0.11, 0.12), wn="stone.n.02")
SPORTS("flag", {"": "1f3f3-fe0f", "black": "1f3f4", "triangular": "1f6a9",
                "chequered": "1f3c1", "golf": "26f3"}, (1.0, 3.0), wn="flag.n.01",
       syn="banner, flags", anchors="hang")
SPORTS("tent", "26fa", (1.2, 2.5), wn="tent.n.01", anchors="top")

# ------------------------------------------------------------------------------ music
MUSIC = group("music", facing="none", anchors="held")
MUSIC("guitar", "1f3b8", (0.9, 1.05))
MUSIC("violin", "1f3bb", (0.55, 0.62), syn="fiddle")
MUSIC("piano", "1f3b9", (0.1, 1.0), wn="piano.n.01", syn="musical keyboard")
MUSIC("trumpet", "1f3ba", (0.12, 0.5), wn="cornet.n.01")
MUSIC("saxophone", "1f3b7", (0.6, 0.9), syn="sax")
MUSIC("drum", "1f941", (0.3, 0.6), wn="drum.n.01")
MUSIC("banjo", "1fa95", (0.8, 1.0), plural="banjos")
MUSIC("accordion", "1fa97", (0.3, 0.5))
MUSIC("flute", "1fa88", (0.6, 0.7), wn="flute.n.01")
MUSIC("bell", "1f514", (0.1, 0.4), wn="bell.n.01")

# ------------------------------------------------------------------------------ tools
TOOL = group("tool", facing="none", anchors="held")
TOOL("hammer", "1f528", (0.25, 0.4), wn="hammer.n.02")
TOOL("axe", "1fa93", (0.4, 0.9), syn="ax, hatchet")
TOOL("pick", "26cf-fe0f", (0.6, 0.9), wn="pick.n.05", syn="pickaxe")
TOOL("wrench", "1f527", (0.15, 0.4), plural="wrenches", syn="spanner")
TOOL("screwdriver", "1fa9b", (0.15, 0.3))
TOOL("saw", "1fa9a", (0.4, 0.7), wn="saw.n.02", syn="handsaw")
TOOL("nut and bolt", "1f529", (0.03, 0.08), plural="nuts and bolts", wn="bolt.n.06",
     syn="bolt, screw")
TOOL("gear", "2699-fe0f", (0.05, 0.5), wn="gear.n.01", syn="cog")
TOOL("toolbox", "1f9f0", (0.2, 0.3), plural="toolboxes", wn="toolbox.n.01")
TOOL("hook", "1fa9d", (0.05, 0.15), wn="hook.n.05", anchors="hang")
TOOL("magnet", "1f9f2", (0.05, 0.15))
TOOL("brick", "1f9f1", (0.2, 0.6), wn="brick.n.01", syn="bricks, brick wall, wall")
TOOL("syringe", "1f489", (0.08, 0.15), syn="needle")
TOOL("pill", "1f48a", (0.01, 0.02), wn="pill.n.02", syn="capsule, medicine")
TOOL("stethoscope", "1fa7a", (0.6, 0.8))
TOOL("test tube", "1f9ea", (0.1, 0.15), wn="test_tube.n.01")
TOOL("microscope", "1f52c", (0.3, 0.5))
TOOL("telescope", "1f52d", (0.5, 1.5))
TOOL("shield", "1f6e1-fe0f", (0.6, 1.0), wn="shield.n.02")
TOOL("anchor", "2693", (0.5, 1.5), wn="anchor.n.01")
TOOL("fuel pump", "26fd", (1.5, 2.0), wn="gasoline_pump.n.01", syn="gas pump, petrol pump")
TOOL("stop sign", "1f6d1", (2.0, 2.5), wn="street_sign.n.01", syn="sign, road sign, stop")
TOOL("construction sign", "1f6a7", (0.8, 1.2), wn="barrier.n.01",
     syn="barrier, roadblock, construction")
TOOL("bus stop", "1f68f", (2.2, 2.8), wn="signpost.n.01", syn="bus stop sign, signpost")
TOOL("fountain", "26f2", (1.0, 4.0), wn="fountain.n.01")

# ------------------------------------------------------------------------------ buildings
BUILD = group("building", facing="front", anchors="top")
BUILD("house", {"": "1f3e0", "garden": "1f3e1"}, (5.0, 10.0), wn="house.n.01",
      syn="home, houses")
BUILD("building", "1f3e2", (10.0, 60.0), wn="building.n.01",
      syn="office building, office, skyscraper, buildings")
BUILD("hospital", "1f3e5", (10.0, 40.0), wn="hospital.n.01")
BUILD("bank", "1f3e6", (8.0, 30.0), wn="bank.n.09")
BUILD("hotel", "1f3e8", (10.0, 50.0), wn="hotel.n.01")
BUILD("school", "1f3eb", (8.0, 20.0), wn="school.n.02")
BUILD("store", "1f3ea", (4.0, 8.0), wn="shop.n.01", syn="shop, convenience store")
BUILD("factory", "1f3ed", (8.0, 30.0), plural="factories", wn="factory.n.01")
BUILD("castle", "1f3f0", (15.0, 50.0), wn="castle.n.02")
BUILD("church", "26ea", (10.0, 40.0), plural="churches", wn="church.n.02")
BUILD("hut", "1f6d6", (2.5, 5.0), wn="hut.n.01", syn="shack, cabin")
BUILD("tower", "1f5fc", (30.0, 300.0), wn="tower.n.01", syn="radio tower")
BUILD("stadium", "1f3df-fe0f", (20.0, 60.0), wn="stadium.n.01", syn="arena")
