/* mindmap's topic graph on a canvas, from graph.json. Each [data-graph] element becomes
   the whole graph (graph.html), or with data-node the note's neighbours to depth 1 or 2 (a
   <details>: fetched once open and on screen). Positions: graph.json's "layout"; the local
   graph lays out its nodes in rings by depth. The wrapper's body is not indented. */
(() => {
"use strict";
var KINDS = ["note", "topic", "tag", "missing"];
var EDGES = ["link", "embed", "outline", "tag"];
var SHOW = { topic: "Topics", tag: "Tags", missing: "Missing notes" };
var LINKS = { link: "Links", embed: "Embeds", outline: "Outline", tag: "Tags" };
var RING_MAX = [1, 120, 240];  // the local graph shows at most this many nodes per depth
var loads = {};
var uid = 0;

function load(url) {
  if (!loads[url]) {
    loads[url] = fetch(url).then((r) => {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    }).then(index);
  }
  return loads[url];
}

/* graph.json (columns; a link's ends are node numbers) → what the drawing uses: node i in
   the order of "nodes", edges as (src, dst, kind); kinds as numbers into KINDS and EDGES. */
function index(data) {
  var nodes = data.nodes, n = nodes.id.length, lay = data.layout || {}, links = data.links;
  var nk = data.kinds.node.map((k) => KINDS.indexOf(k)), lk = data.kinds.link.map((k) => EDGES.indexOf(k));
  var g = { n: n, ids: nodes.id, title: nodes.title, url: nodes.url, folder: new Array(n),
    kind: new Uint8Array(n), at: new Map(), x: lay.x || [], y: lay.y || [],
    community: lay.community || [], degree: lay.degree || [], rank: lay.rank || [] };
  for (var i = 0; i < n; i++) {
    var id = nodes.id[i], kind = nk[nodes.kind[i]];
    g.kind[i] = kind;
    g.at.set(id, i);
    var note = kind === 1 ? id.slice(0, id.indexOf("#")) : kind === 0 ? id : null;
    g.folder[i] = note ? note.slice(0, Math.max(0, note.lastIndexOf("/"))) : null;
  }
  var m = links.source.length, ek = new Uint8Array(m);
  for (var j = 0; j < m; j++) ek[j] = lk[links.kind[j]];
  g.src = Int32Array.from(links.source); g.dst = Int32Array.from(links.target); g.ek = ek;
  return g;
}

/* Colours from the page's CSS variables (light or dark, whichever is showing). */
function theme(canvas) {
  var css = getComputedStyle(canvas), ctx = canvas.getContext("2d");
  function v(name) { ctx.fillStyle = "#888"; ctx.fillStyle = css.getPropertyValue(name).trim(); return ctx.fillStyle; }
  var t = { bg: v("--bg"), fg: v("--fg"), muted: v("--muted"), faint: v("--faint"),
    accent: v("--accent"), soft: v("--accent-soft"), guide: v("--guide") };
  var rgb = hex(t.bg), dark = (rgb[0] * 299 + rgb[1] * 587 + rgb[2] * 114) / 1000 < 128;
  t.font = "12px " + (css.fontFamily || "sans-serif");
  t.palette = [];
  for (var k = 0; k < 12; k++) {
    t.palette.push("hsl(" + Math.round((200 + k * 137.5) % 360) + " " + (dark ? 60 : 55) + "% " + (dark ? 66 : 42) + "%)");
  }
  return t;
}
function hex(c) {
  var m = /^#(..)(..)(..)/.exec(c);
  return m ? [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)] : [255, 255, 255];
}

function el(tag, attrs, parent, text) {
  var e = document.createElement(tag);
  for (var a in attrs) e.setAttribute(a, attrs[a]);
  if (text) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}

function Graph(box) {
  this.box = box; this.root = box.dataset.root || ""; this.focus = box.dataset.node || null;
  this.id = ++uid;
  this.status = box.querySelector(".mm-graph-status") || el("p", { class: "mm-graph-status", role: "status" }, box);
  this.opts = { topic: true, tag: true, missing: true, elink: true, eembed: true, eoutline: true,
    etag: true, size: "degree", colour: "folder", depth: 1 };
  this.view = { s: 1, tx: 0, ty: 0 };
  this.hover = -1; this.picked = -1; this.queued = false; this.drawn = false;
}
var P = Graph.prototype;

P.start = function () {
  var self = this;
  if (location.protocol === "file:") {
    self.status.textContent = "The graph is drawn from graph.json, which browsers do not load into a page opened from disk: serve the site (mindmap serve, or any web server) to see it.";
    self.box.classList.add("mm-graph-off");
    return;
  }
  self.status.textContent = "Loading the graph…";
  load(self.box.dataset.graph).then((g) => {
    self.g = g;
    if (self.focus && !g.at.has(self.focus)) throw new Error("this note is not in graph.json");
    self.build();
  }).catch((e) => {
    self.status.textContent = "The graph could not be loaded (" + e.message + ").";
  });
};

/* The controls: real form elements, labelled. */
P.build = function () {
  var self = this, box = self.box, o = self.opts, p = "mm-g" + self.id + "-";
  var bar = el("form", { class: "mm-graph-controls", "aria-label": "Graph controls" });
  bar.addEventListener("submit", (e) => { e.preventDefault(); });
  if (!self.focus) self.finder(bar, p);
  else self.select(bar, p + "depth", "Depth", [["1", "1"], ["2", "2"]], "depth");
  var show = el("fieldset", { class: "mm-graph-set" }, bar);
  el("legend", {}, show, "Show");
  Object.keys(SHOW).forEach((k) => { self.check(show, p + k, SHOW[k], k); });
  var links = el("fieldset", { class: "mm-graph-set" }, bar);
  el("legend", {}, links, "Edges");
  Object.keys(LINKS).forEach((k) => { self.check(links, p + "e-" + k, LINKS[k], "e" + k); });
  self.select(bar, p + "size", "Size", [["degree", "Links"], ["rank", "Centrality"]], "size");
  self.select(bar, p + "colour", "Colour", [["folder", "Folder"], ["community", "Community"]], "colour");
  var zoom = el("div", { class: "mm-graph-zoom", role: "group", "aria-label": "Zoom" }, bar);
  [["+", "Zoom in", 1.5], ["−", "Zoom out", 1 / 1.5], ["Fit", "Fit the whole graph", 0]].forEach((b) => {
    var button = el("button", { type: "button", "aria-label": b[1], title: b[1] }, zoom, b[0]);
    button.addEventListener("click", () => { b[2] ? self.zoomBy(b[2]) : self.fit(); });
  });
  var wrap = el("div", { class: "mm-graph-canvas" });
  var c = self.canvas = el("canvas", { tabindex: "0", role: "img" }, wrap);
  var tip = self.tip = el("div", { class: "mm-graph-tip", "aria-hidden": "true", hidden: "" }, wrap);
  tip.hidden = true;
  box.insertBefore(bar, self.status);
  box.insertBefore(wrap, self.status);
  if (self.focus) self.alt = el("ul", { class: "mm-graph-alt", "aria-label": "Neighbours of this note" }, box);
  self.events();
  self.model();
  self.resize();
  self.fit();
  self.theme = theme(c);
  new ResizeObserver(() => { self.resize(); self.request(); }).observe(wrap);
  var recolour = function () { self.theme = theme(c); self.request(); };
  matchMedia("(prefers-color-scheme: dark)").addEventListener("change", recolour);
  new MutationObserver(recolour).observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme", "class"] });
  self.draw();
  self.status.textContent = self.summary();
};

P.check = function (parent, id, label, field) {
  var self = this, wrap = el("span", { class: "mm-graph-check" }, parent);
  var input = el("input", { type: "checkbox", id: id }, wrap);
  input.checked = self.opts[field];
  el("label", { for: id }, wrap, label);
  // nodes shown or hidden: the view is fitted to what is shown now (edges: it stays put)
  input.addEventListener("change", () => { self.opts[field] = input.checked; self.changed(field in SHOW); });
};

P.select = function (parent, id, label, options, key) {
  var self = this, wrap = el("span", { class: "mm-graph-field" }, parent);
  el("label", { for: id }, wrap, label);
  var s = el("select", { id: id }, wrap);
  options.forEach((o) => { el("option", { value: o[0] }, s, o[1]); });
  s.value = String(self.opts[key]);
  s.addEventListener("change", () => {
    self.opts[key] = key === "depth" ? +s.value : s.value;
    self.changed(key === "depth");
  });
};

P.changed = function (refit) {
  this.model();
  if (this.focus) this.fit(); else if (refit) this.fit();
  this.request();
  this.status.textContent = this.summary();
};

/* The find box: the titles holding what is typed are offered (a datalist): the same title
   first, then those that start with it, then the others; notes before topics, tags and
   missing notes in each. Picking one (or Enter) centres the view on the first. */
P.finder = function (bar, p) {
  var self = this, g = self.g, wrap = el("span", { class: "mm-graph-field mm-graph-find" }, bar);
  el("label", { for: p + "find" }, wrap, "Find");
  var input = el("input", { type: "search", id: p + "find", list: p + "found", autocomplete: "off", placeholder: "a note or topic" }, wrap);
  var list = el("datalist", { id: p + "found" }, wrap), lower = null;
  function rank(q) {
    var buckets = [[], [], [], [], [], []];  // same, start, inside; each: notes, the rest
    lower = lower || g.title.map((t) => t.toLowerCase());
    for (var i = 0; q && i < g.n; i++) {
      var k = self.shown(i) ? lower[i].indexOf(q) : -1;
      if (k < 0) continue;
      var b = (lower[i].length === q.length ? 0 : k === 0 ? 2 : 4) + (g.kind[i] === 0 ? 0 : 1);
      if (buckets[b].length < 12) buckets[b].push(i);
    }
    return [].concat.apply([], buckets).slice(0, 12);
  }
  input.addEventListener("input", () => {
    list.textContent = "";
    rank(input.value.trim().toLowerCase()).forEach((i) => el("option", { value: g.title[i], label: g.kind[i] === 1 ? self.noteTitle(i) : KINDS[g.kind[i]] }, list));
  });
  function go() {
    var q = input.value.trim(), i = rank(q.toLowerCase())[0];
    if (i !== undefined) self.centre(i);
    else if (q) self.status.textContent = "No note or topic shown here has \u201c" + q + "\u201d in its title.";
  }
  input.addEventListener("change", go);
  input.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); go(); } });
};

P.noteTitle = function (i) {
  var id = this.g.ids[i], j = this.g.at.get(id.slice(0, id.indexOf("#")));
  return j === undefined ? "topic" : "in " + this.g.title[j];
};

P.shown = function (i) {
  var k = KINDS[this.g.kind[i]];
  return k === "note" || this.opts[k];
};

/* What is drawn: every node (global) or the focus's neighbourhood (local), with positions. */
P.model = function () {
  var g = this.g, o = this.opts, self = this, m;
  var edgeOn = EDGES.map((k) => { return o["e" + k]; });
  if (!this.focus) {
    m = this.m || { n: g.n, gi: Int32Array.from(g.x.keys()), x: Float32Array.from(g.x), y: Float32Array.from(g.y), es: g.src, ed: g.dst, ek: g.ek };
  } else m = this.local(edgeOn);
  m.on = new Uint8Array(m.n);
  for (var i = 0; i < m.n; i++) m.on[i] = self.shown(m.gi[i]) ? 1 : 0;
  m.edgeOn = edgeOn;
  this.m = m;
  this.sizes();
  this.colours();
  this.adjacency();
};

P.local = function (edgeOn) {
  var g = this.g, start = g.at.get(this.focus), depth = this.opts.depth, self = this;
  if (!g.adj) g.adj = csr(g.n, g.src, g.dst, g.ek);
  var level = new Map([[start, 0]]), parent = new Map(), rings = [[start]], hidden = 0;
  for (var d = 1; d <= depth; d++) {
    var ring = [];
    rings[d - 1].forEach((u) => {
      for (var k = g.adj.start[u]; k < g.adj.start[u + 1]; k++) {
        var v = g.adj.to[k];
        if (!edgeOn[g.adj.kind[k]] || level.has(v) || !self.shown(v)) continue;
        level.set(v, d); parent.set(v, u); ring.push(v);
      }
    });
    if (ring.length > RING_MAX[d]) {  // a hub: its best-linked neighbours only
      hidden += ring.length - RING_MAX[d];
      ring = ring.sort((a, b) => { return (g.degree[b] || 0) - (g.degree[a] || 0) || a - b; }).slice(0, RING_MAX[d]);
    }
    rings.push(ring);
  }
  this.hidden = hidden;
  var gi = [], x = [], y = [], angle = new Map([[start, 0]]), radius = 0;
  rings.forEach((ring, d) => {
    ring.sort((a, b) => { return (angle.get(parent.get(a)) || 0) - (angle.get(parent.get(b)) || 0) || g.kind[a] - g.kind[b] || (g.title[a] < g.title[b] ? -1 : 1); });
    radius = d === 0 ? 0 : radius + Math.max(90, ring.length * 16 / (2 * Math.PI) - radius);
    ring.forEach((v, k) => {
      var a = d === 0 ? 0 : (k + 0.5) / ring.length * 2 * Math.PI - Math.PI / 2;
      angle.set(v, a);
      gi.push(v); x.push(radius * Math.cos(a)); y.push(radius * Math.sin(a));
    });
  });
  var at = new Map(gi.map((v, i) => { return [v, i]; })), es = [], ed = [], ek = [];
  for (var j = 0; j < g.src.length; j++) {
    var s = at.get(g.src[j]), t = at.get(g.dst[j]);
    if (s !== undefined && t !== undefined) { es.push(s); ed.push(t); ek.push(g.ek[j]); }
  }
  this.describe(rings[1] || []);
  return { n: gi.length, gi: Int32Array.from(gi), x: Float32Array.from(x), y: Float32Array.from(y),
    es: Int32Array.from(es), ed: Int32Array.from(ed), ek: Uint8Array.from(ek) };
};

/* The local graph's text alternative: its neighbours as links. */
P.describe = function (ring) {
  var g = this.g, alt = this.alt, root = this.root;
  alt.textContent = "";
  ring.forEach((v) => {
    var li = el("li", {}, alt);
    if (g.url[v]) el("a", { href: root + g.url[v] }, li, g.title[v]);
    else li.textContent = g.title[v] + " (missing)";
  });
};

/* Indices 0..n-1 grouped by key[i] (0..k-1): [order, start of each group]. */
function groups(key, k) {
  var start = new Int32Array(k + 1), order = new Int32Array(key.length);
  for (var i = 0; i < key.length; i++) start[key[i] + 1]++;
  for (var c = 0; c < k; c++) start[c + 1] += start[c];
  var fill = start.slice(0, k);
  for (i = 0; i < key.length; i++) order[fill[key[i]]++] = i;
  return [order, start];
}

function csr(n, src, dst, kind) {
  var count = new Int32Array(n + 1), m = src.length;
  for (var j = 0; j < m; j++) { count[src[j] + 1]++; count[dst[j] + 1]++; }
  for (var i = 0; i < n; i++) count[i + 1] += count[i];
  var fill = count.slice(0, n), to = new Int32Array(2 * m), k = new Uint8Array(2 * m);
  for (j = 0; j < m; j++) {
    to[fill[src[j]]] = dst[j]; k[fill[src[j]]++] = kind[j];
    to[fill[dst[j]]] = src[j]; k[fill[dst[j]]++] = kind[j];
  }
  return { start: count, to: to, kind: k };
}

P.adjacency = function () {
  var m = this.m;
  m.adj = csr(m.n, m.es, m.ed, m.ek);
  m.byKind = groups(m.ek, 4);
};

P.sizes = function () {
  var m = this.m, g = this.g, by = this.opts.size, r = new Float32Array(m.n);
  for (var i = 0; i < m.n; i++) {
    var gi = m.gi[i], v = by === "rank" ? (g.rank[gi] || 100) / 100 : (g.degree[gi] || 0);
    var base = by === "rank" ? 3 + 4 * Math.sqrt(v) : 3 + 1.6 * Math.sqrt(v);
    r[i] = Math.min(g.kind[gi] === 1 ? base * 0.7 : base, 60);
  }
  m.r = r;
  // labels go to notes and tags first, biggest first, then to topics and missing notes: a
  // heading many notes share ("Mind map") names no place on the overview
  var minor = (i) => { var k = g.kind[m.gi[i]]; return k === 1 || k === 3 ? 1 : 0; };
  m.big = Array.from(r.keys()).sort((a, b) => { return minor(a) - minor(b) || r[b] - r[a] || a - b; });
};

/* A colour slot per node: 0-11 the palette (the 12 biggest folders or communities), 12
   other, 13 tags, 14 missing notes. */
P.colours = function () {
  var m = this.m, g = this.g, by = this.opts.colour, slot = new Uint8Array(m.n), count = new Map();
  function key(i) { return by === "community" ? g.community[i] : g.folder[i]; }
  for (var i = 0; i < m.n; i++) {
    var gi = m.gi[i];
    if (g.kind[gi] < 2) count.set(key(gi), (count.get(key(gi)) || 0) + 1);
  }
  var top = Array.from(count.keys()).sort((a, b) => { return count.get(b) - count.get(a) || (a < b ? -1 : 1); }).slice(0, 12);
  var rank = new Map(top.map((k, n) => { return [k, n]; }));
  for (i = 0; i < m.n; i++) {
    gi = m.gi[i];
    var kind = g.kind[gi];
    slot[i] = kind === 2 ? 13 : kind === 3 ? 14 : rank.has(key(gi)) ? rank.get(key(gi)) : 12;
  }
  m.slot = slot;
  m.bySlot = groups(slot, 15);
  this.legend = top;
};

/* The global graph's key: what each colour stands for (a folder or a community, then
   the rest, tags and missing notes as shown), made again when that or the theme changes. */
P.key = function () {
  var t = this.theme, o = this.opts, m = this.m, g = this.g, self = this, hub = new Map();
  if (o.colour === "community") {  // named by its most linked note (else topic)
    var score = (j) => { return (g.kind[j] === 0 ? 1e9 : 0) + (g.degree[j] || 0); };
    for (var j = 0; j < g.n; j++) {
      var c = g.community[j], best = hub.get(c);
      if (g.kind[j] < 2 && (best === undefined || score(j) > score(best))) hub.set(c, j);
    }
  }
  var rows = this.legend.map((k, n) => {
    var name = o.colour !== "community" ? (k || "(top level)")
      : hub.has(k) ? "around " + g.title[hub.get(k)] : "community " + (k + 1);
    return [t.palette[n], name];
  });
  var seen = new Set(), i;
  for (i = 0; i < m.n; i++) if (m.on[i]) seen.add(m.slot[i]);
  if (seen.has(12)) rows.push([t.faint, o.colour === "community" ? "other communities" : "other folders"]);
  if (seen.has(13)) rows.push([t.accent, "tags"]);
  if (seen.has(14)) rows.push([t.faint, "missing notes (dimmed)"]);
  var sign = JSON.stringify(rows);
  if (sign === this.keySign) return;
  this.keySign = sign;
  if (!this.keyList) {
    this.keyList = el("ul", { class: "mm-graph-key", "aria-label": "Key" });
    this.box.insertBefore(this.keyList, this.status.nextSibling);
  }
  this.keyList.textContent = "";
  rows.forEach((r) => {
    var li = el("li", {}, self.keyList);
    el("span", { class: "mm-graph-swatch", style: "background:" + r[0], "aria-hidden": "true" }, li);
    li.appendChild(document.createTextNode(r[1]));
  });
};

P.summary = function () {
  var m = this.m, c = [0, 0, 0, 0], e = 0;
  for (var i = 0; i < m.n; i++) if (m.on[i]) c[this.g.kind[m.gi[i]]]++;
  for (var j = 0; j < m.es.length; j++) if (m.edgeOn[m.ek[j]] && m.on[m.es[j]] && m.on[m.ed[j]]) e++;
  var what = [[c[0], "note"], [c[1], "topic"], [c[2], "tag"], [c[3], "missing note"], [e, "edge"]].map((p) => { return p[0] + " " + p[1] + (p[0] === 1 ? "" : "s"); }).join(", ");
  var label = this.focus
    ? "Local graph of " + this.g.title[this.g.at.get(this.focus)] + " to depth " + this.opts.depth + ": " + what + ". Its neighbours are listed below."
    : "Graph of " + what + ".";
  this.canvas.setAttribute("aria-label", label);
  var more = this.hidden ? " (the " + this.hidden + " least linked neighbours are not drawn)" : "";
  return what + more + (this.focus ? "" : ". Drag to pan, scroll or use the buttons to zoom, click a node to open it.");
};

/* View: screen = world × s + t (CSS pixels). */
P.resize = function () {
  var c = this.canvas, w = c.parentNode.clientWidth, h = c.parentNode.clientHeight, dpr = devicePixelRatio || 1;
  this.w = w; this.h = h; this.dpr = dpr;
  c.width = Math.round(w * dpr); c.height = Math.round(h * dpr);
};

P.fit = function () {
  var m = this.m, xs = [], ys = [];
  for (var i = 0; i < m.n; i++) if (m.on[i]) { xs.push(m.x[i]); ys.push(m.y[i]); }
  if (!xs.length) { this.view = { s: 1, tx: this.w / 2, ty: this.h / 2 }; this.request(); return; }
  xs.sort((a, b) => { return a - b; }); ys.sort((a, b) => { return a - b; });
  var cut = xs.length > 2000 ? Math.floor(xs.length * 0.005) : 0, last = xs.length - 1 - cut;
  var x0 = xs[cut], x1 = xs[last], y0 = ys[cut], y1 = ys[last];
  var pad = Math.min(60, this.w / 8, this.h / 8);  // a margin on screen, for the labels
  var s = Math.min((this.w - 2 * pad) / Math.max(x1 - x0, 1), (this.h - 2 * pad) / Math.max(y1 - y0, 1), 6);
  this.view = { s: s, tx: this.w / 2 - s * (x0 + x1) / 2, ty: this.h / 2 - s * (y0 + y1) / 2 };
  this.request();
};

P.zoomBy = function (f, cx, cy) {
  var v = this.view;
  cx = cx === undefined ? this.w / 2 : cx; cy = cy === undefined ? this.h / 2 : cy;
  var s = Math.max(0.002, Math.min(50, v.s * f));
  v.tx = cx - (cx - v.tx) * s / v.s; v.ty = cy - (cy - v.ty) * s / v.s; v.s = s;
  this.request();
};

P.centre = function (gi) {
  var m = this.m, i = m.gi.indexOf(gi);
  if (i < 0) return;
  var s = Math.max(this.view.s, 1.2);
  this.view = { s: s, tx: this.w / 2 - s * m.x[i], ty: this.h / 2 - s * m.y[i] };
  this.picked = i;
  this.status.textContent = this.g.title[gi] + (this.g.kind[gi] === 3
    ? ": not written yet, so no page to open." : ": Enter on the graph opens it.");
  this.request();
};

/* For tests and tools: where a node is drawn, in the canvas's CSS pixels. */
P.screenOf = function (id) {
  var gi = this.g.at.get(id), m = this.m, i = m.gi.indexOf(gi);
  if (gi === undefined || i < 0) return null;
  return [m.x[i] * this.view.s + this.view.tx, m.y[i] * this.view.s + this.view.ty];
};

/* How much a node grows at zoom s: as the map up to 1, then as its square root, so that
   zooming in spreads nodes that overlap (were they to grow as the map does, they never would). */
function grow(s) { return s > 1 ? Math.sqrt(s) : s; }

P.request = function () {
  var self = this;
  if (self.queued || !self.m) return;
  self.queued = true;
  requestAnimationFrame(() => { self.queued = false; self.draw(); });
};

P.draw = function () {
  var m = this.m, t = this.theme, v = this.view, ctx = this.canvas.getContext("2d"), g = this.g;
  var s = v.s, tx = v.tx, ty = v.ty, w = this.w, h = this.h, hot = this.hover >= 0 ? this.hover : this.picked;
  var x = m.x, y = m.y, on = m.on, r = m.r, near = null, z = grow(s);
  ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
  ctx.fillStyle = t.bg; ctx.fillRect(0, 0, w, h);
  if (hot >= 0) {
    near = new Uint8Array(m.n); near[hot] = 1;
    for (var k = m.adj.start[hot]; k < m.adj.start[hot + 1]; k++) if (m.edgeOn[m.adj.kind[k]]) near[m.adj.to[k]] = 1;
  }
  var many = m.es.length > 3000, colours = [t.muted, t.accent, t.guide, t.soft];
  ctx.lineWidth = 1;
  var eo = m.byKind[0], es = m.byKind[1];
  for (var kind = 0; kind < 4; kind++) {
    if (!m.edgeOn[kind]) continue;
    ctx.beginPath();
    for (var q = es[kind]; q < es[kind + 1]; q++) {
      var j = eo[q], a = m.es[j], b = m.ed[j];
      if (!on[a] || !on[b]) continue;
      var ax = x[a] * s + tx, ay = y[a] * s + ty, bx = x[b] * s + tx, by = y[b] * s + ty;
      if ((ax < 0 && bx < 0) || (ax > w && bx > w) || (ay < 0 && by < 0) || (ay > h && by > h)) continue;
      ctx.moveTo(ax, ay); ctx.lineTo(bx, by);
    }
    ctx.strokeStyle = colours[kind];
    ctx.globalAlpha = near ? 0.08 : many ? 0.35 : 0.7;
    ctx.stroke();
  }
  if (near) {
    ctx.beginPath();
    for (k = m.adj.start[hot]; k < m.adj.start[hot + 1]; k++) {
      if (!m.edgeOn[m.adj.kind[k]] || !on[m.adj.to[k]]) continue;
      ctx.moveTo(x[hot] * s + tx, y[hot] * s + ty); ctx.lineTo(x[m.adj.to[k]] * s + tx, y[m.adj.to[k]] * s + ty);
    }
    ctx.globalAlpha = 1; ctx.strokeStyle = t.accent; ctx.lineWidth = 1.5; ctx.stroke();
  }
  var fills = t.palette.concat([t.faint, t.accent, t.faint]);
  var no = m.bySlot[0], ns = m.bySlot[1], i, sx, sy, rr;
  for (var c = 0; c < 15; c++) {
    ctx.beginPath();
    for (var n = ns[c]; n < ns[c + 1]; n++) {
      i = no[n]; sx = x[i] * s + tx; sy = y[i] * s + ty; rr = Math.max(r[i] * z, 1.5);
      if (!on[i] || sx < -rr || sx > w + rr || sy < -rr || sy > h + rr) continue;
      if (rr < 2.5) ctx.rect(sx - rr, sy - rr, 2 * rr, 2 * rr);
      else { ctx.moveTo(sx + rr, sy); ctx.arc(sx, sy, rr, 0, 2 * Math.PI); }
    }
    ctx.fillStyle = fills[c];
    ctx.globalAlpha = c === 14 ? 0.45 : near ? 0.25 : 1;
    ctx.fill();
  }
  ctx.globalAlpha = 1;
  if (near) {
    for (i = 0; i < m.n; i++) {
      if (!near[i] || !on[i]) continue;
      ctx.beginPath(); ctx.arc(x[i] * s + tx, y[i] * s + ty, Math.max(r[i] * z, 3), 0, 2 * Math.PI);
      ctx.fillStyle = fills[m.slot[i]]; ctx.fill();
      if (i === hot) { ctx.lineWidth = 2; ctx.strokeStyle = t.fg; ctx.stroke(); }
    }
  }
  this.labels(ctx, near, hot);
  if (!this.focus) this.key();
  if (!this.drawn) {
    this.drawn = true;
    var mark = Math.round(performance.now());
    if (this.focus) document.documentElement.dataset.localGraphDrawn = mark;
    else document.documentElement.dataset.graphDrawn = mark;
  }
};

/* Labels of the biggest nodes on screen (more as one zooms in), never overlapping. */
P.labels = function (ctx, near, hot) {
  var m = this.m, t = this.theme, v = this.view, g = this.g, w = this.w, h = this.h, taken = new Set();
  ctx.font = t.font;
  ctx.textAlign = "center"; ctx.textBaseline = "top"; ctx.lineJoin = "round";
  var budget = this.focus ? 400 : 160, drawn = 0;
  function put(i, force) {
    var sx = m.x[i] * v.s + v.tx, sy = m.y[i] * v.s + v.ty, rr = Math.max(m.r[i] * grow(v.s), 1.5);
    if (sx < 0 || sx > w || sy < 0 || sy > h) return;
    var label = g.title[m.gi[i]];
    if (label.length > 40) label = label.slice(0, 39) + "…";
    var half = ctx.measureText(label).width / 2 + 4;
    var lx = 2 * half < w ? Math.min(Math.max(sx, half), w - half) : sx;  // inside the canvas
    var c0 = Math.floor((lx - half) / 40), c1 = Math.floor((lx + half) / 40), cx;
    function free(r0, r1) {
      for (var c = c0; c <= c1; c++) if (taken.has(c * 4096 + r0) || taken.has(c * 4096 + r1)) return false;
      return true;
    }
    // below the node, else above it (where a ring of neighbours leaves room), else none
    var y0 = sy + rr + 2, r0 = Math.floor(y0 / 16), r1 = Math.floor((y0 + 14) / 16);
    if (!force && !free(r0, r1)) {
      y0 = sy - rr - 16; r0 = Math.floor(y0 / 16); r1 = Math.floor((y0 + 14) / 16);
      if (y0 < 0 || !free(r0, r1)) return;
    }
    for (cx = c0; cx <= c1; cx++) { taken.add(cx * 4096 + r0); taken.add(cx * 4096 + r1); }
    ctx.lineWidth = 3; ctx.strokeStyle = t.bg; ctx.strokeText(label, lx, y0);
    ctx.fillStyle = force ? t.fg : t.muted; ctx.fillText(label, lx, y0);
    drawn++;
  }
  if (hot >= 0 && m.on[hot]) put(hot, true);
  // a local graph's own note always has its label, whatever is around it
  var me = this.focus ? m.gi.indexOf(g.at.get(this.focus)) : -1;
  if (me >= 0 && me !== hot && m.on[me] && (!near || near[me])) put(me, true);
  for (var n = 0, tries = 0; n < m.big.length && drawn < budget && tries < budget * 12; n++) {
    var i = m.big[n];
    if (!m.on[i] || i === hot || i === me || (near && !near[i])) continue;
    if (m.r[i] * grow(v.s) < (this.focus ? 0 : 3.5)) continue;  // too small: the next group's may not be
    tries++;
    put(i, false);
  }
};

P.hit = function (px, py) {
  var m = this.m, v = this.view, best = -1, bestD = Infinity;
  for (var i = 0; i < m.n; i++) {
    if (!m.on[i]) continue;
    var dx = m.x[i] * v.s + v.tx - px, dy = m.y[i] * v.s + v.ty - py, d = dx * dx + dy * dy;
    var rr = Math.max(m.r[i] * grow(v.s), 1.5) + 4;
    if (d < rr * rr && d < bestD) { best = i; bestD = d; }
  }
  return best;
};

P.open = function (i) {
  var gi = this.m.gi[i], url = this.g.url[gi];
  if (url) location.href = this.root + url;
};

P.events = function () {
  var self = this, c = self.canvas, drag = null, fingers = new Map(), pinch = null;
  function at(e) { var b = c.getBoundingClientRect(); return [e.clientX - b.left, e.clientY - b.top]; }
  function spread() {  // two fingers: how far apart, and where between them
    var p = Array.from(fingers.values()), a = p[0], b = p[1];
    return { d: Math.hypot(a[0] - b[0], a[1] - b[1]) || 1, x: (a[0] + b[0]) / 2, y: (a[1] + b[1]) / 2 };
  }
  c.addEventListener("pointerdown", (e) => {
    var p = at(e), i = self.hit(p[0], p[1]);
    fingers.set(e.pointerId, p);
    if (fingers.size === 2) { drag = null; pinch = spread(); return; }  // a pinch, not a drag
    drag = { i: i, x: p[0], y: p[1], moved: false, tx: self.view.tx, ty: self.view.ty };
    try { c.setPointerCapture(e.pointerId); } catch (err) { /* not a live pointer */ }
  });
  c.addEventListener("pointermove", (e) => {
    var p = at(e), v = self.view;
    if (fingers.has(e.pointerId)) fingers.set(e.pointerId, p);
    if (pinch && fingers.size === 2) {  // zoom by the fingers' spread, about their middle
      var now = spread();
      v.tx += now.x - pinch.x; v.ty += now.y - pinch.y;
      self.zoomBy(now.d / pinch.d, now.x, now.y);
      pinch = now;
      return;
    }
    if (drag) {
      if (Math.abs(p[0] - drag.x) + Math.abs(p[1] - drag.y) > 4) drag.moved = true;
      if (!drag.moved) return;
      if (drag.i >= 0) { self.m.x[drag.i] = (p[0] - v.tx) / v.s; self.m.y[drag.i] = (p[1] - v.ty) / v.s; }
      else { v.tx = drag.tx + p[0] - drag.x; v.ty = drag.ty + p[1] - drag.y; }
      self.request();
      return;
    }
    var i = self.hit(p[0], p[1]);
    if (i !== self.hover) { self.hover = i; self.tooltip(i, p); self.request(); }
  });
  function lift(e) {
    fingers.delete(e.pointerId);
    if (pinch) { if (!fingers.size) pinch = null; return true; }  // the end of a pinch opens nothing
    return false;
  }
  c.addEventListener("pointerup", (e) => {
    var d = drag;
    drag = null;
    if (lift(e)) return;
    if (d && !d.moved && d.i >= 0 && e.button === 0) self.open(d.i);
  });
  c.addEventListener("pointercancel", (e) => { drag = null; lift(e); });
  c.addEventListener("pointerleave", () => { if (!drag && self.hover >= 0) { self.hover = -1; self.tooltip(-1); self.request(); } });
  c.addEventListener("wheel", (e) => {
    e.preventDefault();
    var p = at(e);
    self.zoomBy(Math.exp(-e.deltaY * (e.deltaMode ? 0.05 : 0.0015)), p[0], p[1]);
  }, { passive: false });
  c.addEventListener("keydown", (e) => {
    var v = self.view, step = 60, keys = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
    if (keys[e.key]) { v.tx += keys[e.key][0]; v.ty += keys[e.key][1]; self.request(); }
    else if (e.key === "+" || e.key === "=") self.zoomBy(1.5);
    else if (e.key === "-") self.zoomBy(1 / 1.5);
    else if (e.key === "0") self.fit();
    else if (e.key === "Enter" && self.picked >= 0) self.open(self.picked);
    else return;
    e.preventDefault();
  });
};

P.tooltip = function (i, p) {
  var tip = this.tip;
  if (i < 0) { tip.hidden = true; this.canvas.style.cursor = ""; return; }
  var gi = this.m.gi[i], g = this.g;
  tip.textContent = g.title[gi] + (g.kind[gi] === 1 ? " — " + this.noteTitle(gi) : g.kind[gi] === 3 ? " (missing)" : "");
  tip.style.left = tip.style.top = "0";  // measured where it has all its width
  tip.hidden = false;
  // above and right of the pointer, off the node's own label (drawn under it), or flipped
  // to the side that has room (the graph's frame clips what overflows it)
  var tw = tip.offsetWidth, th = tip.offsetHeight, x = p[0] + 12, y = p[1] - 12 - th;
  if (x + tw > this.w) x = Math.max(0, p[0] - 12 - tw);
  if (y < 0) y = Math.min(p[1] + 12, Math.max(0, this.h - th));
  tip.style.left = x + "px";
  tip.style.top = y + "px";
  this.canvas.style.cursor = g.url[gi] ? "pointer" : "";
};

window.mmGraph = [];
function setup(box) {
  var graph = new Graph(box);
  window.mmGraph.push(graph);
  if (box.tagName !== "DETAILS") return graph.start();
  var key = "mm-localgraph-open", started = false;
  try { if (localStorage.getItem(key) === "1") box.open = true; } catch (e) { /* private mode */ }
  function go() {
    if (started || !box.open) return;
    var io = new IntersectionObserver((entries) => {
      if (!entries.some((e) => { return e.isIntersecting; }) || started) return;
      started = true; io.disconnect(); graph.start();
    });
    io.observe(box);
  }
  box.addEventListener("toggle", () => {
    try { localStorage.setItem(key, box.open ? "1" : "0"); } catch (e) { /* private mode */ }
    go();
  });
  go();
}
document.querySelectorAll("[data-graph]").forEach(setup);
})();
