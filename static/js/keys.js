/* Folio keyboard shortcuts (see templates/articles/_shortcuts.html for the list).
   Lists: j/k move, o/Enter open, e archive, f favorite, m read/unread, t tags.
   Reader: j/k scroll, u back to the list, e/f/m/t act on the article.
   Everywhere: / search, g u / g a / g f go to Unread / Archive / Favorites, ? shows the list.
   Actions are done by clicking the matching [data-key] button, so they go through the same htmx forms
   (and the same server code) as a mouse click. No framework, no inline script (CSP). */

// The CSRF token, read in one place: the hx-headers attribute base.html puts on <body> (htmx sends it with
// every request; reader.js and pwa.js, loaded after this file, call this for their own requests).
window.Folio = window.Folio || {};
window.Folio.csrfToken = function () {
  try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
  catch (e) { return ""; }
};

(function () {
  "use strict";
  var dialog = document.getElementById("shortcuts");
  var gPending = false, gTimer = null;
  var currentId = null;

  function typing(target) {
    return /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable;
  }
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("#article-list > .article-row")); }
  function currentRow() { return currentId && document.getElementById("article-" + currentId); }

  function setCurrent(row, focus) {
    rows().forEach(function (r) { r.classList.remove("is-current"); });
    if (!row) { currentId = null; return; }
    currentId = row.getAttribute("data-id");
    row.classList.add("is-current");
    if (focus !== false) {
      row.focus({ preventScroll: true });
      row.scrollIntoView({ block: "nearest" });
    }
  }
  function move(step) {
    var list = rows();
    if (!list.length) return;
    var index = list.indexOf(currentRow());
    index = index < 0 ? (step > 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, index + step));
    setCurrent(list[index]);
  }
  function scope() {
    // The element whose [data-key] buttons a shortcut clicks: the current row, or the reader.
    return currentRow() || document.getElementById("reader-actions");
  }
  var pendingKey = null;
  function press(key) {
    var root = scope();
    var button = root && root.querySelector("button[data-key='" + key + "']");
    if (!button) return false;
    if (window.htmx) {
      // A request of this row is still running: act on its answer (the swapped-in row) afterwards.
      if (root.querySelector(".htmx-request") || root.classList.contains("htmx-request")) {
        pendingKey = key;
        return true;
      }
      // A row swapped in a moment ago may not be wired to htmx yet; without this the click would
      // submit the form natively (a full page load). process() is idempotent.
      window.htmx.process(root);
    }
    button.click();
    return true;
  }
  function openTags() {
    var root = scope();
    var details = root && root.querySelector("details[data-key='t']");
    if (!details) return false;
    details.open = true;
    var field = details.querySelector("input[type=text]");
    if (field) field.focus();
    return true;
  }
  function openCurrent() {
    var row = currentRow();
    var link = row && row.querySelector(".row-link");
    if (link) { window.location.href = link.href; return true; }
    return false;
  }
  function showHelp() {
    if (dialog && !dialog.open) dialog.showModal();
  }
  function goBack() {
    var link = document.getElementById("back-to-list");
    var ref = document.referrer;
    if (ref && ref.indexOf(window.location.origin + "/") === 0 && ref !== window.location.href
        && ref.indexOf("/articles/") < 0) {
      window.location.href = ref;
    } else if (link) {
      window.location.href = link.href;
    }
  }
  // The one handler of "/" (issue 15): the search page's own box first, then the header's, then a page's
  // search or address field.
  function focusSearch() {
    var field = document.getElementById("search-q") || document.getElementById("header-search-q") ||
      document.querySelector("input[type=search], [data-search-field], #id_q") || document.getElementById("id_url");
    if (field) { field.focus(); if (field.select) field.select(); return true; }
    return false;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (typing(target)) {
      if (event.key === "Escape") target.blur();
      return;
    }
    if (dialog && dialog.open) return;
    var key = event.key;
    var inReader = !!document.getElementById("reader");
    var handled = false;
    if (gPending) {
      gPending = false;
      clearTimeout(gTimer);
      var url = dialog && dialog.getAttribute("data-go-" + key);
      if (url) { window.location.href = url; event.preventDefault(); }
      return;
    }
    if (key === "g") {
      gPending = true;
      gTimer = setTimeout(function () { gPending = false; }, 1500);
      handled = true;
    } else if (key === "?") {
      showHelp(); handled = true;
    } else if (key === "/") {
      handled = focusSearch();
    } else if (inReader && (key === "j" || key === "k")) {
      window.scrollBy(0, (key === "j" ? 1 : -1) * Math.round(window.innerHeight * 0.2));
      handled = true;
    } else if (inReader && key === "u") {
      goBack(); handled = true;
    } else if (key === "j" || key === "k") {
      move(key === "j" ? 1 : -1); handled = true;
    } else if (key === "o" || (key === "Enter" && target.classList && target.classList.contains("article-row"))) {
      handled = openCurrent();
    } else if (key === "e" || key === "f" || key === "m") {
      handled = press(key);
    } else if (key === "t") {
      handled = openTags();
    }
    if (handled) event.preventDefault();
  });

  // After htmx replaces a row (an action, or polling), keep it marked as the current one.
  document.addEventListener("htmx:afterSettle", function () {
    if (pendingKey) {
      var key = pendingKey;
      pendingKey = null;
      setTimeout(function () { press(key); }, 0);
    }
    var row = currentRow();
    if (row && !row.classList.contains("is-current")) {
      var hadFocus = document.activeElement === document.body || document.activeElement === null;
      setCurrent(row, hadFocus);
    }
  });
  // Clicking in a row makes it the current one.
  document.addEventListener("click", function (event) {
    var row = event.target.closest && event.target.closest("#article-list > .article-row");
    if (row) setCurrent(row, false);
  });

  var helpButton = document.querySelector("[data-shortcuts-open]");
  if (helpButton && dialog) {
    helpButton.hidden = false;
    helpButton.addEventListener("click", showHelp);
  }
})();
