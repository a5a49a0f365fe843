"""`jmap import mermaid`: read a Mermaid journey file and write the map."""

from __future__ import annotations

import os
import sys

from jmap.commands import err
from jmap.errors import JmapError, UsageError


def import_mermaid_file(file: str, *, output: str | None, force: bool) -> int:
    from jmap.mermaid.importer import MermaidImportError, import_mermaid

    # Standard input is read as bytes and decoded as a file is: its text
    # layer would smuggle invalid bytes in as surrogates ("\udcff").
    if file == "-":
        raw, name = sys.stdin.buffer.read(), "<stdin>"
    else:
        with open(file, "rb") as handle:
            raw = handle.read()
        name = file
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise JmapError(f"{name}: the {'input' if file == '-' else 'file'} is not UTF-8 text") from exc
    try:
        yaml_text = import_mermaid(text, name)
    except MermaidImportError as exc:  # "FILE:LINE:COL: error: … [rule]", one per problem
        for line in exc.lines:
            err(line)
        return 1
    if output is None or output == "-":
        sys.stdout.write(yaml_text)
        sys.stdout.flush()
        return 0
    if os.path.exists(output) and not force:
        raise UsageError(f"{output} already exists: pass --force to overwrite it")
    from jmap.repo.files import atomic_write

    atomic_write(output, yaml_text.encode("utf-8"))
    err(f"wrote {output}")
    return 0
