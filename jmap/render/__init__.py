"""From a validated model to outputs: one module per format.

``formats`` chooses among the renderers; ``dot``, ``page``, ``markdown`` and
``mermaid`` are pure functions of the model; ``graphviz`` runs the layout
program; ``labels``, ``style`` and ``mdtext`` are shared by them. Nothing here
is imported until a command asks for a format.
"""
