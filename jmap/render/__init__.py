"""From a validated model to outputs: one module per format.

``formats`` chooses among the renderers; ``dot``, ``page``, ``markdown`` and
``mermaid`` are pure functions of the model; ``graphviz`` runs the layout
program (the one place that talks to Graphviz); ``gallery`` is the build's
index page; ``templating`` sets up Jinja2 for the page and the gallery;
``labels``, ``style`` and ``mdtext`` are shared by them. Only ``formats`` is
imported before a command asks for a format.
"""
