window.mindmapExplorer = [["Linker.md", "Linker", "linker.html"], ["Mind map.md", "Mind map", "mind-map.html"], ["Mixed.md", "Mixed", "mixed.html"], ["Tabs.md", "Tabs", "tabs.html"]];
