/* Folio's service worker (issue 12), served from /sw.js so that it controls the whole site.

   Offline reading:
   - Folio's CSS, JS and icons: answered from the cache, refreshed in the background.
   - Pages (the library views, the reader): from the network when there is one (and kept as last seen),
     else from the cache; a page not kept answers the offline page (/offline/), which says so plainly.
   - Images (/images/<sha256>.<ext>, content-addressed, never change): from the cache first.
   - The reader pages and images of the person's newest unread articles are fetched ahead of time from the
     list at /offline/list.json (the page asks, through pwa.js, at most once a minute).
   - Caches are bounded: the oldest entries are evicted first (Cache API keys keep insertion order).
   - Changes made offline (reading position, read/archive/favorite marks, new highlights) are kept in
     IndexedDB with the time they were made and sent again when the network is back (Background Sync
     where the browser has it, else when a page loads or the browser says it is online). The server keeps
     the newest change (header X-Folio-Changed-At; articles.services.library).
   - On log-out (pwa.js) waiting changes are sent, then every cache and the queue are cleared; a page seen
     logged out clears the caches (the queue waits for the next log-in). */
"use strict";

var VERSION = "v1";
var STATIC_CACHE = "folio-static-" + VERSION;
var PAGES_CACHE = "folio-pages-" + VERSION;
var ARTICLES_CACHE = "folio-articles-" + VERSION;
var IMAGES_CACHE = "folio-images-" + VERSION;
var OWN_CACHES = [STATIC_CACHE, PAGES_CACHE, ARTICLES_CACHE, IMAGES_CACHE];
var OFFLINE_PAGE = "/offline/";
var OFFLINE_LIST = "/offline/list.json";
var LIBRARY_PATHS = ["/", "/reading/", "/favorites/", "/archive/", "/all/"];
var READER_PATH = /^\/articles\/\d+\/$/;
var PROGRESS_PATH = /^\/articles\/\d+\/progress\/$/;
var HIGHLIGHT_PATH = /^\/articles\/\d+\/highlights\/$/;
var ACTIONS_PATH = "/articles/actions/";
var MARK_ACTIONS = ["read", "unread", "archive", "unarchive", "favorite", "unfavorite"];
var SENT_HEADERS = ["X-CSRFToken", "HX-Request", "X-Requested-With"];
// Bounds until the offline list says otherwise (setting offline_articles + 20 pages; 30 images each).
var limits = { pages: 70, images: 2100, library: 20 };
var PRECACHE_EVERY_MS = 60 * 1000;
var lastPrecache = 0;
var precaching = null;
var replaying = null;
var freshToken = "";

self.addEventListener("install", function () { self.skipWaiting(); });

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("folio-") === 0 && OWN_CACHES.indexOf(name) < 0;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

// --- Caches -----------------------------------------------------------------------------------------------

function trim(cacheName, max) {
  return caches.open(cacheName).then(function (cache) {
    return cache.keys().then(function (keys) {
      var extra = keys.slice(0, Math.max(0, keys.length - max));
      return Promise.all(extra.map(function (key) { return cache.delete(key); }));
    });
  });
}

function keep(cacheName, request, response, max) {
  // Delete first so that the entry moves to the end (the newest) of the cache's order.
  return caches.open(cacheName).then(function (cache) {
    return cache.delete(request, { ignoreVary: true }).then(function () { return cache.put(request, response); });
  }).then(function () { return trim(cacheName, max); });
}

function cacheable(response) {
  return response && response.ok && !response.redirected && response.type === "basic";
}

function staleWhileRevalidate(request) {
  return caches.open(STATIC_CACHE).then(function (cache) {
    return cache.match(request, { ignoreVary: true }).then(function (cached) {
      var network = fetch(request).then(function (response) {
        if (cacheable(response)) cache.put(request, response.clone());
        return response;
      });
      if (cached) { network.catch(function () {}); return cached; }
      return network;
    });
  });
}

function cacheFirstImage(request) {
  return caches.match(request, { cacheName: IMAGES_CACHE, ignoreVary: true }).then(function (cached) {
    if (cached) return cached;
    return fetch(request).then(function (response) {
      if (cacheable(response)) keep(IMAGES_CACHE, request, response.clone(), limits.images);
      return response;
    });
  });
}

function offlinePage() {
  return caches.match(OFFLINE_PAGE, { ignoreVary: true }).then(function (page) {
    return page || new Response(
      "<!DOCTYPE html><title>Not available offline</title><h1>Not available offline</h1>" +
      "<p>You are offline, and this page is not kept on this device.</p>",
      { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
  });
}

function page(request, url) {
  var isReader = READER_PATH.test(url.pathname);
  var isLibrary = LIBRARY_PATHS.indexOf(url.pathname) >= 0;
  return fetch(request).then(function (response) {
    if ((isReader || isLibrary) && cacheable(response)) {
      if (isReader) keep(ARTICLES_CACHE, request.url, response.clone(), limits.pages);
      else keep(PAGES_CACHE, request.url, response.clone(), limits.library);
    }
    return response;
  }, function () {
    return caches.match(request.url, { ignoreVary: true }).then(function (cached) { return cached || offlinePage(); });
  });
}

// --- Changes made offline (IndexedDB) ---------------------------------------------------------------------

function openQueue() {
  return new Promise(function (resolve, reject) {
    var open = indexedDB.open("folio-offline", 1);
    open.onupgradeneeded = function () {
      open.result.createObjectStore("changes", { keyPath: "id", autoIncrement: true });
    };
    open.onsuccess = function () { resolve(open.result); };
    open.onerror = function () { reject(open.error); };
  });
}

function inQueue(mode, work) {
  return openQueue().then(function (db) {
    return new Promise(function (resolve, reject) {
      var transaction = db.transaction("changes", mode);
      var result = work(transaction.objectStore("changes"));
      transaction.oncomplete = function () { db.close(); resolve(result && result.result); };
      transaction.onerror = function () { db.close(); reject(transaction.error); };
    });
  });
}

function queued() { return inQueue("readonly", function (store) { return store.getAll(); }); }

function notify(message) {
  return self.clients.matchAll({ type: "window" }).then(function (clients) {
    clients.forEach(function (client) { client.postMessage(message); });
  });
}

function enqueue(change) {
  return queued().then(function (changes) {
    return inQueue("readwrite", function (store) {
      if (change.kind === "progress") {  // only the latest position of an article is worth sending
        changes.forEach(function (old) { if (old.url === change.url) store.delete(old.id); });
      }
      store.add(change);
    });
  }).then(function () {
    if (self.registration.sync) return self.registration.sync.register("folio-changes").catch(function () {});
  }).then(queued).then(function (changes) {
    return notify({ type: "folio:queued", count: changes.length });
  });
}

function queueable(request, url, body) {
  if (PROGRESS_PATH.test(url.pathname)) return "progress";
  if (HIGHLIGHT_PATH.test(url.pathname)) return "highlight";
  if (url.pathname === ACTIONS_PATH && MARK_ACTIONS.indexOf(new URLSearchParams(body).get("action")) >= 0) {
    return "mark";
  }
  return "";
}

function answerQueued(request) {
  if (request.mode === "navigate") {  // a plain form: back to the page it was on
    return Response.redirect(request.referrer || "/", 303);
  }
  if (request.headers.get("HX-Request")) return new Response(null, { status: 204 });
  return new Response(JSON.stringify({ queued: true }), {
    status: 202, headers: { "Content-Type": "application/json" } });
}

function sendOrQueue(request, url) {
  var type = (request.headers.get("Content-Type") || "").split(";")[0];
  if (type !== "application/x-www-form-urlencoded") return fetch(request);
  return request.clone().text().then(function (body) {
    var kind = queueable(request, url, body);
    if (!kind) return fetch(request);
    return fetch(request).then(function (response) {
      replay().catch(function () {});  // the network is back: send what waits
      return response;
    }, function () {
      var headers = {};
      SENT_HEADERS.forEach(function (name) {
        var value = request.headers.get(name);
        if (value) headers[name] = value;
      });
      var change = { url: request.url, body: body, headers: headers, kind: kind, changedAt: Date.now() };
      return enqueue(change).then(function () { return answerQueued(request); });
    });
  });
}

function sendOne(change) {
  var body = new URLSearchParams(change.body);
  var headers = Object.assign({}, change.headers, {
    "Content-Type": "application/x-www-form-urlencoded",
    "X-Folio-Changed-At": String(change.changedAt),
  });
  if (freshToken) {  // the session's token now (it changes when the person logs in again)
    if (body.has("csrfmiddlewaretoken")) body.set("csrfmiddlewaretoken", freshToken);
    headers["X-CSRFToken"] = freshToken;
  }
  return fetch(change.url, { method: "POST", body: body.toString(), headers: headers, credentials: "same-origin" });
}

function replay() {
  if (replaying) return replaying;
  var sent = 0;
  replaying = queued().then(function (changes) {
    return changes.reduce(function (previous, change) {
      return previous.then(function () {
        return sendOne(change).then(function (response) {
          var path = new URL(response.url).pathname;
          if (path.indexOf("/login/") === 0 || response.status === 403 || response.status >= 500) {
            throw new Error("not sent yet");  // logged out, stale token or server trouble: keep it
          }
          sent += 1;  // done (or refused for good: the article is gone)
          return inQueue("readwrite", function (store) { store.delete(change.id); });
        });
      });
    }, Promise.resolve());
  }).then(function () {
    return queued();
  }).then(function (left) {
    return notify({ type: "folio:sent", count: sent, left: left.length });
  }).finally(function () { replaying = null; });
  return replaying;
}

// --- Ahead-of-time fetching for offline reading ----------------------------------------------------------

function fetchMissing(cacheName, urls, max) {
  return caches.open(cacheName).then(function (cache) {
    return urls.reduce(function (previous, url) {
      return previous.then(function () {
        return cache.match(url, { ignoreVary: true }).then(function (hit) {
          if (hit) return;
          return fetch(url, { credentials: "same-origin" }).then(function (response) {
            if (cacheable(response)) return cache.put(url, response);
          }).catch(function () {});
        });
      });
    }, Promise.resolve());
  }).then(function () { return trim(cacheName, max); });
}

function precache(force) {
  if (precaching) return precaching;
  if (!force && Date.now() - lastPrecache < PRECACHE_EVERY_MS) return Promise.resolve();
  precaching = fetch(OFFLINE_LIST, { credentials: "same-origin" }).then(function (response) {
    if (!cacheable(response)) return null;
    return response.json();
  }).then(function (list) {
    if (!list) return;
    lastPrecache = Date.now();
    limits.pages = list.max_pages;
    limits.images = list.max_images;
    var readers = list.articles.map(function (a) { return a.url; });
    var images = [].concat.apply([], list.articles.map(function (a) { return a.images; }));
    // The offline page stays with the static files, out of reach of the library pages' eviction.
    var offline = list.pages.filter(function (u) { return u === OFFLINE_PAGE; });
    var pages = list.pages.filter(function (u) { return u !== OFFLINE_PAGE; });
    return fetchMissing(STATIC_CACHE, list.static.concat(offline), 1000)
      .then(function () { return fetchMissing(PAGES_CACHE, pages, limits.library); })
      .then(function () { return fetchMissing(IMAGES_CACHE, images.reverse(), limits.images); })
      .then(function () { return fetchMissing(ARTICLES_CACHE, readers.reverse(), limits.pages); })
      .then(function () { return notify({ type: "folio:precached", articles: readers.length }); });
  }).catch(function () {}).finally(function () { precaching = null; });
  return precaching;
}

// Log-out clears the caches and the queue (after trying to send it); a logged-out page (a session that
// ended some other way) clears the caches but keeps the queue, sent once the person logs in again.
function clearAll(withQueue) {
  return caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name.indexOf("folio-") === 0; })
      .map(function (name) { return caches.delete(name); }));
  }).then(function () {
    if (withQueue) return inQueue("readwrite", function (store) { store.clear(); });
  }).then(function () { lastPrecache = 0; });
}

// --- Events -----------------------------------------------------------------------------------------------

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST") {
    var changes = PROGRESS_PATH.test(url.pathname) || HIGHLIGHT_PATH.test(url.pathname) ||
      url.pathname === ACTIONS_PATH;
    if (changes) event.respondWith(sendOrQueue(request, url));
    return;
  }
  if (request.method !== "GET") return;
  if (url.pathname.indexOf("/static/") === 0) event.respondWith(staleWhileRevalidate(request));
  else if (url.pathname.indexOf("/images/") === 0) event.respondWith(cacheFirstImage(request));
  else if (request.mode === "navigate") event.respondWith(page(request, url));
});

self.addEventListener("sync", function (event) {
  if (event.tag === "folio-changes") event.waitUntil(replay());
});

self.addEventListener("message", function (event) {
  var message = event.data || {};
  if (message.token) freshToken = message.token;
  var done;
  if (message.type === "folio:replay") done = replay().catch(function () {});
  else if (message.type === "folio:precache") done = replay().catch(function () {}).then(function () { return precache(message.force); });
  else if (message.type === "folio:logout") {
    done = replay().catch(function () {}).then(function () { return clearAll(true); }).then(function () {
      event.source.postMessage({ type: "folio:cleared" });
    });
  } else if (message.type === "folio:clear") done = clearAll(false);
  else if (message.type === "folio:status") {
    done = queued().then(function (changes) {
      if (changes.length) event.source.postMessage({ type: "folio:queued", count: changes.length });
    });
  }
  if (done) event.waitUntil(done);
});
