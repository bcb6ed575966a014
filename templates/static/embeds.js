// A video embedded from YouTube (![](https://www.youtube.com/watch?v=…)) is a card linking
// to it: nothing is fetched from another host until the reader asks. A click (or Enter) on
// the card puts the player in its place, from youtube-nocookie.com; a click with a modifier
// key, or without this script, follows the link.
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var card = e.target.closest && e.target.closest("a.embed-video-card[data-player]");
    if (!card || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    var frame = document.createElement("iframe");
    frame.className = "embed-web-player";
    frame.src = card.getAttribute("data-player");
    frame.title = card.querySelector(".embed-web-title").textContent;
    frame.allow = "autoplay; encrypted-media; picture-in-picture; fullscreen";
    frame.allowFullscreen = true;
    frame.referrerPolicy = "strict-origin-when-cross-origin";
    card.replaceWith(frame);
    frame.focus();
  });
  document.querySelectorAll("a.embed-video-card").forEach(function (card) {
    card.title = "Play here (from youtube-nocookie.com)";
  });
})();
