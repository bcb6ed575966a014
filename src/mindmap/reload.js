// Injected by `mindmap serve` only (a built site never has it): reload the page after every
// rebuild, keeping the scroll position, and show the build's problems in an overlay.
(() => {
  "use strict";
  const script = document.currentScript;
  const epoch = script ? script.dataset.epoch : "";
  const key = "mindmap-scroll:" + location.pathname;

  // Back to where the reader was before the reload.
  const saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    const restore = () => window.scrollTo(0, Number(saved) || 0);
    if (document.readyState === "complete") restore();
    else addEventListener("load", restore);
  }

  // The server sends its epoch on connect and after every rebuild; EventSource reconnects
  // by itself (after a restart too, and then the epoch differs, so the page reloads). Only
  // visible pages listen: browsers allow six connections per server, and a tab that comes
  // back to the front reconnects, sees the new epoch and reloads then.
  let events = null;
  const listen = () => {
    if (events || document.hidden) return;
    events = new EventSource("/_mindmap/events");
    events.onmessage = (event) => {
      if (event.data === epoch) return;
      stop();
      sessionStorage.setItem(key, String(window.scrollY));
      location.reload();
    };
  };
  const stop = () => {
    if (events) events.close();
    events = null;
  };
  document.addEventListener("visibilitychange", () => (document.hidden ? stop() : listen()));
  addEventListener("pagehide", stop);
  addEventListener("pageshow", listen);
  listen();

  // A note page names its source in its footer: `Source: <code>path</code>`.
  const source = (() => {
    for (const code of document.querySelectorAll("footer code")) {
      if (/^\s*Source:/.test(code.parentElement.textContent)) return code.textContent.trim();
    }
    return "";
  })();
  fetch("/_mindmap/status?path=" + encodeURIComponent(source), { cache: "no-store" })
    .then((response) => response.json())
    .then(show)
    .catch(() => {});

  const CSS = `
    :host { all: initial; }
    .panel, .badge { position: fixed; right: 1rem; bottom: 1rem; z-index: 2147483647;
      font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
    .panel { box-sizing: border-box; width: min(46rem, calc(100vw - 2rem)); max-height: 70vh;
      overflow: auto; padding: .8rem 1rem; border-radius: 8px; border: 1px solid #d0d7de;
      border-left: 5px solid #cf222e; background: #ffffff; color: #1f2328;
      box-shadow: 0 10px 30px rgba(0, 0, 0, .25); }
    .panel.warn { border-left-color: #9a6700; }
    .panel[hidden], .badge[hidden] { display: none; }
    h2 { margin: 0 2rem .5rem 0; font-size: 15px; }
    h3 { margin: .75rem 0 .25rem; font-size: 13px; color: #59636e; }
    pre { margin: .35rem 0; padding: .45rem .6rem; white-space: pre-wrap; word-break: break-word;
      font: 12.5px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
      background: #f6f8fa; border-radius: 5px; border-left: 3px solid #9a6700; }
    pre.error { border-left-color: #cf222e; }
    .close { position: absolute; top: .4rem; right: .5rem; border: 0; background: none;
      color: inherit; font-size: 22px; line-height: 1; cursor: pointer; padding: .2rem .4rem; }
    .badge { border: 0; border-radius: 999px; padding: .35rem .85rem; cursor: pointer;
      background: #9a6700; color: #ffffff; font-weight: 600;
      box-shadow: 0 4px 14px rgba(0, 0, 0, .25); }
    @media (prefers-color-scheme: dark) {
      .panel { background: #161b22; color: #e6edf3; border-color: #30363d;
        border-left-color: #ff7b72; }
      .panel.warn { border-left-color: #d29922; }
      h3 { color: #9198a1; }
      pre { background: #0d1117; border-left-color: #d29922; }
      pre.error { border-left-color: #ff7b72; }
      .badge { background: #d29922; color: #0d1117; }
    }`;

  function show(status) {
    const errors = status.diagnostics.filter((d) => d.severity === "error");
    errors.sort((a, b) => (b.path === source) - (a.path === source)); // this page's first
    const mine = status.diagnostics.filter((d) => d.severity !== "error" && d.path === source);
    if (!status.error && !errors.length && !mine.length) return;

    const host = document.createElement("div");
    host.id = "mindmap-dev-overlay";
    const root = host.attachShadow({ mode: "open" });
    const style = document.createElement("style");
    style.textContent = CSS;
    const panel = make("section", "panel" + (status.error || errors.length ? "" : " warn"));
    panel.setAttribute("role", "alert");
    const close = make("button", "close", "\u00d7");
    close.setAttribute("aria-label", "Close");
    close.addEventListener("click", () => host.remove());
    const n = mine.length;
    const title = status.error
      ? "Rebuild failed: showing the last good site"
      : errors.length
        ? `${errors.length} build error${errors.length === 1 ? "" : "s"}`
        : `${n} warning${n === 1 ? "" : "s"} on this page`;
    panel.append(close, make("h2", "", title));
    if (status.error) panel.append(make("pre", "error", status.error));
    for (const d of errors) panel.append(make("pre", "error", d.text));
    if (n && (status.error || errors.length)) panel.append(make("h3", "", "This page"));
    for (const d of mine) panel.append(make("pre", d.severity, d.text));
    root.append(style, panel);
    if (!status.error && !errors.length) {
      const badge = make("button", "badge", `\u26a0 ${n} warning${n === 1 ? "" : "s"}`);
      badge.addEventListener("click", () => {
        panel.hidden = false;
        badge.hidden = true;
      });
      panel.hidden = true;
      root.append(badge);
    }
    document.documentElement.append(host);
  }

  function make(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }
})();
