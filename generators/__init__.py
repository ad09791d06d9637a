"""Built-in generator programs, imported one at a time: ``MODULES`` maps each program's name to
the module that registers it, so ``programs.get("svg")`` imports the svg program only
(``synthgen replay`` of one record then skips importing every other program), and
``programs.names()`` imports them all (see :mod:`synthgen.registry`).

Third-party programs register through the ``synthgen.programs`` entry-point group instead.
"""

MODULES = {
    "audiocaps": "synthgen.generators.audiocaps",
    "edit": "synthgen.generators.edit",
    "imgdiff": "synthgen.generators.imgdiff",
    "multihop": "synthgen.generators.multihop",
    "noop": "synthgen.generators.noop",
    "squares": "synthgen.generators.squares",
    "svg": "synthgen.generators.svg",
    "svg_multi": "synthgen.generators.svg_multi",
}
