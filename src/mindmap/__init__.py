"""mindmap: an Obsidian-style vault of outline notes becomes a static site with backlinks."""

__version__ = "0.1.0"
