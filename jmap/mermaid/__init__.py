"""Mermaid ``journey`` diagrams: one grammar, written and read.

- :mod:`~jmap.mermaid.grammar`: Mermaid's rules (lexer, scores, entity codes,
  what a name may hold, actor names), once for the writers and the reader;
- :mod:`~jmap.mermaid.export`: the ``mmd`` format, made to round-trip;
- :mod:`~jmap.mermaid.pictures`: the Markdown summary's pictures, made to be
  read at the width of a pull request;
- :mod:`~jmap.mermaid.importer`: ``jmap import mermaid``.

Layers: the grammar and the importer read only the format layer (and the
base modules); the two writers also read what the renderers share
(:mod:`jmap.render.view`, :mod:`jmap.render.labels`). The summary
(:mod:`jmap.render.markdown`) and the format dispatch
(:mod:`jmap.render.formats`) use the writers; nothing here imports them back.
"""
