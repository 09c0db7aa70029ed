/* Folio as an installed app (issue 12): registers the service worker (/sw.js, static/js/sw.js) and talks
   to it. Loaded on every page by base.html (data-user says whether someone is logged in).
   - Logged in and online: asks the worker to send changes made offline and to fetch ahead the articles
     kept for offline reading (the worker does it at most once a minute).
   - Back online (the browser's "online" event): asks it to send the waiting changes.
   - Log-out: waiting changes are sent, then the worker clears every cache and the queue before the
     log-out form is submitted; a logged-out page clears the caches too (a session that ended otherwise:
     its waiting changes are kept and sent after the next log-in).
   - Shows how many changes made offline wait, with the page's usual message style.
   Does nothing in a browser without service workers: Folio works the same, online only. */
(function () {
  "use strict";
  var script = document.currentScript;
  var loggedIn = !!script && script.getAttribute("data-user") === "1";
  if (!("serviceWorker" in navigator)) return;
  var container = navigator.serviceWorker;

  function token() { return window.Folio && window.Folio.csrfToken ? window.Folio.csrfToken() : ""; }
  function tell(message) {
    message.token = token();
    return container.ready.then(function (registration) {
      var worker = container.controller || registration.active;
      if (worker) worker.postMessage(message);
    });
  }
  function status(text) {
    var box = document.getElementById("offline-status");
    if (!text) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("ul");
      box.id = "offline-status";
      box.className = "messages";
      box.setAttribute("role", "status");
      var main = document.getElementById("main") || document.body;
      main.insertBefore(box, main.firstChild);
    }
    box.innerHTML = "";
    var item = document.createElement("li");
    item.className = "message info";
    item.textContent = text;
    box.appendChild(item);
  }

  container.register("/sw.js", { scope: "/" }).catch(function () { /* Folio works without it */ });

  container.addEventListener("message", function (event) {
    var message = event.data || {};
    var root = document.documentElement;
    if (message.type === "folio:queued") {
      root.setAttribute("data-offline-waiting", String(message.count));
      // The sentences come from the page, in its language (base.html: data-queued-one / data-queued-other).
      var words = script && script.getAttribute(message.count === 1 ? "data-queued-one" : "data-queued-other");
      status((words || "").replace("%(count)s", message.count));
    } else if (message.type === "folio:sent") {
      root.setAttribute("data-offline-waiting", String(message.left));
      if (!message.left) status("");
    } else if (message.type === "folio:precached") {
      root.setAttribute("data-offline-ready", String(message.articles));
    }
  });

  if (!loggedIn) {
    if (navigator.onLine) tell({ type: "folio:clear" });
    return;
  }
  tell({ type: "folio:status" });  // changes made offline on an earlier page still waiting?
  if (navigator.onLine) tell({ type: "folio:precache" });
  window.addEventListener("online", function () { tell({ type: "folio:replay" }); });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.action || new URL(form.action, location.href).pathname !== "/logout/" || form.dataset.cleared) return;
    event.preventDefault();
    var submit = function () { form.dataset.cleared = "yes"; form.submit(); };
    var timer = setTimeout(submit, 5000);  // never keep someone from logging out
    container.addEventListener("message", function (message) {
      if ((message.data || {}).type === "folio:cleared") { clearTimeout(timer); submit(); }
    });
    if (!container.controller) { clearTimeout(timer); submit(); return; }
    tell({ type: "folio:logout" });
  });
})();
