"""`imgdiff`: Img-Diff-like image-difference pairs on the procedural world (issue 6)."""
