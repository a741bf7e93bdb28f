"""The SHACL shapes in words, for data stewards who do not read SHACL.

`model` is the typed model (and the pure functions on names that pages and reports share), `reader` builds it
from the shapes graph, `render` writes it as Markdown or text (`kg shapes`); `/shapes` renders the same model.
"""
