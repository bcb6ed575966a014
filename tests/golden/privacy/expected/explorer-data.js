window.mindmapExplorer = [["Other.md", "Other", "other.html"], ["Public.md", "Public", "public.html"]];
