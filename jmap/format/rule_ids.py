"""Every rule id jmap can report, as data.

A diagnostic ends with its rule id (``[unknown-key]``), which users look up
with ``jmap explain`` and tools filter on, so the ids are a contract: each
member here has its row in docs/rules.md, and a test fails when either lacks
the other, or when the code reports an id that is not a member.

An id is a ``RuleId``: a ``str`` at run time (it prints, compares and
serializes as the id itself), a type of its own for mypy, so a reporting
function that takes a ``RuleId`` refuses a bare string. (An ``enum.StrEnum``
would say the same but costs about a millisecond more at every start.)
"""

from __future__ import annotations

from typing import NewType

RuleId = NewType("RuleId", str)


class Rule:
    """The rule ids, by name (``Rule.UNKNOWN_KEY``)."""

    # Reading the file
    EMPTY_FILE = RuleId("empty-file")
    ENCODING = RuleId("encoding")
    CONTROL_CHARACTER = RuleId("control-character")
    BINARY_FILE = RuleId("binary-file")
    FILE_TOO_LARGE = RuleId("file-too-large")
    IO = RuleId("io")
    # YAML traps
    YAML_SYNTAX = RuleId("yaml-syntax")
    YAML_TAB = RuleId("yaml-tab")
    YAML_UNCLOSED_QUOTE = RuleId("yaml-unclosed-quote")
    YAML_MISSING_COLON = RuleId("yaml-missing-colon")
    YAML_INDENTATION = RuleId("yaml-indentation")
    YAML_DUPLICATE_KEY = RuleId("yaml-duplicate-key")
    YAML_ALIAS = RuleId("yaml-alias")
    YAML_ANCHOR = RuleId("yaml-anchor")
    YAML_TAG = RuleId("yaml-tag")
    YAML_VALUE = RuleId("yaml-value")
    YAML_MERGE_KEY = RuleId("yaml-merge-key")
    YAML_MULTIPLE_DOCUMENTS = RuleId("yaml-multiple-documents")
    YAML_TOO_DEEP = RuleId("yaml-too-deep")
    # Structure
    ROOT_NOT_MAPPING = RuleId("root-not-mapping")
    UNSUPPORTED_VERSION = RuleId("unsupported-version")
    MISSING_KEY = RuleId("missing-key")
    UNKNOWN_KEY = RuleId("unknown-key")
    KEY_NOT_TEXT = RuleId("key-not-text")
    TYPE = RuleId("type")
    EMPTY_VALUE = RuleId("empty-value")
    ID_FORMAT = RuleId("id-format")
    INVALID_VALUE = RuleId("invalid-value")
    INVALID_COLOR = RuleId("invalid-color")
    INVALID_DURATION = RuleId("invalid-duration")
    INVALID_METRIC = RuleId("invalid-metric")
    EMOTION_RANGE = RuleId("emotion-range")
    NO_STAGES = RuleId("no-stages")
    NESTING_TOO_DEEP = RuleId("nesting-too-deep")
    # References
    DUPLICATE_ID = RuleId("duplicate-id")
    DUPLICATE_REFERENCE = RuleId("duplicate-reference")
    UNKNOWN_REFERENCE = RuleId("unknown-reference")
    WRONG_REFERENCE = RuleId("wrong-reference")
    EMOTION_PERSONA = RuleId("emotion-persona")
    # Quality warnings
    EMPTY_STAGE = RuleId("empty-stage")
    MISSING_CHANNEL = RuleId("missing-channel")
    UNADDRESSED_PAIN_POINT = RuleId("unaddressed-pain-point")
    UNUSED_PERSONA = RuleId("unused-persona")
    NEAR_MAP = RuleId("near-map")
    # Importing Mermaid
    MERMAID_SYNTAX = RuleId("mermaid-syntax")
    MERMAID_SCORE = RuleId("mermaid-score")


#: Every rule id, for the tests that tie them to docs/rules.md.
ALL_RULES: frozenset[RuleId] = frozenset(value for name, value in vars(Rule).items() if name.isupper())
