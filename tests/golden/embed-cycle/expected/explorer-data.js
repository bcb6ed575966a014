window.mindmapExplorer = [["A.md", "A", "a.html"], ["B.md", "B", "b.html"], ["Chain.md", "Chain", "chain.html"], ["Self.md", "Self", "self.html"]];
