"""`edit`: MultiEdit-like edit instruction triplets on the procedural world (issue 7)."""
