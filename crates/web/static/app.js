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

  // AI panel: the model's summary once it is ready; answers streamed in
  // place. Everything is set as text, never as HTML.
  function setupAi() {
    var panel = document.querySelector(".ai-panel[data-article]");
    if (!panel) return;
    var id = panel.getAttribute("data-article");
    if (panel.hasAttribute("data-model-summary") && window.fetch) {
      fetch("/api/v1/articles/" + id + "/summary").then(function (r) { return r.ok ? r.json() : null; }).then(function (s) {
        var box = panel.querySelector(".ai-summary");
        if (!s || !box || !s.sentences.length || s.producer.fallback) return;
        box.textContent = "";
        s.sentences.forEach(function (t) { var p = document.createElement("p"); p.textContent = t; box.appendChild(p); });
      }).catch(function () {});
    }
    var form = panel.querySelector("form[data-ask]");
    var out = panel.querySelector(".ai-answer");
    if (!form || !out || !window.EventSource) return;
    form.addEventListener("submit", function (e) {
      var q = form.querySelector("input[name=q]").value.trim();
      if (!q) return;
      e.preventDefault();
      out.hidden = false;
      out.textContent = "";
      var text = document.createElement("p");
      out.appendChild(text);
      out.setAttribute("aria-busy", "true");
      var es = new EventSource("/api/v1/articles/" + id + "/ask/stream?q=" + encodeURIComponent(q));
      function done() { es.close(); out.removeAttribute("aria-busy"); }
      es.addEventListener("delta", function (ev) { text.textContent += JSON.parse(ev.data).text; });
      es.addEventListener("answer", function (ev) {
        var a = JSON.parse(ev.data);
        text.textContent = a.text;
        if (a.quotes.length) {
          var ul = document.createElement("ul");
          ul.className = "ai-quotes";
          a.quotes.forEach(function (qt) { var li = document.createElement("li"); var b = document.createElement("blockquote"); b.textContent = qt.text; li.appendChild(b); ul.appendChild(li); });
          out.appendChild(ul);
        }
        done();
      });
      es.addEventListener("error", function (ev) {
        var msg = "The answer could not be loaded. Please try again.";
        try { if (ev.data) msg = JSON.parse(ev.data).message; } catch (x) {}
        if (!text.textContent) text.textContent = msg;
        done();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupVideos();
    setupAi();
    var btn = document.querySelector("[data-theme-toggle]");
    if (btn) btn.addEventListener("click", toggleTheme);
    collect();
    refreshTimes();
    setInterval(refreshTimes, 60000);
  });
})();
