"""jmap: customer-journey maps as code.

The package import is kept deliberately empty so that `jmap validate` pays only
for what validation needs; renderers are imported by the commands that use them.
"""

#: The one place the version is written: pyproject.toml reads it from here
#: (see the release procedure in CONTRIBUTING.md).
__version__ = "0.1.0"
FORMAT_VERSION = 1


def version_text() -> str:
    """What ``jmap --version`` prints: ``jmap 0.1.0``, and the commit when jmap
    was installed from a git URL (``pip install "jmap @ git+…@SHA"``), since
    until releases are tagged a version number alone does not say which
    commit a team pinned."""
    commit = installed_commit()
    return f"jmap {__version__}" + (f" (commit {commit[:12]})" if commit else "")


def installed_commit() -> str | None:
    """The commit pip recorded when it installed jmap from git, or None."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        recorded = distribution("jmap").read_text("direct_url.json")
    except PackageNotFoundError:
        return None
    return commit_of(recorded)


def commit_of(direct_url: str | None) -> str | None:
    """The commit of a PEP 610 ``direct_url.json``, or None when it names none."""
    import json

    try:
        data = json.loads(direct_url or "")
    except ValueError:
        return None
    vcs = data.get("vcs_info") if isinstance(data, dict) else None
    commit = vcs.get("commit_id") if isinstance(vcs, dict) else None
    return commit if isinstance(commit, str) and commit else None
