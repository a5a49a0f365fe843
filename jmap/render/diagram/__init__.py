"""The journey diagram: Graphviz DOT text, and what jmap changes in dot's layout.

One job per module, each layer reading the one before:

- ``jmap.render.view``: what the view shows (touchpoints, arrows, scores,
  low points, colours, faces), shared with every renderer;
- ``scene``: DOT ids, the units standing in each stage, a stage's details;
- ``rows``: rows chosen to fit a slide, connectors between them;
- ``labels``: the cards', stages', title's and legend's labels;
- ``writer``: the DOT text;
- ``layout``: dot's layout adjusted once for SVG, PNG and PDF, and SVG's faces;
- ``markup``: quoting and wrapping, the only place text becomes DOT.
"""

from jmap.render.diagram.layout import align_laid_out, finish_svg
from jmap.render.diagram.writer import render_dot

__all__ = ["align_laid_out", "finish_svg", "render_dot"]
