window.mindmapExplorer = [["Graph theory.md", "Graph theory", "graph-theory.html"], ["Index.md", "Index", "index.html"], ["Notes.md", "Notes", "notes-2.html"]];
