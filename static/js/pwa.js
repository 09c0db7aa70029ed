/* Folio as an installed app (issue 12): registers the service worker (/sw.js, static/js/sw.js). Loaded on
   every page by base.html; does nothing in a browser without service workers. */
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () { /* works without it */ });
})();
