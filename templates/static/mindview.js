// Mind-map view (treeview.py draws it at build time): every branch gets a knob at the end
// of its line; clicking it (or Enter / Space on it) folds the branch and the tree closes up
// around it. What is folded is remembered per page (localStorage), and whether the map is
// open, for every page. A click on a topic that lands in a folded bullet of the outline
// unfolds that bullet. Without JavaScript the whole map shows, every link works.
(function () {
  "use strict";
  var svg = document.querySelector("svg.mm-mv");
  if (!svg) return;
  var NS = "http://www.w3.org/2000/svg", ROW = 26, PAD = 6;  // as in treeview.py
  var CURVE = /^M(-?\d+),(-?\d+)c(-?\d+),0 -?\d+,(-?\d+) (-?\d+),-?\d+(h-?\d+)?$/;
  var key = "mindmap:mindview:" + location.pathname.replace(/\/$/, "/index.html");
  var knobs = [];

  function groups(g) {
    return Array.prototype.filter.call(g.children, function (c) { return c.tagName === "g"; });
  }
  function read(g) {  // a node: where it is and what moves with it
    var first = g.firstElementChild, n = {g: g, kids: [], moving: []};
    var m = first.tagName === "path" && CURVE.exec(first.getAttribute("d"));
    if (m) {
      n.path = first;
      n.px = +m[1]; n.half = +m[3]; n.dx = +m[5]; n.tail = m[6] || "";
      n.y0 = +m[2] + +m[4];
      n.end = n.px + n.dx + (m[6] ? +m[6].slice(1) : 0);
    } else {  // the root: its pill
      n.y0 = +first.getAttribute("y") + 12;
      n.end = +first.getAttribute("x") + +first.getAttribute("width");
    }
    n.y = n.y0;
    Array.prototype.forEach.call(g.children, function (c) {
      if (c.tagName !== "g" && c !== n.path) n.moving.push(c);
    });
    n.kids = groups(g).map(read);
    if (n.path && n.kids.length) knob(n);
    return n;
  }
  function label(n) {
    var a = n.g.querySelector(":scope > a");
    var t = a && (a.querySelector("title") || a.querySelector("text"));
    return t ? t.textContent : "";
  }
  function knob(n) {
    var k = document.createElementNS(NS, "circle");
    k.setAttribute("class", "k");
    k.setAttribute("cx", n.end);
    k.setAttribute("cy", n.y0);
    k.setAttribute("r", 5);
    k.setAttribute("tabindex", "0");
    k.setAttribute("role", "button");
    k.setAttribute("aria-label", "Fold or unfold: " + label(n));
    k.addEventListener("click", function () { fold(n, !n.folded); layout(); save(); });
    k.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); k.dispatchEvent(new Event("click")); }
    });
    n.g.insertBefore(k, n.kids[0].g);
    n.moving.push(k);
    n.knob = k;
    knobs.push(n);
    fold(n, false);
  }
  function fold(n, folded) {
    n.folded = folded;
    n.g.classList.toggle("f", folded);
    n.knob.setAttribute("aria-expanded", folded ? "false" : "true");
  }

  // The map's box opens as the reader left it last (on any page); at first it is open, but
  // on a phone, where it would push the note a screen down, it starts closed.
  var box = svg.closest("details"), OPEN = "mindmap:mindview-open";
  if (box) {
    var wanted = null;
    try { wanted = localStorage.getItem(OPEN); } catch (e) { /* private mode */ }
    if (wanted === "0" || (wanted === null && matchMedia("(max-width: 40rem)").matches)) box.open = false;
    box.querySelector("summary").addEventListener("click", function () {
      setTimeout(function () {  // after the box has opened or closed
        try { localStorage.setItem(OPEN, box.open ? "1" : "0"); } catch (e) { /* private mode */ }
      });
    });
  }

  var tree = read(svg.firstElementChild);
  var width = svg.viewBox.baseVal.width;

  function layout() {
    var row = 0;
    (function place(n) {
      var shown = n.folded ? [] : n.kids;
      if (shown.length) {
        shown.forEach(place);
        n.y = Math.floor((shown[0].y + shown[shown.length - 1].y) / 2);
      } else {
        n.y = PAD + ROW / 2 + 4 + row * ROW;
        row++;
      }
    })(tree);
    (function draw(n, p) {
      var shift = n.y - n.y0;
      n.moving.forEach(function (el) {
        if (shift) el.setAttribute("transform", "translate(0," + shift + ")");
        else el.removeAttribute("transform");
      });
      if (p) {
        var dy = n.y - p.y;
        n.path.setAttribute("d", "M" + n.px + "," + p.y + "c" + n.half + ",0 " + n.half + "," +
          dy + " " + n.dx + "," + dy + n.tail);
      }
      if (!n.folded) n.kids.forEach(function (c) { draw(c, n); });
    })(tree, null);
    svg.setAttribute("viewBox", "0 0 " + width + " " + (Math.max(row, 1) * ROW + 2 * PAD));
  }
  function save() {
    var hrefs = knobs.filter(function (n) { return n.folded; })
      .map(function (n) { return n.g.querySelector(":scope > a").getAttribute("href"); });
    try { localStorage.setItem(key, JSON.stringify(hrefs)); } catch (e) { /* private mode */ }
  }
  var kept = [];
  try { kept = JSON.parse(localStorage.getItem(key) || "[]"); } catch (e) { /* none kept */ }
  knobs.forEach(function (n) {
    if (kept.indexOf(n.g.querySelector(":scope > a").getAttribute("href")) >= 0) fold(n, true);
  });
  if (kept.length) layout();

  svg.addEventListener("click", function (e) {  // into a folded bullet: unfold it first
    var a = e.target.closest("a"), href = a && a.getAttribute("href");
    if (!href || href.charAt(0) !== "#") return;
    var target = document.getElementById(href.slice(1));
    for (var li = target && target.closest("li.mm-folded"); li;
         li = li.parentElement && li.parentElement.closest("li.mm-folded")) {
      var button = li.querySelector(":scope > .mm-fold");
      if (button) button.click();
    }
  });
})();
