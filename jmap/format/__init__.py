"""The map format: a YAML file in, positioned diagnostics and a model out.

``loader`` reads YAML with positions and refuses its dangerous corners,
``table`` describes the format as data, ``validator`` checks a file and
builds the model, ``schema`` derives the JSON Schema from the table,
``hints`` makes the "did you mean", ``diagnostics`` carries the results and
``reporters`` prints them. (Mermaid journeys are read by
:mod:`jmap.mermaid.importer`.)
"""
