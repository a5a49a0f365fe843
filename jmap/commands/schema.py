"""`jmap schema`: the JSON Schema the package ships, to standard output or a file."""

from __future__ import annotations

import sys


def print_schema(output: str | None) -> int:
    from jmap.resources import schema_path

    data = schema_path().read_bytes()
    if output and output != "-":
        from jmap.repo.files import atomic_write

        atomic_write(output, data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0
