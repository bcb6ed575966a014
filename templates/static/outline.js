// Foldable outlines: every bullet with children gets a toggle (its bullet), and the note a
// small toolbar: expand all, fold to level 1, 2 or 3. What is folded is remembered per page
// (localStorage). Without JavaScript the whole outline shows, as before.
// Block anchors: a heading or bullet that has an id offers a "#" link to it; clicking it
// copies the link to the clipboard too. A link to something inside a folded branch unfolds it.
(function () {
  "use strict";
  var body = document.querySelector(".mm-body");
  if (!body) return;

  // Print every folded callout open (the outline's folds are opened by the print styles);
  // those the reader had closed close again after.
  var closed = [];
  window.addEventListener("beforeprint", function () {
    closed = Array.prototype.filter.call(body.querySelectorAll("details.callout"), function (d) {
      return !d.open;
    });
    closed.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    closed.forEach(function (d) { d.open = false; });
    closed = [];
  });

  Array.prototype.forEach.call(
    body.querySelectorAll("h1[id], h2[id], h3[id], h4[id], h5[id], h6[id], li[id]"),
    function (el) {
      var a = document.createElement("a");
      a.className = "mm-anchor";
      a.href = "#" + encodeURIComponent(el.id);
      a.textContent = "#";
      a.setAttribute("aria-label", "Link to this " + (el.tagName === "LI" ? "bullet" : "heading"));
      a.addEventListener("click", function () {
        var url = location.href.split("#")[0] + a.getAttribute("href");
        if (navigator.clipboard) navigator.clipboard.writeText(url).catch(function () {});
      });
      var first = el.firstElementChild;
      if (el.tagName === "LI" && first && first.tagName === "P") {
        first.appendChild(a);  // a loose list: the bullet's text is a paragraph
        return;
      }
      var nested = el.tagName === "LI" && el.querySelector(":scope > ul, :scope > ol");
      el.insertBefore(a, nested || null);
    }
  );

  var branches = Array.prototype.slice.call(body.querySelectorAll("li.branch"));
  if (!branches.length) return;
  var key = "mindmap:folded:" + location.pathname.replace(/\/$/, "/index.html");  // one page

  function load() {
    try { return JSON.parse(localStorage.getItem(key) || "[]"); } catch (e) { return []; }
  }
  // A branch is remembered by its id; one without (inside an embed: the embedded note's
  // ids would repeat the page's) by its place among those, "~N"
  var unnamed = 0;
  var keys = branches.map(function (li) { return li.id || "~" + unnamed++; });
  function save() {
    var ids = keys.filter(function (_k, n) { return branches[n].classList.contains("mm-folded"); });
    try { localStorage.setItem(key, JSON.stringify(ids)); } catch (e) { /* private mode */ }
  }
  // A bullet's own line is its first paragraph (a loose list), or what comes before its
  // first block (a tight one: text, links, emphasis). Everything after it is under the
  // bullet: its lists, and its embeds, quotes, code and further paragraphs, which folding
  // hides too (`mm-under`), as Obsidian does.
  var BLOCKS = /^(UL|OL|P|DIV|BLOCKQUOTE|PRE|TABLE|FIGURE|DETAILS|HR|H[1-6]|DL|SECTION|ASIDE|IFRAME|VIDEO|AUDIO)$/;
  function ownLine(li) {
    var line = [], kids = li.childNodes;
    for (var i = 0; i < kids.length; i++) {
      var node = kids[i], block = node.nodeType === 1 && BLOCKS.test(node.tagName);
      if (block && !line.some(function (n) { return n.textContent.trim() || n.nodeType === 1; })) {
        return [node];  // the first block is the bullet's line (a paragraph, or an embed)
      }
      if (block) return line;
      line.push(node);
    }
    return line;
  }
  function markUnder(li, line) {
    Array.prototype.forEach.call(li.children, function (el) {
      var own = el.classList.contains("mm-fold") || el.classList.contains("mm-anchor");
      if (line.indexOf(el) < 0 && !own) el.classList.add("mm-under");
    });
  }
  function label(line) {
    var text = line.map(function (n) { return n.textContent; }).join("");
    text = text.replace(/\s+/g, " ").trim().replace(/\s*#$/, "");  // without the anchor's "#"
    return text.length > 60 ? text.slice(0, 59) + "…" : text;
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
    var line = ownLine(li);
    markUnder(li, line);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "mm-fold";
    button.setAttribute("aria-label", "Fold or unfold: " + (label(line) || "bullet"));
    button.addEventListener("click", function () {
      set(li, !li.classList.contains("mm-folded"));
      save();
    });
    li.insertBefore(button, li.firstChild);
    set(li, false);
  });
  var folded = load();
  branches.forEach(function (li, n) { if (folded.indexOf(keys[n]) >= 0) set(li, true); });

  // A link to a bullet (or a block) inside a folded branch unfolds the branches around it
  // and scrolls to it: on load and whenever the fragment changes.
  function reveal() {
    var id;
    try { id = decodeURIComponent(location.hash.slice(1)); } catch (e) { return; }
    var target = id && document.getElementById(id);
    if (!target || !body.contains(target)) return;
    var opened = false;  // the branches around it, and its own (as a click in the mind map)
    for (var el = target; el && el !== body; el = el.parentElement) {
      if (el.classList.contains("mm-folded")) { set(el, false); opened = true; }
    }
    if (!opened) return;
    save();
    target.scrollIntoView();
  }
  reveal();
  window.addEventListener("hashchange", reveal);

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
  // "Skip the mind map" lands on this toolbar, which comes before the note's text
  tools.id = "mm-outline-tools";
  tools.tabIndex = -1;
  var skip = document.querySelector(".mm-skip-map");
  if (skip) skip.setAttribute("href", "#mm-outline-tools");
})();
