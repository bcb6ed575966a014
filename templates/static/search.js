// Full-text search over the notes, with the Pagefind index the build writes into pagefind/:
// one index, or several shards (pagefind/shards.json lists them) searched as one: the first
// shard's script loads, the others are merged into it and results are ranked together.
// The header's "Search" link opens a dialog (so do "/" and Ctrl-K or Cmd-K, when not typing);
// search.html shows the same box in the page. Pagefind's script is imported only when search
// is opened, and its index chunks only as a query needs them. Without JavaScript the link
// leads to search.html, which says why there is no search box and links to the note lists.
(function () {
  "use strict";
  var opener = document.querySelector(".mm-search-open");
  if (!opener) return;
  var root = opener.getAttribute("data-root") || "";
  var host = document.querySelector("[data-search-inline]");  // search.html
  var ui = null, dialog = null, back = null, pagefind = null;
  var shown = [], active = -1, asked = 0, results = [], term = "";
  var PAGE = 10;  // results shown at a time (each loads its fragment)

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  function build() {
    var box = el("div", "mm-search");
    var form = el("form", "mm-search-form");
    form.setAttribute("role", "search");
    var label = el("label", "mm-sr", "Search the notes");
    var input = el("input");
    label.htmlFor = input.id = "mm-search-q";
    input.type = "search";
    input.placeholder = "Search the notes";
    input.autocomplete = "off";
    input.spellcheck = false;
    var attrs = { role: "combobox", "aria-controls": "mm-search-results",
      "aria-expanded": "false", "aria-autocomplete": "list" };
    for (var k in attrs) input.setAttribute(k, attrs[k]);
    form.append(label, input);
    var status = el("p", "mm-search-status");
    status.setAttribute("role", "status");
    var list = el("ul", "mm-search-results");
    list.id = "mm-search-results";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Results");
    var more = el("button", "mm-search-more", "Show more results");
    more.type = "button";
    more.hidden = true;
    more.addEventListener("click", showMore);
    box.append(form, status, list, more);
    form.addEventListener("submit", function (e) { e.preventDefault(); go(); });
    input.addEventListener("input", function () { search(input.value); });
    input.addEventListener("keydown", keys);
    return { box: box, form: form, input: input, status: status, list: list, more: more };
  }

  function say(text) { ui.status.textContent = text; }

  function load() {
    if (location.protocol === "file:") {
      say("Search needs a web server: a page opened from a file cannot load the search index. " +
        "Serve the site (mindmap serve, or any static web server) and search there.");
      return null;
    }
    if (!pagefind) {
      var base = new URL(root + "pagefind/", document.baseURI).href;
      pagefind = fetch(base + "shards.json").then(function (r) {
        if (!r.ok) throw new Error("no index");
        return r.json();
      }).then(function (list) {
        var shards = list.shards.map(function (s) { return base + s; });
        return import(shards[0] + "pagefind.js").then(function (pf) {
          // urls from the site's root ("/notes/a.html"), whatever the server's path
          return pf.options({ excerptLength: 24, baseUrl: "/" }).then(function () {
            pf.init();  // its WebAssembly and metadata load while the reader types
            return Promise.all(shards.slice(1).map(function (s) {
              return pf.mergeIndex(s, { baseUrl: "/" });
            }));
          }).then(function () { return pf; });
        });
      });
      pagefind.catch(function () {
        say("The search index could not be loaded: it is made when the site is built.");
      });
    }
    return pagefind;
  }

  function search(query) {
    var n = ++asked, loading = load();
    query = query.trim();
    if (!loading) return;
    if (!query) { results = []; term = ""; show([]); return; }
    loading.then(function (pf) { return pf.debouncedSearch(query, {}, 100); })
      .then(function (found) {
        if (!found || n !== asked) return null;  // a newer query took over
        var top = found.results.slice(0, PAGE).map(function (r) { return r.data(); });
        return Promise.all(top).then(function (data) {
          if (n !== asked) return;
          term = query;
          results = data.length && data.every(function (d) { return farFetched(d, query); })
            ? [] : found.results;
          show(results.length ? data : []);
        });
      })
      .catch(function () { if (n === asked) say("Search failed; try again."); });
  }

  // Pagefind, finding no word that starts with a query's word, cuts the word shorter until
  // one does ("xylophone" finds "x."): a result whose every match is a word at most half as
  // long as the query's, and the start of it, is no answer to it; nor is one with no match
  // in its excerpt unless a word of its title answers. When all are, none is shown (a typo
  // that keeps more than half the word, "instalation", still finds "install").
  function farFetched(d, query) {
    var words = wordsOf(query).filter(function (w) { return w.length > 1; });
    var marks = (d.excerpt.match(/<mark>[^<]*<\/mark>/g) || []).map(function (m) {
      return fold(m.slice(6, -7));  // Pagefind marks "x." or "(q:" with their punctuation
    }).filter(Boolean);
    if (!words.length) return false;
    if (marks.length) {
      return marks.every(function (m) {
        return words.some(function (w) { return w.indexOf(m) === 0 && m.length * 2 <= w.length; });
      });
    }
    return !wordsOf(titleOf(d)).some(function (t) {
      return words.some(function (w) {
        return t.indexOf(w) === 0 || (w.indexOf(t) === 0 && t.length * 2 > w.length);
      });
    });
  }

  function fold(text) { return text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ""); }
  function wordsOf(text) { return text.split(/\s+/).map(fold).filter(Boolean); }
  function titleOf(d) { return (d.meta && d.meta.title) || ""; }

  // The next results of the same query, after those shown (the first of them selected).
  function showMore() {
    var n = asked, from = shown.length;
    var next = results.slice(from, from + PAGE).map(function (r) { return r.data(); });
    Promise.all(next).then(function (data) {
      if (n !== asked) return;
      show(shown.concat(data), from);
      // the button is gone: back to the query, without scrolling the page away from the
      // results just shown (the first of them is selected and in view)
      if (ui.more.hidden) ui.input.focus({ preventScroll: true });
    }).catch(function () { if (n === asked) say("Search failed; try again."); });
  }

  function show(data, first) {
    var total = results.length;
    shown = data;
    ui.list.textContent = "";
    data.forEach(function (d, i) {
      var li = el("li", "mm-search-result");
      li.setAttribute("role", "none");  // the link is the option: no control inside a control
      var a = el("a");
      a.id = "mm-search-r" + i;
      a.setAttribute("role", "option");
      var at = section(d, term || "");
      a.href = root + at.url.replace(/^\//, "");
      a.tabIndex = -1;
      a.append(el("span", "mm-search-title", d.meta.title || d.url));
      if (d.meta.folder) a.append(el("span", "mm-search-folder", d.meta.folder));
      a.append(excerpt(at.excerpt));
      li.append(a);
      li.addEventListener("mousemove", function () { select(i); });
      ui.list.append(li);
    });
    ui.input.setAttribute("aria-expanded", data.length ? "true" : "false");
    select(data.length ? first || 0 : -1);
    ui.more.hidden = total <= data.length;
    var more = total > data.length ? " (the first " + data.length + " shown)" : "";
    say(!term ? "" : total ? total + (total === 1 ? " note" : " notes") + more
      : "No note matches \u201c" + term + "\u201d.");
  }

  // Where a result leads: to the section (from a heading with an id) holding most of its
  // matches, with that section's excerpt, so that the note opens at them; to the page's top
  // when the query is the note's title (every word starts a word of it), or when the matches
  // are in the title's section or before any heading.
  function section(d, query) {
    var title = wordsOf(titleOf(d)), words = wordsOf(query);
    var named = words.length && words.every(function (w) {
      return title.some(function (t) { return t.indexOf(w) === 0; });
    });
    var best = null;
    (d.sub_results || []).forEach(function (s) {
      if (!best || (s.locations || []).length > (best.locations || []).length) best = s;
    });
    var own = best && best.url.indexOf("#") > 0 && best.title !== d.meta.title;
    return !named && own ? best : d;
  }

  // Pagefind's excerpt is escaped text with <mark> around the matches: text nodes and <mark>s.
  function excerpt(html) {
    var out = el("span", "mm-search-excerpt"), parse = new DOMParser();
    html.split(/<\/?mark>/).forEach(function (part, i) {
      var text = parse.parseFromString("<p>" + part, "text/html").body.textContent;
      if (!(i % 2)) { out.append(document.createTextNode(text)); return; }
      // Pagefind marks a word with the punctuation around it ("(Molaison)."): not that
      var m = text.match(/^([^\p{L}\p{N}]*)([\s\S]*?)([^\p{L}\p{N}]*)$/u);
      if (m[2]) out.append(m[1], el("mark", "", m[2]), m[3]);
      else out.append(el("mark", "", text));
    });
    return out;
  }

  function select(i) {
    active = i;
    Array.prototype.forEach.call(ui.list.children, function (li, j) {
      li.firstChild.setAttribute("aria-selected", j === i ? "true" : "false");
    });
    if (i < 0) { ui.input.removeAttribute("aria-activedescendant"); return; }
    ui.input.setAttribute("aria-activedescendant", "mm-search-r" + i);
    ui.list.children[i].scrollIntoView({ block: "nearest" });
  }

  function go() {
    var li = ui.list.children[active < 0 ? 0 : active];
    if (li) location.href = li.firstChild.href;
  }

  function keys(e) {
    var n = shown.length;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (n) select((active + (e.key === "ArrowDown" ? 1 : n - 1)) % n);
    } else if (e.key === "Escape" && dialog) {
      e.preventDefault();
      dialog.close();
    }
  }

  function open() {
    if (!ui) mount();
    if (dialog && !dialog.open) {
      back = document.activeElement;
      dialog.showModal();
    }
    ui.input.focus();
    ui.input.select();
    if (ui.input.value) search(ui.input.value); else load();
  }

  function mount() {
    ui = build();
    if (host) {
      host.textContent = "";
      host.append(ui.box);
      return;
    }
    dialog = el("dialog", "mm-search-dialog");
    dialog.setAttribute("aria-label", "Search");
    var close = el("button", "mm-search-close", "Esc");
    close.type = "button";
    close.setAttribute("aria-label", "Esc: close search");  // the name holds what it shows
    close.addEventListener("click", function () { dialog.close(); });
    ui.form.append(close);
    ui.box.append(el("p", "mm-search-hint", "\u2191 \u2193 to choose, Enter to open, Esc to close"));
    dialog.append(ui.box);
    dialog.addEventListener("click", function (e) { if (e.target === dialog) dialog.close(); });
    dialog.addEventListener("keydown", function (e) {  // Tab stays in the dialog
      if (e.key !== "Tab") return;
      // what Tab goes through, in order: the results list too when it scrolls (the browser
      // lets the keyboard focus a scrolling box), the button when there are more
      var ends = [ui.input, close];
      if (ui.list.scrollHeight > ui.list.clientHeight) ends.push(ui.list);
      if (!ui.more.hidden) ends.push(ui.more);
      var at = ends.indexOf(document.activeElement), last = ends.length - 1;
      if (at === (e.shiftKey ? 0 : last) || at < 0) {
        e.preventDefault();
        ends[e.shiftKey ? last : 0].focus();
      }
    });
    dialog.addEventListener("close", function () {
      if (back && back.focus) back.focus();
      back = null;
    });
    document.body.append(dialog);
  }

  opener.setAttribute("role", "button");
  opener.setAttribute("aria-haspopup", host ? "false" : "dialog");
  opener.addEventListener("click", function (e) {
    if (e.ctrlKey || e.metaKey || e.shiftKey || e.button) return;  // a new tab: search.html
    e.preventDefault();
    open();
  });
  opener.addEventListener("keydown", function (e) {
    if (e.key === " ") { e.preventDefault(); open(); }
  });
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.defaultPrevented || e.altKey || (t && (t.isContentEditable ||
        /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)))) return;
    var mod = e.ctrlKey || e.metaKey;
    if ((e.key === "/" && !mod) || (mod && (e.key === "k" || e.key === "K"))) {
      e.preventDefault();
      open();
    }
  });
  if (host) {
    mount();
    var q = new URLSearchParams(location.search).get("q");
    if (q) ui.input.value = q;
    open();
  }
})();
