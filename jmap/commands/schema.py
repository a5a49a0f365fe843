"""`jmap schema`: the JSON Schema shipped in the package, to standard output
or to a file that is never overwritten by surprise (as `init` and `import`)."""

from __future__ import annotations

import os
import sys

from jmap.errors import UsageError


def write_schema(output: str | None, *, force: bool, portfolio: bool = False, rollup: bool = False) -> int:
    from jmap.resources import portfolio_schema_path, rollup_schema_path, schema_path

    if portfolio and rollup:
        raise UsageError("--portfolio and --rollup name two schemas: choose one")
    path = portfolio_schema_path() if portfolio else rollup_schema_path() if rollup else schema_path()
    data = path.read_bytes()
    if output is None or output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return 0
    if os.path.lexists(output) and not force:
        raise UsageError(f"{output} already exists: choose another name or pass --force to overwrite it")
    from jmap.repo.files import atomic_write

    atomic_write(output, data)
    return 0
