"""``python -m synthgen`` runs the CLI."""

from synthgen.entry import main

main()
