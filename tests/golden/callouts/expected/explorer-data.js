window.mindmapExplorer = [["Callouts.md", "Callouts", "callouts.html"], ["Plain.md", "Plain", "plain.html"], ["Target.md", "Target", "target.html"]];
