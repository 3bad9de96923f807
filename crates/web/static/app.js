// Tidings: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  var root = document.documentElement;

  // Theme: system preference by default; the toggle remembers a choice.
  var stored = null;
  try { stored = localStorage.getItem("tidings-theme"); } catch (e) { /* private mode */ }
  if (stored === "dark" || stored === "light") root.setAttribute("data-theme", stored);
  function currentTheme() {
    var t = root.getAttribute("data-theme");
    if (t) return t;
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }
  function toggleTheme() {
    var next = currentTheme() === "dark" ? "light" : "dark";
    root.setAttribute("data-theme", next);
    try { localStorage.setItem("tidings-theme", next); } catch (e) { /* ignore */ }
  }

  // Relative times stay fresh on long-open pages.
  function relative(iso) {
    var secs = Math.floor((Date.now() - Date.parse(iso)) / 1000);
    if (!(secs >= 0)) return null;
    var rtf = window.Intl && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat(root.lang || "en", { numeric: "auto" }) : null;
    if (!rtf) return null;
    if (secs < 60) return rtf.format(0, "second");
    if (secs < 3600) return rtf.format(-Math.floor(secs / 60), "minute");
    if (secs < 86400) return rtf.format(-Math.floor(secs / 3600), "hour");
    if (secs < 30 * 86400) return rtf.format(-Math.floor(secs / 86400), "day");
    return null;
  }
  function refreshTimes() {
    var times = document.querySelectorAll("time[datetime]");
    for (var i = 0; i < times.length; i++) {
      var r = relative(times[i].getAttribute("datetime"));
      if (r && times[i].textContent.indexOf(",") < 0) times[i].textContent = r;
    }
  }

  // Keyboard: j/k move between items, Enter opens, / focuses search, t theme, ? help.
  var items = [], current = -1;
  function collect() { items = Array.prototype.slice.call(document.querySelectorAll("[data-nav]")); }
  function move(delta) {
    if (!items.length) return;
    if (current >= 0 && items[current]) items[current].classList.remove("kbd-current");
    current = Math.max(0, Math.min(items.length - 1, current + delta));
    var el = items[current];
    el.classList.add("kbd-current");
    var link = el.querySelector("a[href]");
    if (link) link.focus({ preventScroll: true });
    el.scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var tag = (e.target && e.target.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (e.target && e.target.isContentEditable)) return;
    if (e.key === "j") { move(1); e.preventDefault(); }
    else if (e.key === "k") { move(-1); e.preventDefault(); }
    else if (e.key === "/") { var q = document.getElementById("q"); if (q) { q.focus(); e.preventDefault(); } }
    else if (e.key === "t") { toggleTheme(); }
    else if (e.key === "?") { var h = document.getElementById("kbd-help"); if (h) { h.hidden = !h.hidden; if (!h.hidden) h.scrollIntoView({ block: "nearest" }); } }
  });

  // Videos: a poster served by this site; the player (another host) loads only on click.
  function setupVideos() {
    var boxes = document.querySelectorAll(".video[data-player]");
    for (var i = 0; i < boxes.length; i++) {
      (function (box) {
        var button = box.querySelector("[data-play]");
        if (!button) return;
        button.hidden = false;
        function play(e) {
          if (e) e.preventDefault();
          var frame = document.createElement("iframe");
          frame.src = box.getAttribute("data-player");
          frame.title = button.textContent.replace("▶", "").trim();
          frame.allow = "autoplay; encrypted-media; picture-in-picture; fullscreen";
          frame.setAttribute("allowfullscreen", "");
          box.innerHTML = "";
          box.appendChild(frame);
        }
        button.addEventListener("click", play);
        var link = box.querySelector("a");
        if (link) link.addEventListener("click", play);
      })(boxes[i]);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupVideos();
    var btn = document.querySelector("[data-theme-toggle]");
    if (btn) btn.addEventListener("click", toggleTheme);
    collect();
    refreshTimes();
    setInterval(refreshTimes, 60000);
  });
})();
