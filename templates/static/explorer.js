// The folder explorer: a panel with every note in its folders, opened from the header. The
// notes come from explorer-data.js (loaded on first open, as a script so that it works from
// disk too). The current note is marked and its folders are open; a box filters by name.
// Without JavaScript the button stays hidden and "All notes" lists every note by folder.
(function () {
  "use strict";
  var button = document.querySelector(".mm-explorer-open");
  var me = document.currentScript;
  if (!button || !me) return;
  var root = me.src.replace(/static\/explorer\.js(\?.*)?$/, "");
  var here = location.href.split(/[?#]/)[0].replace(/\/$/, "/index.html");  // "/" is index.html
  var panel = null;

  function load(done) {
    if (window.mindmapExplorer) return done();
    var s = document.createElement("script");
    s.src = root + "explorer-data.js";
    s.onload = done;
    s.onerror = function () { button.disabled = true; };
    document.head.appendChild(s);
  }

  // {folders: {name: node}, notes: [[title, url]]} from [path, title, url] rows.
  function tree(rows) {
    var top = { folders: {}, notes: [] };
    rows.forEach(function (row) {
      var parts = row[0].split("/");
      var node = top;
      for (var i = 0; i < parts.length - 1; i++) {
        node = node.folders[parts[i]] || (node.folders[parts[i]] = { folders: {}, notes: [] });
      }
      node.notes.push([row[1], root + row[2]]);
    });
    return top;
  }

  function list(node) {
    var ul = document.createElement("ul");
    Object.keys(node.folders).sort(byName).forEach(function (name) {
      var li = document.createElement("li");
      var d = document.createElement("details");
      var s = document.createElement("summary");
      s.textContent = name;
      d.appendChild(s);
      d.appendChild(list(node.folders[name]));
      li.appendChild(d);
      ul.appendChild(li);
    });
    node.notes.sort(function (a, b) { return byName(a[0], b[0]); }).forEach(function (n) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.textContent = n[0];
      a.href = n[1];
      if (a.href === here) a.setAttribute("aria-current", "page");
      li.appendChild(a);
      ul.appendChild(li);
    });
    return ul;
  }

  function byName(a, b) {
    return a.localeCompare(b, undefined, { sensitivity: "base", numeric: true });
  }

  function build() {
    panel = document.createElement("nav");
    panel.id = "mm-explorer";
    panel.className = "mm-explorer";
    panel.setAttribute("aria-label", "Explorer");
    panel.innerHTML =
      '<div class="mm-explorer-head"><label>Filter notes <input type="search" autocomplete="off"></label>' +
      '<button type="button" class="mm-explorer-close" aria-label="Close the explorer">×</button></div>';
    var body = list(tree(window.mindmapExplorer));
    body.className = "mm-explorer-tree";
    panel.appendChild(body);
    document.body.appendChild(panel);
    var current = panel.querySelector("[aria-current]");
    for (var d = current && current.closest("details"); d; d = d.parentNode.closest("details")) d.open = true;
    panel.querySelector(".mm-explorer-close").addEventListener("click", close);
    panel.querySelector("input").addEventListener("input", function (e) { filter(e.target.value); });
    panel.addEventListener("keydown", function (e) { if (e.key === "Escape") close(); });
    // Tab out of the panel (to the page it covers on a phone): it closes, focus goes on
    panel.addEventListener("focusout", function (e) {
      var to = e.relatedTarget;
      if (to && !panel.contains(to) && to !== button) close(false);
    });
  }

  function filter(text) {
    var q = text.trim().toLowerCase();
    panel.querySelectorAll(".mm-explorer-tree a").forEach(function (a) {
      a.parentNode.hidden = q !== "" && a.textContent.toLowerCase().indexOf(q) < 0;
    });
    panel.querySelectorAll(".mm-explorer-tree details").forEach(function (d) {
      var shown = d.querySelector("li:not([hidden]) > a");
      d.parentNode.hidden = q !== "" && !shown;
      if (q !== "") d.open = !!shown;
    });
  }

  function open() {
    load(function () {
      if (!panel) build();
      panel.hidden = false;
      button.setAttribute("aria-expanded", "true");
      var current = panel.querySelector("[aria-current]");
      if (current) current.scrollIntoView({ block: "center" });
      panel.querySelector("input").focus();
    });
  }

  function close(refocus) {
    if (!panel || panel.hidden) return;
    panel.hidden = true;
    button.setAttribute("aria-expanded", "false");
    if (refocus !== false) button.focus();
  }

  button.addEventListener("click", function () {
    if (panel && !panel.hidden) close();
    else open();
  });
  document.addEventListener("click", function (e) {
    if (panel && !panel.hidden && !panel.contains(e.target) && !button.contains(e.target)) close();
  });
  button.hidden = false;
})();
