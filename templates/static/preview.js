// Hover previews: pointing at a link to another note (or focusing it with the keyboard)
// shows a popover with that note's content, or with just the heading's section or the block
// a link names (#heading, #^block). The page is fetched once and kept; nothing is fetched
// from another site. Opened from disk (file://) the browser forbids reading other files, so
// there are no previews there. Escape or leaving the link closes the popover.
(function () {
  "use strict";
  if (location.protocol === "file:" || !window.fetch || !window.DOMParser) return;
  var pages = {};  // url without hash → Promise<Document | null>
  var box = null;
  var owner = null;
  var timer = 0;
  var MAX_CHILDREN = 12;

  function load(url) {
    if (!pages[url]) {
      pages[url] = fetch(url)
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (t) { return t && new DOMParser().parseFromString(t, "text/html"); })
        .catch(function () { return null; });
    }
    return pages[url];
  }

  // What to show of the target page: the section a heading opens, a block, or the body.
  function excerpt(doc, hash) {
    var body = doc.querySelector(".mm-body");
    if (!body) return null;
    var out = document.createElement("div");
    var el = hash && doc.getElementById(decodeURIComponent(hash));
    if (el && /^H[1-6]$/.test(el.tagName)) {
      var level = +el.tagName[1];
      for (var n = el; n && out.childElementCount < MAX_CHILDREN; n = n.nextElementSibling) {
        if (n !== el && /^H[1-6]$/.test(n.tagName) && +n.tagName[1] <= level) break;
        out.appendChild(n.cloneNode(true));
      }
    } else if (el && body.contains(el)) {
      out.appendChild(el.tagName === "LI" ? wrapItem(el) : el.cloneNode(true));
    } else {
      var kids = body.children;
      for (var i = 0; i < kids.length && i < MAX_CHILDREN; i++) out.appendChild(kids[i].cloneNode(true));
    }
    return out;
  }

  function wrapItem(li) {
    var list = document.createElement(li.parentNode.tagName === "OL" ? "ol" : "ul");
    list.appendChild(li.cloneNode(true));
    return list;
  }

  // Ids would clash with the page's own; relative links point from the other page.
  function adopt(node, base) {
    Array.prototype.forEach.call(node.querySelectorAll("[id]"), function (e) { e.removeAttribute("id"); });
    Array.prototype.forEach.call(node.querySelectorAll("script, .mm-anchor, .mm-fold, .mm-outline-tools"), function (e) {
      e.remove();
    });
    Array.prototype.forEach.call(node.querySelectorAll("[href], [src]"), function (e) {
      ["href", "src"].forEach(function (name) {
        var v = e.getAttribute(name);
        if (v !== null) e.setAttribute(name, new URL(v, base).href);
      });
    });
    return node;
  }

  function show(link) {
    var url = new URL(link.href, location.href);
    var hash = url.hash.slice(1);
    url.hash = "";
    load(url.href).then(function (doc) {
      if (owner !== link || !doc) return;
      var content = excerpt(doc, hash);
      if (!content || !content.childElementCount) return;
      var title = doc.querySelector(".mm-note-header h1");
      hide();
      owner = link;
      box = document.createElement("div");
      box.className = "mm-preview mm-prose";
      box.id = "mm-preview";
      box.setAttribute("role", "tooltip");
      if (title) {
        var head = document.createElement("p");
        head.className = "mm-preview-title";
        head.textContent = title.textContent;
        box.appendChild(head);
      }
      box.appendChild(adopt(content, url.href));
      box.addEventListener("mouseenter", function () { clearTimeout(timer); });
      box.addEventListener("mouseleave", later);
      document.body.appendChild(box);
      link.setAttribute("aria-describedby", "mm-preview");
      place(link);
    });
  }

  // Below the link if it fits, else above; never outside the viewport.
  function place(link) {
    var r = link.getBoundingClientRect();
    var vw = document.documentElement.clientWidth;
    var vh = window.innerHeight;
    var w = Math.min(box.offsetWidth, vw - 16);
    var h = box.offsetHeight;
    var left = Math.max(8, Math.min(r.left, vw - w - 8));
    var top = r.bottom + 8 + h <= vh || r.top - 8 - h < 0 ? r.bottom + 8 : r.top - 8 - h;
    top = Math.max(8, Math.min(top, vh - h - 8));
    box.style.left = left + window.scrollX + "px";
    box.style.top = top + window.scrollY + "px";
  }

  function hide() {
    if (box) box.remove();
    if (owner) owner.removeAttribute("aria-describedby");
    box = null;
    owner = null;
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(hide, 250);
  }

  function target(e) {
    var a = e.target.closest && e.target.closest("a.internal[href]");
    if (!a || a.closest(".mm-preview")) return null;
    var url = new URL(a.href, location.href);
    var path = function (p) { return p.replace(/\/$/, "/index.html"); };
    return path(url.pathname) === path(location.pathname) ? null : a;  // the page itself
  }

  function enter(e, delay) {
    var a = target(e);
    if (!a || a === owner) {
      if (a) clearTimeout(timer);
      return;
    }
    clearTimeout(timer);
    owner = a;
    timer = setTimeout(function () { show(a); }, delay);
  }

  document.addEventListener("mouseover", function (e) { enter(e, 300); });
  document.addEventListener("focusin", function (e) { enter(e, 0); });
  document.addEventListener("mouseout", function (e) { if (target(e) === owner) later(); });
  document.addEventListener("focusout", function (e) { if (target(e) === owner) later(); });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && owner) {
      clearTimeout(timer);
      hide();
    }
  });
  window.addEventListener("scroll", function () { if (box && owner) place(owner); }, { passive: true });
})();
