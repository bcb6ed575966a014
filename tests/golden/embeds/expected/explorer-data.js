window.mindmapExplorer = [["Blocks.md", "Blocks", "blocks.html"], ["Host.md", "Host", "host.html"], ["Sections.md", "First", "sections.html"], ["Whole.md", "The whole note", "whole.html"]];
