{#- The folder explorer's data, read by static/explorer.js: [path, title, url] per note,
    sorted by path. Reads: notes -#}
window.mindmapExplorer = {{ notes|tojson }};
