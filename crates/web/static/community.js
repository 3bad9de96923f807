// Tidings: comments without page reloads where it helps. Every form works without this file.
(function () {
  "use strict";

  // Upvotes: send the form in the background and update the count in place.
  function onVote(e) {
    var form = e.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-vote") || !window.fetch) return;
    e.preventDefault();
    var data = new URLSearchParams(new FormData(form));
    fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (r) {
      if (!r.ok) throw new Error("vote failed: " + r.status);
      return r.json();
    }).then(function (res) {
      var item = form.closest("[data-comment]");
      var score = item && item.querySelector("[data-score]");
      if (score) score.textContent = String(res.score);
      var up = form.querySelector("input[name=up]");
      var btn = form.querySelector("button");
      if (up) up.value = res.voted ? "0" : "1";
      if (btn) {
        btn.classList.toggle("voted", !!res.voted);
        btn.setAttribute("aria-pressed", res.voted ? "true" : "false");
        btn.textContent = "▲ " + (res.voted ? (btn.getAttribute("data-undo") || "Undo upvote") : (btn.getAttribute("data-do") || "Upvote"));
      }
    }).catch(function () { form.submit(); });
  }

  // Characters left, under every comment box.
  function counter(area) {
    var max = parseInt(area.getAttribute("data-maxlength"), 10);
    if (!max) return;
    var out = document.createElement("span");
    out.className = "char-count";
    out.setAttribute("aria-live", "polite");
    area.insertAdjacentElement("afterend", out);
    function update() {
      var left = max - area.value.length;
      out.textContent = left + " characters left";
      out.classList.toggle("over", left < 0);
    }
    area.addEventListener("input", update);
    update();
  }

  document.addEventListener("submit", onVote);
  document.addEventListener("DOMContentLoaded", function () {
    var areas = document.querySelectorAll("textarea[data-maxlength]");
    for (var i = 0; i < areas.length; i++) counter(areas[i]);
    // Opening "Reply" puts the cursor in the box.
    var details = document.querySelectorAll(".comment-actions details");
    for (var j = 0; j < details.length; j++) {
      details[j].addEventListener("toggle", function (ev) {
        var d = ev.target;
        var t = d.open && d.querySelector("textarea");
        if (t) t.focus();
      });
    }
  });
})();
