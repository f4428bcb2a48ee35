"""The archive generator: load, validate, derive, render, write.

`build.py` beside this package is the entry point; each module here is one stage of the
pipeline it reads top to bottom.
"""

GENERATOR = "verbatim-archive"
VERSION = "0.1.0"
