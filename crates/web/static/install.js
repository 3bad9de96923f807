// Tidings as an installable app: registers the service worker (sw.js) and
// tells it which articles this reader saved, so they stay readable offline
// (and which not any more); when nobody is signed in, kept pages go.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;

  // The offline page and kept copies served offline say nothing new.
  if (document.querySelector("[data-offline]") || !navigator.onLine) {
    navigator.serviceWorker.register("/sw.js");
    return;
  }

  function articleOf(form) {
    var item = form.closest("[data-item]");
    if (item) {
      var link = item.querySelector("a[href^='/a/']");
      return link ? link.getAttribute("href") : null;
    }
    return location.pathname.indexOf("/a/") === 0 ? location.pathname : null;
  }

  function tell(type, urls) {
    if (!urls.length && type !== "clear") return;
    navigator.serviceWorker.ready.then(function (reg) {
      if (reg.active) reg.active.postMessage({ type: type, urls: urls });
    });
  }

  function scan() {
    var keep = [], drop = [];
    var forms = document.querySelectorAll("form[data-reader=save]");
    for (var i = 0; i < forms.length; i++) {
      var url = articleOf(forms[i]);
      if (!url) continue;
      (forms[i].getAttribute("data-state") === "on" ? keep : drop).push(url);
    }
    tell("keep", keep);
    tell("drop", drop);
  }

  navigator.serviceWorker.register("/sw.js").then(function () {
    var signedIn = !!document.querySelector("[data-reader-status]");
    if (!signedIn) {
      tell("clear", []);
      return;
    }
    scan();
    // Saved or unsaved without a reload (reader.js flips data-state).
    new MutationObserver(function (changes) {
      changes.forEach(function (c) {
        if (!c.target.matches("form[data-reader=save]")) return;
        var url = articleOf(c.target);
        if (url) tell(c.target.getAttribute("data-state") === "on" ? "keep" : "drop", [url]);
      });
    }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ["data-state"] });
  });
})();
