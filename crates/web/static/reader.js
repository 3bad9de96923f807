// Tidings: follow, mute, save and read without reloading the page. Every
// form works without this file (a POST that comes back to the page); here
// the same form is sent with fetch, answered in JSON, and the page updated.
(function () {
  "use strict";

  function status(text) {
    var s = document.querySelector("[data-reader-status]");
    if (s) s.textContent = text;
  }

  // A two-state form: the hidden `on` field asks for the other state next
  // time, and the button names what pressing it does now.
  function setToggle(form, on) {
    var input = form.querySelector("input[name=on]");
    if (input) input.value = on ? "0" : "1";
    form.setAttribute("data-state", on ? "on" : "off");
    var label = form.querySelector("[data-label]");
    if (label) label.textContent = label.getAttribute(on ? "data-when-on" : "data-when-off");
  }

  function setRead(item, read) {
    item.classList.toggle("unread", !read);
    var badge = item.querySelector("[data-unread]");
    if (badge) badge.hidden = read;
    var form = item.querySelector("form[data-reader=read]");
    if (form) setToggle(form, read);
  }

  function onSubmit(e) {
    var form = e.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-reader") || !window.fetch) return;
    e.preventDefault();
    var kind = form.getAttribute("data-reader");
    var button = form.querySelector("button");
    if (button) button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (r) {
      if (!r.ok) throw new Error(kind + " failed: " + r.status);
      return r.json();
    }).then(function (res) {
      if (button) button.disabled = false;
      if (kind === "read-all") {
        var items = document.querySelectorAll("[data-item]");
        for (var i = 0; i < items.length; i++) setRead(items[i], true);
        var line = document.querySelector("[data-unread-line]");
        if (line) line.textContent = line.textContent.replace(/^\d+\+?/, "0");
        status(form.querySelector("button").textContent + ": ✓");
        return;
      }
      var on = !!res.on;
      if (kind === "read") {
        var item = form.closest("[data-item]");
        if (item) setRead(item, on); else setToggle(form, on);
      } else {
        setToggle(form, on);
      }
      var label = form.querySelector("[data-label]");
      // Say what happened: the opposite of what the button offers now.
      if (label) status(label.getAttribute(on ? "data-when-off" : "data-when-on") + ": ✓");
      if (button) button.focus();
    }).catch(function () {
      if (button) button.disabled = false;
      form.submit();
    });
  }

  document.addEventListener("submit", onSubmit);
})();
