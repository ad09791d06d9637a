"""The scene grammar: scene types, what spawns where, and what can stand on / sit on / sit in /
hang from / be held / be worn / be ridden by what.

Entries name categories by word (an atlas name, plural or synonym; :func:`resolve_words`
keeps those the atlas has) or by ``@group`` (every category of that atlas group). Templates
(keys of :data:`SCENES`' weight tables) are the object groups :mod:`.scene` knows how to
place: e.g. ``table_group`` = a table, chairs at it, people sitting at it holding things,
things on the table (some in a bowl or a vase).

Relation kinds: ``functional`` (support, containment, attachment: on, in, sitting on,
parked on, hanging from, mounted on, attached to, growing on, flying in, covered in, ...),
``interactional`` (holding, carrying, wearing, riding, using, eating, looking at, watching,
playing), ``part`` (part of, has, of, painted on, says), ``spatial`` (placed under / over /
against / along) and ``geometric`` (left of, right of, above, below, behind, in front of,
near: decided from the rendering).
"""

from __future__ import annotations

from collections.abc import Iterable
from types import MappingProxyType

# ---- what can go where (words; "@group" = every category of that group) ----

TABLE_TOP = (
    "cup",
    "mug",
    "plate",
    "bowl",
    "bottle",
    "wine glass",
    "glass",
    "apple",
    "banana",
    "orange",
    "pizza",
    "cake",
    "bread",
    "donut",
    "sandwich",
    "vase",
    "book",
    "laptop",
    "phone",
    "candle",
    "teapot",
    "hamburger",
    "croissant",
    "pear",
    "watermelon",
)
MEAL = (  # on a table seen close up
    "plate",
    "plate",
    "pizza",
    "fork",
    "knife",
    "spoon",
    "cup",
    "glass",
    "wine glass",
    "bowl",
    "bottle",
    "bread",
    "cake",
    "hamburger",
    "salad",
    "tomato",
    "apple",
    "orange",
    "teapot",
    "candle",
    "vase",
    "paper",
    "pot",
)
COUNTER_TOP = (
    "cup",
    "mug",
    "bowl",
    "bottle",
    "teapot",
    "pot",
    "kettle",
    "apple",
    "banana",
    "bread",
    "potted plant",
    "toaster",
    "microwave",
    "basket",
    "cheese",
    "egg",
    "pineapple",
    "glass",
    "tomato",
    "carrot",
    "eggplant",
    "potato",
    "bell pepper",
    "cucumber",
    "broccoli",
)
DESK_TOP = (
    "laptop",
    "computer",
    "desktop computer",
    "phone",
    "book",
    "cup",
    "lamp",
    "clock",
    "keyboard",
    "notebook",
    "pencil",
    "alarm clock",
    "mug",
    "potted plant",
)
OFFICE_ONLY = (
    "laptop", "computer", "desktop computer", "keyboard", "computer mouse", "printer",
    "telephone", "file folder", "video camera", "game controller", "headphones",
    "microphone", "coffee", "battery",
)  # fmt: skip
"""Desk things of an office, never on a classroom's desks: an office is told from a
classroom by its computers and phones (a classroom by its board), so the scene-type
question can be asked of both (``synthgen.world.scene_evidence``)."""
CLASSROOM_ONLY = ("crayon", "ruler", "paintbrush", "test tube", "microscope", "magnet")
"""Desk things of a classroom, never on an office's desks."""
DESK_COMPUTERS = ("desktop computer",)
"""What stands on every office desk (the first thing put on it): a desktop computer."""
SHELF_ITEMS = (
    "book",
    "books",
    "vase",
    "potted plant",
    "box",
    "clock",
    "cup",
    "teddy bear",
    "trophy",
    "globe",
    "candle",
    "alarm clock",
    "radio",
    "camera",
)
CABINET_TOP = (
    "lamp",
    "vase",
    "tv",
    "television",
    "clock",
    "potted plant",
    "radio",
    "book",
    "alarm clock",
)
CONTAINERS = {  # container word -> what goes in it
    "bowl": ("apple", "banana", "orange", "grapes", "pear", "lemon", "peach", "strawberry"),
    "basket": ("apple", "bread", "orange", "banana", "baguette", "tomato", "potato", "carrot"),
    "vase": ("flower", "tulip", "rose", "sunflower", "hibiscus", "cherry blossom"),
    "plate": ("pizza", "cake", "sandwich", "donut", "bread", "croissant", "hamburger", "cookie"),
}
SITTERS = ("man", "woman", "boy", "girl", "person", "child", "old man", "old woman")
WALKERS = SITTERS
SEATS = ("chair", "couch", "sofa", "armchair")
RIDES = {  # vehicle/animal -> riders, drawn sitting; "wearing helmet" is added for motorcycles
    # the only sitting art is cross-legged (lotus): on a saddle or a seat it reads as
    # riding; over a bicycle's frame it floats, and on a skateboard it hides the board
    # (skateboards are ridden standing: the "skater" rule; cyclists are one sprite)
    "horse": SITTERS,
    "motorcycle": SITTERS,
    "scooter": SITTERS,
    "elephant": SITTERS,
    "camel": SITTERS,
}
RIDE_ON_WATER = ("surfboard",)
HOLD = (
    "umbrella",
    "phone",
    "cup",
    "mug",
    "handbag",
    "bag",
    "ball",
    "book",
    "balloon",
    "flower",
    "ice cream",
    "bottle",
    "tennis racket",
    "racket",
    "kite",
    "camera",
    "pizza",
    "apple",
    "banana",
    "briefcase",
    "basket",
    "baseball bat",
    "soccer ball",
    "basketball",
)
CARRY = ("handbag", "bag", "briefcase", "basket", "box", "suitcase", "umbrella", "shopping bag")
PLAY = (
    "guitar",
    "violin",
    "trumpet",
    "saxophone",
    "accordion",
    "tennis racket",
    "racket",
    "soccer ball",
    "basketball",
    "ball",
    "banjo",
)
EAT_HELD = ("pizza", "ice cream", "apple", "banana", "hamburger", "donut", "sandwich", "hot dog")
WEAR_HEAD = ("hat", "cap", "top hat", "cowboy hat", "helmet", "crown", "billed cap")
BELOW_RIM = MappingProxyType({"helmet": 0.3})
"""Headwear whose art hangs below the rim (a helmet's chin strap), as a fraction of its
drawn width: it is set that much lower on the head, or it hovers over the hair."""
WEAR_FACE = ("glasses", "sunglasses", "goggles")
WEAR_BACK = ("backpack",)
WALL_MOUNT = ("clock", "picture", "framed picture", "painting", "mirror", "tv", "television")
HANG_CEILING = ("light", "light bulb", "lamp")
TREE_GROW = ("apple", "orange", "leaf", "pear", "lemon", "peach", "cherries", "flower")
FLYERS = (
    "bird",
    "kite",
    "airplane",
    "plane",
    "helicopter",
    "balloon",
    "butterfly",
    "eagle",
    "dove",
    "parrot",
    "bee",
)
GROUND_BIRDS = ("bird", "pigeon", "duck", "chicken", "rooster", "goose", "dove")
EATERS = {  # animal -> food at its mouth
    "horse": ("carrot", "apple"),
    "cow": ("carrot", "corn"),
    "sheep": ("carrot",),
    "goat": ("carrot", "apple"),
    "rabbit": ("carrot",),
    "pig": ("apple", "corn"),
    "dog": ("bone", "meat"),
    "cat": ("fish",),
    "monkey": ("banana",),
    "elephant": ("banana",),
    "giraffe": ("leaf",),
    "chicken": ("corn", "bread"),
    "bear": ("fish", "honey"),
    "mouse": ("cheese",),
    "squirrel": ("chestnut", "peanuts"),
}
BACK_OF = {
    "bird": ("cow", "horse", "sheep", "elephant", "pig", "rhino", "hippo", "buffalo"),
    "cat": ("dog",),
}
UNDER = ("cat", "dog", "ball", "soccer ball", "bag", "box", "backpack", "basket")
PETS = ("dog", "cat", "rabbit", "hamster", "parrot")
FARM_ANIMALS = (
    "cow",
    "horse",
    "sheep",
    "goat",
    "pig",
    "chicken",
    "duck",
    "rooster",
    "donkey",
    "turkey",
    "goose",
    "ox",
    "llama",
)
WILD_ANIMALS = ("elephant", "giraffe", "zebra", "bear", "deer", "camel")
PARKED = (
    "car",
    "truck",
    "bus",
    "taxi",
    "van",
    "police car",
    "bicycle",
    "bike",
    "motorcycle",
    "scooter",
    "pickup truck",
    "fire engine",
    "ambulance",
)
TREES = ("tree", "deciduous tree", "evergreen tree", "palm tree", "pine tree")
FLOOR_PLANTS = ("potted plant", "plant")
BEACH_THINGS = ("umbrella", "beach umbrella", "towel", "ball", "bucket", "shell", "crab")
SKI_THINGS = ("snowman",)
SOLO_ATHLETES = {"snow": ("skier", "snowboarder"), "water": ("surfer", "swimmer", "rower")}
BOATS = ("boat", "sailboat", "canoe", "ship", "speedboat")
WATCHABLE = ("tv", "television", "computer", "laptop")
USABLE = ("laptop", "computer", "desktop computer", "phone", "keyboard")
SCREENS = WATCHABLE

BED_CLOTHES = ("coat", "jeans", "tie", "shorts", "sock", "glove", "shirt", "dress")
FLOOR_SHOES = ("shoe", "sneaker", "boot")
# flat things (a plate, a pizza) seen from above the table: drawn at least this tall (m)
FLAT_MIN_M = {
    "plate": 0.1,
    "pizza": 0.09,
    "fork": 0.12,
    "knife": 0.12,
    "spoon": 0.1,
    "paper": 0.12,
    "pot": 0.12,
}

# ---- more of the atlas: further things each rule places (same rules, more categories) ----

TABLE_TOP += (
    "lemon",
    "peach",
    "grapes",
    "pineapple",
    "mango",
    "coconut",
    "avocado",
    "french fries",
    "hot dog",
    "taco",
    "burrito",
    "salad",
    "sushi",
    "bento",
    "noodles",
    "cupcake",
    "pie",
    "coffee",
    "milk",
    "wine",
    "beer",
    "soda",
    "juice box",
    "bubble tea",
    "cocktail",
    "tropical drink",
    "jar",
    "takeout box",
    "newspaper",
    "gift",
    "camera",
    "popcorn",
    "doughnut",
    "bagel",
    "pretzel",
    "cheese",
    "melon",
    "kiwi",
    "lollipop",
    "sundae",
)
MEAL += (
    "pancake",
    "waffle",
    "fried egg",
    "bacon",
    "rice",
    "curry",
    "stew",
    "dumpling",
    "sushi",
    "chopsticks",
    "spaghetti",
    "noodles",
    "drumstick",
    "meat",
    "sundae",
    "pie",
    "cupcake",
    "coffee",
    "beer",
    "wine",
    "french fries",
    "taco",
    "burrito",
    "hot dog",
    "bento",
    "soda",
    "milk",
    "butter",
    "corn",
)
COUNTER_TOP += (
    "lettuce",
    "onion",
    "garlic",
    "chili pepper",
    "sweet potato",
    "ginger",
    "corn",
    "milk",
    "jar",
    "canned food",
    "honey",
    "butter",
    "lime",
    "lemon",
    "avocado",
    "melon",
    "coconut",
    "mango",
    "baguette",
    "pea pod",
    "mushroom",
    "bagel",
    "kiwi",
    "peach",
    "sponge",
    "soap",
    "radio",
    "knife",
)
DESK_TOP += (
    "computer mouse",
    "printer",
    "telephone",
    "pen",
    "crayon",
    "scissors",
    "ruler",
    "file folder",
    "clipboard",
    "calendar",
    "envelope",
    "paper",
    "magnifying glass",
    "headphones",
    "microphone",
    "game controller",
    "hourglass",
    "stopwatch",
    "books",
    "radio",
    "video camera",
    "paintbrush",
    "coffee",
    "battery",
    "test tube",
    "microscope",
    "magnet",
)
SHELF_ITEMS += (
    "medal",
    "hourglass",
    "lantern",
    "jar",
    "bell",
    "gift",
    "toolbox",
    "basket",
    "yo-yo",
    "game controller",
    "headphones",
    "video camera",
    "movie camera",
    "telescope",
    "microscope",
    "shell",
    "coral",
    "baseball",
    "tennis ball",
    "american football",
    "rugby ball",
    "bowling ball",
    "volleyball",
    "boxing glove",
    "roller skate",
    "ice skate",
    "curling stone",
    "trumpet",
    "accordion",
    "drum",
    "magnet",
    "teapot",
    "money bag",
    "scroll",
    "file folder",
    "flashlight",
    "bowl",
    "pinata",
    "test tube",
    "lipstick",
    "watch",
    "gem",
)
CABINET_TOP += (
    "telephone",
    "printer",
    "lantern",
    "hourglass",
    "candle",
    "jar",
    "basket",
    "gift",
    "bowl",
    "box",
    "teddy bear",
    "video camera",
    "books",
    "bouquet",
)
HOLD += (
    "newspaper",
    "key",
    "coffee",
    "soda",
    "bubble tea",
    "juice box",
    "lollipop",
    "bouquet",
    "gift",
    "flashlight",
    "scroll",
    "envelope",
    "purse",
    "paper",
    "clipboard",
    "teddy bear",
    "headphones",
)
PLAY += (
    "drum",
    "flute",
    "volleyball",
    "american football",
    "rugby ball",
    "flying disc",
    "baseball",
    "tennis ball",
    "softball",
)
EAT_HELD += (
    "taco",
    "burrito",
    "lollipop",
    "cookie",
    "cupcake",
    "pretzel",
    "bagel",
    "drumstick",
    "corn",
    "sundae",
    "croissant",
    "doughnut",
)
WALL_MOUNT += (
    "calendar",
    "dartboard",
    "fire extinguisher",
)
HANG_CEILING += ("lantern",)
GROUND_BIRDS += (
    "chick",
    "turkey",
    "swan",
    "peacock",
    "flamingo",
)
PETS += ("turtle",)
FARM_ANIMALS += (
    "ram",
    "boar",
    "chick",
    "water buffalo",
    "bison",
)
WILD_ANIMALS += (
    "rhinoceros",
    "hippopotamus",
    "lion",
    "tiger",
    "kangaroo",
    "gorilla",
    "leopard",
    "dromedary",
    "ostrich",
)
PARKED += (
    "suv",
    "minibus",
    "trolleybus",
    "motor scooter",
    "kick scooter",
    "auto rickshaw",
)
BEACH_THINGS += (
    "volleyball",
    "sandal",
    "tent",
    "coconut",
)
BED_CLOTHES += (
    "vest",
    "scarf",
    "blouse",
    "running shirt",
)
FLOOR_SHOES += (
    "high heel",
    "sandal",
    "ballet shoes",
    "roller skate",
    "ice skate",
)
# small things of the ground, placed near the camera (where they are drawn large enough)
CRITTERS = (
    "chipmunk",
    "hedgehog",
    "rabbit",
    "snail",
    "lizard",
    "badger",
    "skunk",
    "turtle",
    "mouse",
)
SNOW_ANIMALS = ("penguin", "deer", "reindeer", "goat")
WATER_ANIMALS = ("dolphin", "seal", "whale", "shark", "duck", "swan", "goose")
SHORE_ANIMALS = ("crab", "seal", "turtle", "lobster", "penguin")
TREE_BIRDS = ("bird", "dove", "owl", "parrot", "eagle")
NESTS = ("nest",)
FLOWERS = ("flower", "tulip", "rose", "sunflower", "wilted flower", "clover", "herb", "seedling")
ON_FLOWER = ("butterfly", "bee", "ladybug", "caterpillar", "beetle", "snail", "cricket")
ON_GRASS = ("mushroom", "log", "rock", "cactus", "rice plant")
STREET_THINGS = ("bus stop", "fuel pump", "construction sign", "wastebasket")
"""Things standing by themselves on a sidewalk. Not the stop sign and the traffic light:
their art is the octagon and the lamp housing without a pole, and standing on the ground
at a signpost's height they read as a red ball far away and a giant octagon near (a pole
to mount them on is future work)."""
PARK_THINGS = ("fountain", "goal net", "tent", "log", "kite")
BUILDINGS = ("building", "store", "hotel", "school", "bank", "hospital", "church", "factory")
FARM_BUILDINGS = ("hut", "tent")
FARM_VEHICLES = ("tractor", "pickup truck")
FULL_BODY_PEOPLE = ("golfer", "juggler", "cyclist", "dancer")
HOLD_OUTDOOR = (
    "flying disc",
    "boomerang",
    "baseball",
    "tennis ball",
    "volleyball",
    "american football",
    "rugby ball",
    "softball",
    "cricket bat",
    "hockey stick",
    "lacrosse stick",
    "kite",
    "fishing rod",
    "balloon",
    "camera",
    "shopping bag",
    "luggage",
)
FLOOR_THINGS = {  # scene type -> things standing on the floor (by a wall)
    "kitchen": ("wastebasket", "broom", "bucket", "fire extinguisher", "basket", "box"),
    "living_room": ("guitar", "drum", "piano", "teddy bear", "box", "gift", "basket", "luggage"),
    "bedroom": ("luggage", "backpack", "teddy bear", "guitar", "box", "basket", "wastebasket"),
    "office": ("wastebasket", "box", "fire extinguisher", "printer", "briefcase", "ladder"),
    "classroom": ("wastebasket", "backpack", "box", "globe", "drum", "piano"),
    "restaurant": ("wastebasket", "fire extinguisher", "basket", "broom"),
}
ON_TOWEL = (
    "bag",
    "ball",
    "book",
    "bottle",
    "hat",
    "sunglasses",
    "swimsuit",
    "bikini",
    "sandal",
    "tropical drink",
    "coconut",
    "watermelon",
    "soda",
    "diving mask",
    "flying disc",
    "shell",
)
# (no "skis" alone: the emoji draws a boot on crossed skis, and drawn at a pair of skis'
# 1.5-1.9 m height it is a boot the size of a car; skis come with skiers, under their feet)
SKI_THINGS += (
    "sled",
    "tent",
)
FLAT_MIN_M.update(
    {
        "pancake": 0.08,
        "waffle": 0.08,
        "fried egg": 0.08,
        "bacon": 0.08,
        "rice": 0.08,
        "curry": 0.08,
        "spaghetti": 0.08,
        "dumpling": 0.06,
        "sushi": 0.06,
        "cookie": 0.05,
        "pie": 0.07,
        "butter": 0.05,
    }
)

# ---- scene types: object groups and spawn weights ----

SCENES: dict[str, dict[str, float]] = {
    "kitchen": {
        "counter_group": 3,
        "table_group": 2,
        "person": 2,
        "floor_thing": 1,
        "wall_mount": 1.5,
        "hanging_light": 1,
        "pet": 1,
        "near_table": 1.2,
        "child": 0.5,
    },
    "living_room": {
        "floor_thing": 1.2,
        "sofa_group": 3,
        "cabinet_group": 1.5,
        "shelf_group": 1.5,
        "floor_plant": 1,
        "wall_mount": 2,
        "hanging_light": 1,
        "pet": 1.5,
        "person": 1,
        "table_group": 0.7,
    },
    "bedroom": {
        "floor_thing": 1.2,
        "bed_group": 3,
        "cabinet_group": 2,
        "wall_mount": 1.5,
        "hanging_light": 1,
        "shelf_group": 1,
        "pet": 1,
        "person": 1,
    },
    "office": {
        "floor_thing": 1,
        "desk_group": 3,
        "shelf_group": 1.5,
        "floor_plant": 1,
        "wall_mount": 1.5,
        "cabinet_group": 1,
        "person": 1,
        "hanging_light": 0.5,
    },
    "classroom": {
        "floor_thing": 1,
        "desk_group": 3,
        "person": 1.5,
        "wall_mount": 1,
        "shelf_group": 1,
        "hanging_light": 0.7,
    },
    "restaurant": {
        "floor_thing": 0.6,
        "table_group": 4,
        "person": 1.5,
        "wall_mount": 1,
        "hanging_light": 1.5,
        "floor_plant": 1,
        "near_table": 2.5,
        "child": 0.3,
    },
    "street": {
        "street_thing": 1.5,
        "full_body": 0.3,
        "building": 1.2,
        "railing": 0.4,
        "child": 0.8,
        "flag": 0.3,
        "house": 1.5,
        "parked": 3,
        "person": 3,
        "rider": 1.5,
        "skater": 0.6,
        "sign": 2,
        "tree": 1,
        "fence": 0.7,
        "flyer": 1,
        "pet": 1,
        "bench_group": 0.7,
    },
    "park": {
        "critter": 1.2,
        "flower_bed": 1.5,
        "park_thing": 1,
        "on_grass": 0.8,
        "full_body": 0.8,
        "tree": 3,
        "person": 2,
        "bench_group": 2,
        "pet": 2,
        "flyer": 2,
        "rider": 1,
        "sign": 0.5,
        "fence": 1,
        "ground_bird": 1,
        "rock": 0.8,
        "child": 1.2,
        "player": 0.6,
        "flag": 0.3,
        "railing": 0.3,
    },
    "farm": {
        "critter": 0.6,
        "farm_vehicle": 0.8,
        "farm_building": 0.6,
        "flower_bed": 0.8,
        "on_grass": 0.6,
        "rock": 0.6,
        "child": 0.4,
        "farm_animal": 4,
        "fence": 2,
        "house": 1.2,
        "tree": 1.5,
        "rider": 1.2,
        "person": 1,
        "bird_on_back": 1,
        "flyer": 1,
    },
    "beach": {
        "shore_animal": 1.2,
        "water_animal": 1.2,
        "beach_thing": 2,
        "person": 3,
        "boat": 2,
        "flyer": 2,
        "surfer": 1.2,
        "ground_bird": 0.5,
        "towel": 1.5,
        "surfboard": 1.0,
        "rock": 0.7,
        "child": 1.0,
        "flag": 0.3,
        "railing": 0.4,
    },
    "ski": {
        "snow_animal": 1.2,
        "skier": 3,
        "person": 2,
        "tree": 2,
        "flyer": 1,
        "ski_thing": 1,
        "sign": 0.5,
        "rock": 0.5,
        "child": 0.5,
        "flag": 0.5,
    },
    "railway": {
        "street_thing": 0.5,
        "flower_bed": 0.5,
        "train": 3,
        "person": 2,
        "sign": 1,
        "fence": 1,
        "tree": 2,
        "house": 1,
        "flyer": 1,
        "railing": 1.0,
        "building": 0.7,
    },
}

# ground pieces each kind of thing may stand on, per scene backdrop piece name
STAND_ON = {
    "person": ("floor", "sidewalk", "street", "grass", "beach", "snow"),
    "animal": ("floor", "grass", "beach", "snow", "sidewalk"),
    "vehicle": ("street", "sidewalk", "grass"),
    "furniture": ("floor",),
    "plant": ("grass", "sidewalk", "snow", "beach", "floor"),
}

# predicate of a ground contact, by (what stands, pose, ground piece)
WALK_IN = ("street", "grass", "snow", "water")


def ground_predicate(group: str, pose: str, piece: str, vehicle: bool = False) -> str:
    if vehicle:
        return "parked on"
    if pose == "walk":
        return "walking in" if piece in WALK_IN else "walking on"
    if group in ("person", "animal"):
        return "standing on"
    return "on"


# predicate kind of every predicate emitted
KIND = {
    "on": "functional",
    "in": "functional",
    "sitting on": "functional",
    "standing on": "functional",
    "lying on": "functional",
    "laying on": "functional",
    "parked on": "functional",
    "walking on": "functional",
    "walking in": "functional",
    "hanging from": "functional",
    "mounted on": "functional",
    "attached to": "functional",
    "growing on": "functional",
    "flying in": "functional",
    "covered in": "functional",
    "on back of": "functional",
    "holding": "interactional",
    "carrying": "interactional",
    "wearing": "interactional",
    "riding": "interactional",
    "using": "interactional",
    "eating": "interactional",
    "looking at": "interactional",
    "watching": "interactional",
    "playing": "interactional",
    "at": "interactional",
    "part of": "part",
    "has": "part",
    "of": "part",
    "painted on": "part",
    "says": "part",
    "under": "spatial",
    "over": "spatial",
    "against": "spatial",
    "along": "spatial",
    "left of": "geometric",
    "right of": "geometric",
    "above": "geometric",
    "below": "geometric",
    "behind": "geometric",
    "in front of": "geometric",
    "near": "geometric",
    "next to": "geometric",
    "between": "geometric",
    "covering": "functional",
}
SYNONYMS = {"wears": "wearing"}  # VG's "wears" is "wearing" in this world's data


# ---- naming: VG names things by generic or colloquial words too ----

# category -> (word, chance): a word a person would also use for that very thing
NAME_AS = {
    "man": ("guy", 0.12),
    "woman": ("lady", 0.12),
    "potted plant": ("plant", 0.45),
    "light bulb": ("light", 0.6),
    "locomotive": ("engine", 0.5),
    "television": ("screen", 0.15),
    "computer": ("screen", 0.15),
}
# hypernym word (in a category's hypernym path) -> chance of naming the thing by it
GENERIC = (
    ("vegetable", 0.25),
    ("fruit", 0.15),
    ("wheeled vehicle", 0.08),
    ("public transport", 0.08),
    ("mammal", 0.12),
    ("dish", 0.15),
    ("baked goods", 0.12),
)
GENERIC_WORD = {
    "vegetable": "vegetable",
    "fruit": "fruit",
    "wheeled vehicle": "vehicle",
    "public transport": "vehicle",
    "mammal": "animal",
    "dish": "food",
    "baked goods": "food",
}
NOT_GENERIC = frozenset({"bicycle", "chestnut", "coconut"})  # a bike is rarely "a vehicle"


def generic_word(cat, u: float) -> str | None:
    """The word a thing of category ``cat`` is named by instead of its own, for a uniform
    draw ``u`` (None: its own name). E.g. "animal" for a sheep, "fruit" for an apple."""
    got = NAME_AS.get(cat.name)
    if got is not None:
        return got[0] if u < got[1] else None
    if cat.name in NOT_GENERIC:
        return None
    for h, chance in GENERIC:
        if h in cat.hypernyms[:-1]:
            return GENERIC_WORD[h] if u < chance else None
    return None


# words the atlas resolves to a different thing than meant here ("lamp" is the couch-and-lamp
# emoji, "glasses" the plural of a drinking glass, "mug" coffee)
BAD_ALIASES = frozenset({"lamp", "glasses", "mug", "sandwich", "light"})


def resolve_words(atlas, words: Iterable[str]) -> tuple[str, ...]:
    """Atlas category names for ``words`` (``@group`` expands), unknown words skipped, in
    order, without repeats."""
    out: dict[str, None] = {}
    for w in words:
        if w.startswith("@"):
            for name, c in atlas.categories.items():
                if c.group == w[1:] and atlas.sprites(name):
                    out[name] = None
            continue
        c = atlas.resolve(w) if hasattr(atlas, "resolve") else atlas.categories.get(w)
        if c is not None and c.name != w and w in BAD_ALIASES:
            continue
        if c is not None and atlas.sprites(c.name):
            out[c.name] = None
    return tuple(out)
