// Tidings' service worker (scope /): the site stays readable offline for
// what a reader saved. Pages come from the network; when it fails, a kept
// copy of the page (an article the reader saved) is served, else the
// offline page. install.js tells this worker which articles are saved
// (keep / drop) and when nobody is signed in any more (clear). Kept pages
// are fetched with `X-Tidings-Offline-Copy: 1`: keeping a copy is not
// reading it, so it does not mark the article read.
"use strict";

var SHELL = "tidings-shell-v1";
var KEPT = "tidings-kept";
var SHELL_FILES = [
  "/offline",
  "/static/style.css",
  "/static/app.js",
  "/static/community.css",
  "/static/community.js",
  "/static/reader.js",
  "/static/install.js",
  "/static/icon-192.png"
];

self.addEventListener("install", function (e) {
  e.waitUntil(caches.open(SHELL).then(function (c) {
    return c.addAll(SHELL_FILES);
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (e) {
  e.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) {
      return k.indexOf("tidings-shell-") === 0 && k !== SHELL;
    }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function samePath(u) {
  var url = new URL(u, self.location.href);
  return url.origin === self.location.origin && url.pathname.indexOf("/a/") === 0 ? url.pathname : null;
}

// Keep a copy of each article page and the images its body shows.
function keep(paths) {
  return caches.open(KEPT).then(function (c) {
    return Promise.all(paths.map(function (p) {
      return fetch(p, { credentials: "same-origin", headers: { "X-Tidings-Offline-Copy": "1" } }).then(function (r) {
        if (!r.ok || r.type !== "basic") return;
        var copy = r.clone();
        return c.put(p, r).then(function () { return copy.text(); }).then(function (html) {
          var imgs = [], re = /<img[^>]+src="(\/media\/[^"]+)"/g, m;
          while ((m = re.exec(html)) !== null) imgs.push(m[1]);
          return Promise.all(imgs.map(function (src) {
            return fetch(src).then(function (ir) { if (ir.ok) return c.put(src, ir); }).catch(function () {});
          }));
        });
      }).catch(function () {});
    }));
  });
}

function drop(paths) {
  return caches.open(KEPT).then(function (c) {
    return Promise.all(paths.map(function (p) { return c.delete(p); }));
  });
}

self.addEventListener("message", function (e) {
  var d = e.data || {};
  var paths = (d.urls || []).map(samePath).filter(function (p) { return p; });
  var done;
  if (d.type === "keep") done = keep(paths);
  else if (d.type === "drop") done = drop(paths);
  else if (d.type === "clear") done = caches.delete(KEPT);
  else return;
  e.waitUntil(done.then(function () {
    if (e.source) e.source.postMessage({ type: "done", of: d.type, urls: paths });
  }));
});

// Any cached copy of an image (another width or format of the same media id).
function anyVariant(path) {
  var prefix = path.split("/").slice(0, 3).join("/") + "/";
  return caches.open(KEPT).then(function (c) {
    return c.keys().then(function (keys) {
      for (var i = 0; i < keys.length; i++) {
        if (new URL(keys[i].url).pathname.indexOf(prefix) === 0) return c.match(keys[i]);
      }
      return undefined;
    });
  });
}

self.addEventListener("fetch", function (e) {
  var req = e.request;
  if (req.method !== "GET") return;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.mode === "navigate") {
    e.respondWith(fetch(req).catch(function () {
      return caches.open(KEPT).then(function (c) { return c.match(url.pathname); }).then(function (hit) {
        return hit || caches.match("/offline");
      });
    }));
    return;
  }
  if (url.pathname.indexOf("/static/") === 0 || url.pathname.indexOf("/media/") === 0) {
    e.respondWith(fetch(req).catch(function () {
      return caches.match(url.pathname).then(function (hit) {
        if (hit) return hit;
        return url.pathname.indexOf("/media/") === 0 ? anyVariant(url.pathname) : undefined;
      }).then(function (hit) { return hit || Response.error(); });
    }));
  }
});
