"""`edit`: MultiEdit-like edit instruction triplets on the procedural world (issue 7).

Importing this package registers the program (``program.py``). Modules: ``ops`` (edit
types), ``refexp`` (unique referring expressions and their evaluator), ``pixels`` (exact
edit masks), ``styles`` (global styles), ``sign`` (text on signs), ``model_path`` (real
images with an MLLM, diffusers and CLIP).
"""

from synthgen.generators.edit.program import Edit, EditConfig, EditRecord

__all__ = ["Edit", "EditConfig", "EditRecord"]
