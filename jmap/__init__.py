"""jmap: customer-journey maps as code.

The package import is kept deliberately empty so that `jmap validate` pays only
for what validation needs; renderers are imported by the commands that use them.
"""

__version__ = "0.1.0"
FORMAT_VERSION = 1
