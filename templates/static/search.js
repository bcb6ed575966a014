// Full-text search over the notes, with the index the build writes into search-index/
// (src/mindmap/search.py): index.json (the chunks' first terms and files) loads afresh when
// search opens, then a query fetches only the chunks of its words' terms, and each result
// shown its row of a page table and its note page, from which the excerpt is cut. Files but
// index.json are named by their bytes' hash: when one is gone (the site was rebuilt since
// index.json loaded), index.json is loaded again and the query asked again, once. Words are cut into terms as
// src/mindmap/words.py does (`words`, `term`). A query's words must all be found; each
// matches the terms it starts (from two letters on) or equals, ranked by BM25.
// The header's "Search" link opens a dialog (so do "/" and Ctrl-K or Cmd-K, when not typing);
// search.html shows the same box in the page. Without JavaScript the link leads to
// search.html, which says why there is no search box and links to the note lists.
(function () {
  "use strict";
  var opener = document.querySelector(".mm-search-open");
  if (!opener) return;
  var root = opener.getAttribute("data-root") || "";
  var host = document.querySelector("[data-search-inline]");  // search.html
  var ui = null, dialog = null, back = null, index = null, timer = 0;
  var shown = [], active = -1, asked = 0, results = [], answered = "", looked = [];
  var PAGE = 10;  // results shown at a time (each loads its note page for the excerpt)
  var EXCERPT = 24, BEFORE = 6;  // words in an excerpt; of them, before the first match
  var LONGEST = 80;  // characters of a word in an excerpt: a longer one is cut
  var LONG_WORD = new RegExp("\\S{" + (LONGEST + 1) + ",}", "g");
  var MAX_CHUNKS = 8;  // a word's prefix spans at most this many chunks (the rest unread)
  var fetched = Object.create(null);  // url → promise of its JSON or text
  var moreUnderWay = null, goAfter = false;  // "Show more" loading; Enter before results

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

  // --- words and terms: exactly as src/mindmap/words.py cuts them ---
  var CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f\u{20000}-\u{3134f}]/u;
  var CJK_SPLIT = new RegExp("(" + CJK.source + ")", "u");
  var WORD = /[\p{L}\p{N}\p{M}\u00ad\u200c\u200d]+/gu;  // letters, digits, marks, joiners
  // elements whose edges part words (words.py `_BLOCK`); other tags do not:
  // un<em>believ</em>able is one word
  var BLOCKS = "p,li,ul,ol,div,h1,h2,h3,h4,h5,h6,blockquote,pre,table,thead,tbody,tr,td,th," +
    "dl,dt,dd,br,hr,section,details,summary,figure,figcaption,aside,nav,header,footer,img," +
    "iframe,video,audio,math,mtr,mtd,mrow,mi,mo,mn";

  var LINES = "h1,h2,h3,h4,h5,h6,p,li,dt,dd,th,td,summary,figcaption,pre";

  // The words of a text with where they are: [start, end, word], CJK characters one by one.
  function spans(text) {
    var out = [], m;
    WORD.lastIndex = 0;
    while ((m = WORD.exec(text))) {
      if (!CJK.test(m[0])) { out.push([m.index, m.index + m[0].length, m[0]]); continue; }
      var at = m.index;
      m[0].split(CJK_SPLIT).forEach(function (p) {
        if (p) out.push([at, at + p.length, p]);
        at += p.length;
      });
    }
    return out;
  }

  function words(text) { return spans(text).map(function (s) { return s[2]; }); }

  function term(word) {
    var w = word.toLowerCase();
    if (/[^\x00-\x7f]/.test(w)) {
      w = w.normalize("NFKD").replace(/[\p{M}\u00ad\u200c\u200d]/gu, "").toLowerCase();
    }
    if (w.length > 4 && /ies$/.test(w)) return w.slice(0, -3) + "y";
    if (w.length > 4 && /(sses|xes|zes|ches|shes)$/.test(w)) return w.slice(0, -2);
    if (w.length > 3 && /s$/.test(w) && !/(ss|us|is)$/.test(w)) return w.slice(0, -1);
    return w;
  }

  // A query's terms, each once; `prefix`: it also finds the terms it starts (not a lone
  // letter, nor a CJK character, which is a word of its own).
  function queryTerms(query) {
    var seen = Object.create(null), out = [];
    words(query.normalize("NFC")).forEach(function (w) {
      var t = term(w);
      if (!t || seen[t]) return;
      seen[t] = true;
      out.push({ t: t, prefix: t.length > 1 && !CJK.test(t) });
    });
    return out;
  }

  function matches(q, t) { return t === q.t || (q.prefix && t.indexOf(q.t) === 0); }

  // --- the index's files ---
  function get(url, as) {
    if (!fetched[url]) {
      fetched[url] = fetch(url).then(function (r) {
        if (!r.ok) throw new Error(url + ": " + r.status);
        return as === "text" ? r.text() : r.json();
      });
      fetched[url].catch(function () { delete fetched[url]; });  // tried again next time
    }
    return fetched[url];
  }

  function load() {
    if (location.protocol === "file:") {
      say("Search needs a web server: a page opened from a file cannot load the search index. " +
        "Serve the site (mindmap serve, or any static web server) and search there.");
      return null;
    }
    if (!index) {
      var base = new URL(root + "search-index/", document.baseURI).href;
      // asked afresh (a cached one may name files a rebuild of the site has replaced)
      index = indexJson(base).then(function (raw) {
        var meta = JSON.parse(raw);
        if (meta.format !== 2) throw new Error("unknown index format");
        return { meta: meta, base: base, raw: raw };
      });
      index.catch(function () {
        index = null;
        say("The search index could not be loaded: it is made when the site is built.");
      });
    }
    return index;
  }

  // The chunks that may hold a query term's matches: the one where the term would be, and
  // those after it that start with it (terms are in order).
  // index.json, asked afresh (a cached one may name files a rebuild of the site replaced)
  function indexJson(base) {
    return fetch(base + "index.json", { cache: "no-cache" }).then(function (r) {
      if (!r.ok) throw new Error("no index: " + r.status);
      return r.text();
    });
  }

  // The index's files are gone: the site was rebuilt since index.json loaded. Forget it and
  // what came with it; the caller asks again, once.
  function reload() {
    index = null;
    fetched = Object.create(null);
    return load();
  }

  // A query found nothing: the site may have been rebuilt since index.json loaded (a page
  // left open). The newer index when index.json changed (the caller asks again), else null.
  function newer(ix) {
    return indexJson(ix.base).then(function (raw) { return raw === ix.raw ? null : reload(); });
  }

  function chunksFor(ix, q) {
    var list = ix.meta.chunks, lo = 0, hi = list.length - 1, at = 0;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (list[mid][0] <= q.t) { at = mid; lo = mid + 1; } else hi = mid - 1;
    }
    var names = list.length ? [list[at][1]] : [];
    for (var j = at + 1; q.prefix && j < list.length && names.length < MAX_CHUNKS; j++) {
      if (list[j][0].indexOf(q.t) !== 0) break;
      names.push(list[j][1]);
    }
    return names;
  }

  // The index's terms that a query term finds, with their postings: [[t, rows], ...]. A term
  // that finds none is cut shorter, a letter at a time, while it keeps more than half of its
  // letters and at least 3: a typo late in a word ("instalation") still finds the word.
  function lookUp(ix, q) {
    return Promise.all(chunksFor(ix, q).map(function (name) { return get(ix.base + name); }))
      .then(function (chunks) {
        var found = [], whole = q.whole || q.t.length, len = q.t.length - 1;
        chunks.forEach(function (chunk) {
          Object.keys(chunk).forEach(function (t) { if (matches(q, t)) found.push([t, chunk[t]]); });
        });
        if (found.length || !q.prefix || len < 3 || len * 2 <= whole) return { q: q, found: found };
        return lookUp(ix, { t: q.t.slice(0, len), prefix: true, whole: whole });
      });
  }

  // Pages that hold every query term, best first: BM25 (the build's term weight times the
  // term's rarity), a term found by its start weighing less the more it adds; with each
  // page's weight of matches by section. Also the terms as looked up (`lookUp`).
  function rank(ix, query) {
    return Promise.all(queryTerms(query).map(function (q) { return lookUp(ix, q); }))
      .then(function (looked) {
      var total = ix.meta.pages, found = null;
      looked.forEach(function (one) {
        var mine = {}, q = one.q;
        one.found.forEach(function (pair) {
          var t = pair[0], rows = pair[1], df = rows.length;
          var idf = Math.log(1 + (total - df + 0.5) / (df + 0.5));
          var factor = t === q.t ? 1 : 0.5 + 0.5 * q.t.length / t.length;
          rows.forEach(function (row) {
            var hit = mine[row[0]] || (mine[row[0]] = { score: 0, sections: {} });
            hit.score = Math.max(hit.score, idf * factor * row[1] / 1000);
            for (var k = 2; k < row.length; k += 2) {
              hit.sections[row[k]] = (hit.sections[row[k]] || 0) + row[k + 1];
            }
          });
        });
        if (!found) { found = mine; return; }
        var both = {};
        Object.keys(found).forEach(function (page) {
          var hit = mine[page];
          if (!hit) return;
          var was = found[page];
          Object.keys(hit.sections).forEach(function (s) {
            was.sections[s] = (was.sections[s] || 0) + hit.sections[s];
          });
          was.score += hit.score;
          both[page] = was;
        });
        found = both;
      });
      var terms = looked.map(function (one) { return one.q; });
      var hits = Object.keys(found || {}).map(function (page) {
        return { page: +page, score: found[page].score, sections: found[page].sections };
      }).sort(function (a, b) { return b.score - a.score || a.page - b.page; });
      return { hits: hits, terms: terms };
    });
  }

  // What a result shows: title, folder, and the section it leads to, with an excerpt cut
  // from the note page around the first of the query's words there.
  function data(ix, hit, terms) {
    var per = ix.meta.perFile, file = ix.base + ix.meta.tables[Math.floor(hit.page / per)];
    return get(file).then(function (rows) {
      var row = rows[hit.page % per], d = { url: row[0], title: row[1], folder: row[2] };
      var at = section(row, hit, terms), url = new URL(root + row[0], document.baseURI).href;
      d.href = row[0] + (at ? "#" + encodeURIComponent(at) : "");
      return get(url, "text").then(function (html) {
        d.excerpt = excerpt(sectionText(html, row[3], at), terms);
        if (!named(row, terms)) d.href += textDirective(d.excerpt, at);
        return d;
      }, function () { d.excerpt = []; return d; });
    });
  }

  // A text fragment (`#:~:text=`): the browser scrolls to the excerpt's first marked word
  // and highlights it, after the word before it when the excerpt has one (a match in a
  // bullet deep in a section is found, not only the section's heading). Where the page
  // does not hold that text as shown (a folded bullet), the browser goes to the section.
  function textDirective(parts, at) {
    var k = parts.findIndex(function (p) { return p[1]; });
    if (k < 0) return "";
    var before = k > 0 ? /(?:^|\s)([^\s\u00b7\u2026]+)\s+$/.exec(parts[k - 1][0]) : null;
    function enc(t) { return encodeURIComponent(t).replace(/-/g, "%2D"); }
    var text = (before ? enc(before[1]) + "-," : "") + enc(parts[k][0]);
    return (at ? "" : "#") + ":~:text=" + text;
  }

  // Where a result leads: to the section (a heading) holding most of its matches, so that
  // the note opens at them; to the page's top when the query is the note's title (every
  // word starts a word of it), or when the matches are at its top ("").
  function named(row, terms) {  // every word of the query starts a word of the title
    var title = words(row[1]).map(term);
    return terms.length > 0 && terms.every(function (q) {
      return title.some(function (t) { return t.indexOf(q.t) === 0; });
    });
  }
  function section(row, hit, terms) {
    var best = 0, most = -1;
    Object.keys(hit.sections).forEach(function (s) {
      if (hit.sections[s] > most) { most = hit.sections[s]; best = +s; }
    });
    return named(row, terms) || !row[3][best] ? "" : row[3][best];
  }

  // The text of one section of a note page (its top: ""), as the index counted it: the
  // article's searched part, without what the page marks data-search-ignore.
  function sectionText(html, sections, anchor) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var body = doc.querySelector("[data-search-body]");
    if (!body) return "";
    // not text: shapes, scripts and what the index leaves out
    body.querySelectorAll("[data-search-ignore], .mm-mindview, svg, script, style")
      .forEach(function (e) { e.remove(); });
    body.querySelectorAll(BLOCKS).forEach(function (e) {  // a block's edges part words
      e.before(" ");
      e.after(" ");
    });
    // where a line of text ends (a heading, a paragraph, a bullet before its sub-bullets):
    // "\u0001", a " · " in the excerpt unless a stop ends the line ("brain side · While")
    body.querySelectorAll(LINES).forEach(function (e) {
      var sub = e.tagName === "LI" && e.querySelector(":scope > ul, :scope > ol");
      if (sub) sub.before("\u0001");
      e.append("\u0001");
    });
    var ids = Object.create(null), current = "", parts = [];
    sections.forEach(function (a) { if (a) ids[a] = true; });
    var walk = doc.createTreeWalker(body, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    for (var node = walk.nextNode(); node; node = walk.nextNode()) {
      if (node.nodeType === 1) {
        if (/^H[1-6]$/.test(node.tagName) && ids[node.id]) current = node.id;
      } else if (current === anchor) {
        parts.push(node.data);
      }
    }
    var text = parts.join("").replace(/\s+/g, " ");
    text = text.replace(/^[\s\u0001]+|[\s\u0001]+$/g, "");
    return text.replace(/([.!?:;,\u2026])?\s*\u0001[\s\u0001]*/g, function (_m, stop) {
      return stop ? stop + " " : " \u00b7 ";
    });
  }

  // EXCERPT words of the text from shortly before the first word that a query term finds,
  // as parts: [text, marked].
  function excerpt(text, terms) {
    var found = spans(text);
    var hits = found.map(function (s) {
      var t = term(s[2]);
      return terms.some(function (q) { return matches(q, t); });
    });
    var first = hits.indexOf(true), from = Math.max(0, first - BEFORE);
    var to = Math.min(found.length, from + EXCERPT);
    if (!found.length) return [];
    // from and to the space around: "don't" is two words to the index, one to a reader
    var start = found[from][0], end = found[to - 1][1];
    while (start > 0 && !/\s/.test(text.charAt(start - 1))) start--;
    while (end < text.length && !/\s/.test(text.charAt(end))) end++;
    var out = [], pos = start;
    if (/\S/.test(text.slice(0, start))) out.push(["\u2026 ", false]);
    for (var i = from; i < to; i++) {
      if (!hits[i]) continue;
      out.push([text.slice(pos, found[i][0]), false], [found[i][2], true]);
      pos = found[i][1];
    }
    out.push([text.slice(pos, end), false]);
    if (/\S/.test(text.slice(end))) out.push([" \u2026", false]);
    return out.map(function (part) {  // a word of thousands of letters is shown cut
      return [part[0].replace(LONG_WORD, function (w) {
        return w.slice(0, LONGEST) + "\u2026";
      }), part[1]];
    });
  }

  function search(query) {
    var n = ++asked, loading = load();
    goAfter = false;
    query = query.trim();
    clearTimeout(timer);
    if (!loading) return;
    if (!query) { results = []; answered = ""; show([]); return; }
    // The query's results (found nothing: index.json is asked again first, in case the
    // site was rebuilt while this page was open), shown.
    var ask = function (ix, again) {
      return rank(ix, query).then(function (found) {
        if (n !== asked) return null;  // a newer query took over
        if (found.hits.length || again) return answer(ix, found);
        return newer(ix).then(function (fresh) {
          return fresh ? ask(fresh, true) : answer(ix, found);
        });
      });
    };
    var answer = function (ix, found) {
      return Promise.all(found.hits.slice(0, PAGE).map(function (hit) {
        return data(ix, hit, found.terms);
      })).then(function (first) {
        if (n !== asked) return;
        answered = query;
        looked = found.terms;
        results = found.hits;
        show(first);
        if (goAfter) { goAfter = false; go(); }
      });
    };
    timer = setTimeout(function () {  // the query once typing pauses
      timer = 0;
      loading.then(function (ix) { return ask(ix, false); }).catch(function () {
        // a file gone: the site was rebuilt
        return n === asked ? reload().then(function (ix) { return ask(ix, true); }) : null;
      }).catch(function () { if (n === asked) say("Search failed; try again."); });
    }, 100);
  }

  // The next results of the same query, after those shown (the first of them selected).
  function showMore() {
    if (moreUnderWay) return;  // a second click while the first one's results load
    var n = asked, from = shown.length;
    moreUnderWay = load().then(function (ix) {
      return Promise.all(results.slice(from, from + PAGE).map(function (hit) {
        return data(ix, hit, looked);
      }));
    }).then(function (next) {
      moreUnderWay = null;
      if (n !== asked) return;
      show(shown.concat(next), from);
      // the button is gone: back to the query, without scrolling the page away from the
      // results just shown (the first of them is selected and in view)
      if (ui.more.hidden) ui.input.focus({ preventScroll: true });
    }).catch(function () {
      moreUnderWay = null;
      if (n === asked) say("Search failed; try again.");
    });
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
      a.href = root + d.href;
      a.tabIndex = -1;
      a.append(el("span", "mm-search-title", d.title || d.url));
      if (d.folder) a.append(el("span", "mm-search-folder", d.folder));
      var ex = el("span", "mm-search-excerpt");
      d.excerpt.forEach(function (part) {
        ex.append(part[1] ? el("mark", "", part[0]) : document.createTextNode(part[0]));
      });
      a.append(ex);
      li.append(a);
      li.addEventListener("mousemove", function () { select(i); });
      ui.list.append(li);
    });
    ui.input.setAttribute("aria-expanded", data.length ? "true" : "false");
    select(data.length ? first || 0 : -1);
    ui.more.hidden = total <= data.length;
    var more = total > data.length ? " (the first " + data.length + " shown)" : "";
    say(!answered ? "" : total ? total + (total === 1 ? " note" : " notes") + more
      : "No note matches \u201c" + answered + "\u201d.");
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

  // Enter: the chosen result; typed before the results of what the box holds came, the
  // first of those results once they come.
  function go() {
    if (timer || answered !== ui.input.value.trim()) {
      goAfter = !!ui.input.value.trim();
      return;
    }
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
