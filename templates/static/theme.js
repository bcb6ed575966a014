// The theme toggle: light or dark, chosen once and kept for the whole site (localStorage
// "mindmap-theme"; a small script in <head> applies it before the page paints). Until the
// reader chooses, the system's preference rules (mindmap.css's media queries), and the
// button follows it. Without JavaScript the button stays hidden.
(function () {
  "use strict";
  var root = document.documentElement;
  var key = "mindmap-theme";
  var button = document.querySelector(".mm-theme");
  if (!button) return;
  var system = window.matchMedia("(prefers-color-scheme: dark)");

  function current() {
    return root.dataset.theme || (system.matches ? "dark" : "light");
  }
  function show() {
    var dark = current() === "dark";
    button.setAttribute("aria-pressed", dark ? "true" : "false");
    button.title = dark ? "Switch to the light theme" : "Switch to the dark theme";
  }
  button.addEventListener("click", function () {
    var next = current() === "dark" ? "light" : "dark";
    root.dataset.theme = next;
    try {
      localStorage.setItem(key, next);
    } catch (e) { /* private mode: the choice lasts for this page only */ }
    show();
  });
  system.addEventListener("change", show);
  window.addEventListener("storage", function (e) {  // another tab chose
    if (e.key === key && (e.newValue === "dark" || e.newValue === "light")) {
      root.dataset.theme = e.newValue;
      show();
    }
  });
  button.hidden = false;
  show();
})();
