"""Where the package's shipped files live.

In an installed wheel the top-level ``templates/`` folder is shipped as
``jmap/templates``; in a source checkout (editable install) it sits beside the
package. Looking in both keeps one layout for authors and one for users.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def templates_dir() -> Path:
    shipped = _PACKAGE / "templates"
    if shipped.is_dir():
        return shipped
    return _PACKAGE.parent / "templates"


def schema_path() -> Path:
    return _PACKAGE / "journey-map.schema.json"
