"""The work behind each verb of the command line, one module per verb.

``jmap.cli`` only parses options and imports the verb's module when it runs,
so a command pays only for what it uses. The modules print and choose exit
codes; the work itself lives in ``jmap.format``, ``jmap.render`` and
``jmap.repo``.
"""

from __future__ import annotations

import sys

from jmap.text import printable


def say(line: str) -> None:
    """A line of the run's log on standard output (what was done)."""
    sys.stdout.write(printable(line) + "\n")
    sys.stdout.flush()


def err(line: str) -> None:
    """A line for the user on standard error (progress, problems), with any
    control character of user text shown as an escape."""
    sys.stderr.write(printable(line) + "\n")
    sys.stderr.flush()
