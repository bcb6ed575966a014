"""`python -m mindmap` runs the command line."""

from mindmap.cli import run

run()
