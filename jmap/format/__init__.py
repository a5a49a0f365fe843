"""The map format: a YAML file in, positioned diagnostics and a model out.

``decoding`` turns bytes into text, ``loader`` reads YAML into the
positioned ``nodes`` and refuses its dangerous corners, ``slips`` tells and
repairs the usual YAML slips; ``table`` describes the format as data;
``validator`` checks a file (``checker`` reads it, ``entities`` builds the
model and the quality warnings, ``messages`` words the problems and their
hints); ``rule_ids`` names every rule; ``schema`` derives the JSON Schema
from the table, ``hints`` makes the "did you mean", ``diagnostics`` carries
the results and ``reporters`` prints them; ``rules`` ships docs/rules.md for
``jmap explain``. (Mermaid journeys are read by
:mod:`jmap.mermaid.importer`.)
"""
