"""`jmap serve`: a live preview that follows every save.

The pieces, each testable alone: ``watch`` notices saves by polling file
stamps, ``preview`` re-renders what changed and keeps the last good render of
each map, ``inject`` adds the small update script to a rendered page (only
when serving: `jmap render` output is untouched), ``paths`` turns a request
path into a rendered output or a refusal, and ``server`` is the standard
library HTTP server that answers with them and streams server-sent events.
"""
