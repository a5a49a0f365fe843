"""Every rule id jmap can report, as data.

A diagnostic ends with its rule id (``[unknown-key]``), which users look up
with ``jmap explain`` and tools filter on, so the ids are a contract: each
member here has its row in docs/rules.md, and a test fails when either lacks
the other, or when the code reports an id that is not a member. Members are
``str`` (a ``StrEnum``): they print, compare and serialize as the id itself.
"""

from __future__ import annotations

from enum import StrEnum


class Rule(StrEnum):
    # Reading the file
    EMPTY_FILE = "empty-file"
    ENCODING = "encoding"
    CONTROL_CHARACTER = "control-character"
    BINARY_FILE = "binary-file"
    FILE_TOO_LARGE = "file-too-large"
    IO = "io"
    # YAML traps
    YAML_SYNTAX = "yaml-syntax"
    YAML_TAB = "yaml-tab"
    YAML_UNCLOSED_QUOTE = "yaml-unclosed-quote"
    YAML_MISSING_COLON = "yaml-missing-colon"
    YAML_INDENTATION = "yaml-indentation"
    YAML_DUPLICATE_KEY = "yaml-duplicate-key"
    YAML_ALIAS = "yaml-alias"
    YAML_ANCHOR = "yaml-anchor"
    YAML_TAG = "yaml-tag"
    YAML_VALUE = "yaml-value"
    YAML_MERGE_KEY = "yaml-merge-key"
    YAML_MULTIPLE_DOCUMENTS = "yaml-multiple-documents"
    YAML_TOO_DEEP = "yaml-too-deep"
    # Structure
    ROOT_NOT_MAPPING = "root-not-mapping"
    UNSUPPORTED_VERSION = "unsupported-version"
    MISSING_KEY = "missing-key"
    UNKNOWN_KEY = "unknown-key"
    KEY_NOT_TEXT = "key-not-text"
    TYPE = "type"
    EMPTY_VALUE = "empty-value"
    ID_FORMAT = "id-format"
    INVALID_VALUE = "invalid-value"
    INVALID_COLOR = "invalid-color"
    INVALID_DURATION = "invalid-duration"
    INVALID_METRIC = "invalid-metric"
    EMOTION_RANGE = "emotion-range"
    NO_STAGES = "no-stages"
    NESTING_TOO_DEEP = "nesting-too-deep"
    # References
    DUPLICATE_ID = "duplicate-id"
    DUPLICATE_REFERENCE = "duplicate-reference"
    UNKNOWN_REFERENCE = "unknown-reference"
    WRONG_REFERENCE = "wrong-reference"
    EMOTION_PERSONA = "emotion-persona"
    # Quality warnings
    EMPTY_STAGE = "empty-stage"
    MISSING_CHANNEL = "missing-channel"
    UNADDRESSED_PAIN_POINT = "unaddressed-pain-point"
    UNUSED_PERSONA = "unused-persona"
    NEAR_MAP = "near-map"
    # Importing Mermaid
    MERMAID_SYNTAX = "mermaid-syntax"
    MERMAID_SCORE = "mermaid-score"
