// Foldable outlines: every bullet with children gets a toggle (its bullet), and the note a
// small toolbar: expand all, fold to level 1, 2 or 3. What is folded is remembered per page
// (localStorage). Without JavaScript the whole outline shows, as before.
(function () {
  "use strict";
  var body = document.querySelector(".mm-body");
  if (!body) return;
  var branches = Array.prototype.slice.call(body.querySelectorAll("li.branch"));
  if (!branches.length) return;
  var key = "mindmap:folded:" + location.pathname;

  function load() {
    try { return JSON.parse(localStorage.getItem(key) || "[]"); } catch (e) { return []; }
  }
  function save() {
    var ids = branches.filter(function (li) { return li.classList.contains("mm-folded"); })
      .map(function (li) { return li.id; }).filter(Boolean);
    try { localStorage.setItem(key, JSON.stringify(ids)); } catch (e) { /* private mode */ }
  }
  function label(li) {
    var text = (li.firstChild && li.firstChild.textContent || li.textContent).trim();
    return text.split("\n")[0].slice(0, 60);
  }
  function set(li, folded) {
    li.classList.toggle("mm-folded", folded);
    var button = li.querySelector(":scope > .mm-fold");
    button.setAttribute("aria-expanded", folded ? "false" : "true");
    button.title = folded ? "Unfold" : "Fold";
  }
  function depth(li) {
    var n = 0;
    for (var el = li.parentElement; el && el !== body; el = el.parentElement) {
      if (el.tagName === "LI") n++;
    }
    return n + 1;
  }

  branches.forEach(function (li) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "mm-fold";
    button.setAttribute("aria-label", "Fold or unfold: " + label(li));
    button.addEventListener("click", function () {
      set(li, !li.classList.contains("mm-folded"));
      save();
    });
    li.insertBefore(button, li.firstChild);
    set(li, false);
  });
  var folded = load();
  branches.forEach(function (li) { if (li.id && folded.indexOf(li.id) >= 0) set(li, true); });

  var tools = document.createElement("div");
  tools.className = "mm-outline-tools";
  tools.setAttribute("role", "toolbar");
  tools.setAttribute("aria-label", "Outline");
  function tool(text, action) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.addEventListener("click", function () { action(); save(); });
    tools.appendChild(b);
  }
  tool("Expand all", function () { branches.forEach(function (li) { set(li, false); }); });
  [1, 2, 3].forEach(function (level) {
    tool("Level " + level, function () {
      branches.forEach(function (li) { set(li, depth(li) >= level); });
    });
  });
  body.parentNode.insertBefore(tools, body);
})();
