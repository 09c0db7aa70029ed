/* Highlights in the reader.
   - Selecting text in the article (mouse, touch or keyboard) shows a toolbar at the selection: highlight in
     one of four colours, add a note, copy the quote with its link. The selection also fills the form under
     the article (quote, the text just before and after it, its offsets in the article text), which works
     without this script.
   - Clicking (or Enter on) a highlight, a <mark data-highlight-id>, opens a popover: change its colour,
     edit its note, delete it.
   Requests go to Folio's highlight endpoints with the CSRF token and "HX-Request: true"; the answer is the
   highlights section plus the article body marked again (templates/articles/_highlights_swap.html), swapped
   in here. Anchors follow the W3C Web Annotation text quote (exact, prefix, suffix) and position (start,
   end) selectors. No inline script (CSP). */
(function () {
  "use strict";
  var body = document.getElementById("reader-body");
  var toolbar = document.getElementById("selection-toolbar");
  var popover = document.getElementById("highlight-popover");
  if (!body) return;
  // Positioned in page coordinates: children of <body>, not of the (possibly positioned) article.
  if (toolbar) document.body.appendChild(toolbar);
  if (popover) document.body.appendChild(popover);
  var CONTEXT = 64;
  var token = "";
  try { token = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (e) { token = ""; }
  var current = null;   // the selection captured: {quote, prefix, suffix, start, end, rect}
  var editing = null;   // id of the highlight the popover edits, or null for a new one
  var chosenColor = "yellow";
  var timer = null;

  function $(id) { return document.getElementById(id); }
  function section() { return $("highlights"); }

  function textOffset(node, offset) {
    var range = document.createRange();
    range.selectNodeContents(body);
    range.setEnd(node, offset);
    return range.toString().length;
  }

  function readSelection() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) return null;
    var range = selection.getRangeAt(0);
    if (!body.contains(range.commonAncestorContainer)) return null;
    var text = selection.toString().replace(/\s+/g, " ").trim();
    if (!text) return null;
    var all = body.textContent;
    var start = textOffset(range.startContainer, range.startOffset);
    var end = textOffset(range.endContainer, range.endOffset);
    return {
      quote: text, start: start, end: end,
      prefix: all.slice(Math.max(0, start - CONTEXT), start),
      suffix: all.slice(end, end + CONTEXT),
      rect: range.getBoundingClientRect(),
    };
  }

  function fillForm(sel) {
    var fields = { "highlight-quote": sel.quote, "highlight-prefix": sel.prefix, "highlight-suffix": sel.suffix,
                   "highlight-start": String(sel.start), "highlight-end": String(sel.end) };
    Object.keys(fields).forEach(function (id) { var f = $(id); if (f) f.value = fields[id]; });
    var form = $("highlight-form");
    if (form) form.classList.add("has-selection");
    if (!toolbar) { var add = form && form.closest("details"); if (add) add.open = true; }
  }

  // Place an absolutely positioned element beside a viewport rectangle, inside the page's width.
  function place(el, rect) {
    el.hidden = false;
    var coarse = window.matchMedia && window.matchMedia("(pointer: coarse)").matches;
    var width = el.offsetWidth, height = el.offsetHeight;
    var left = rect.left + window.scrollX + rect.width / 2 - width / 2;
    left = Math.max(window.scrollX + 8, Math.min(left, window.scrollX + document.documentElement.clientWidth - width - 8));
    // Above the selection, or below it on touch screens (the system's own menu sits above) and at the top.
    var top = rect.top + window.scrollY - height - 8;
    if (coarse || rect.top - height - 8 < 0) top = rect.bottom + window.scrollY + 8;
    el.style.left = Math.round(left) + "px";
    el.style.top = Math.round(top) + "px";
  }

  function hideToolbar() { if (toolbar) toolbar.hidden = true; }
  function hidePopover() { if (popover) { popover.hidden = true; editing = null; } }

  function onSelection() {
    var sel = readSelection();
    if (!sel) {
      var active = document.activeElement;
      if (!(toolbar && toolbar.contains(active)) && !(popover && popover.contains(active))) hideToolbar();
      return;
    }
    current = sel;
    fillForm(sel);
    if (toolbar) { hidePopover(); place(toolbar, sel.rect); }
  }
  function soon() { clearTimeout(timer); timer = setTimeout(onSelection, 120); }

  function status(message) {
    var end = $("reader-end");
    if (end) end.textContent = message;
  }

  function swapIn(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var fresh = doc.getElementById("highlights");
    var freshBody = doc.getElementById("reader-body");
    var old = section();
    if (fresh && old) {
      old.replaceWith(document.importNode(fresh, true));
      if (window.htmx) window.htmx.process(section());
    }
    if (freshBody) {
      body.innerHTML = freshBody.innerHTML;
      document.dispatchEvent(new CustomEvent("folio:body-changed"));
    }
    prepareMarks();
    var error = section() && section().querySelector("[role=alert]");
    if (error) status(error.textContent);
  }

  function post(url, values) {
    var data = new URLSearchParams();
    Object.keys(values).forEach(function (k) { if (values[k] !== null && values[k] !== undefined) data.set(k, values[k]); });
    data.set("csrfmiddlewaretoken", token);
    return fetch(url, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-CSRFToken": token, "HX-Request": "true" },
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.text();
    }).then(swapIn).catch(function () {
      if (popover) status(popover.getAttribute("data-failed"));
    });
  }

  function create(color, note) {
    var s = section();
    if (!current || !s) return;
    var sel = current;
    current = null;
    hideToolbar();
    hidePopover();
    window.getSelection().removeAllRanges();
    post(s.getAttribute("data-create-url"), {
      quote: sel.quote, prefix: sel.prefix, suffix: sel.suffix, start: sel.start, end: sel.end,
      color: color || "yellow", note: note || "",
    });
  }

  function item(id) { return $("highlight-" + id); }

  function openPopover(id, rect) {
    if (!popover) return;
    editing = id;
    var li = id ? item(id) : null;
    chosenColor = li ? li.getAttribute("data-color") : "yellow";
    var field = li ? $("highlight-note-" + id) : null;
    $("popover-note").value = field ? field.value : "";
    popover.querySelector("[data-action=delete]").hidden = !id;
    markChosen();
    hideToolbar();
    place(popover, rect);
    $("popover-note").focus({ preventScroll: true });
  }
  function markChosen() {
    Array.prototype.forEach.call(popover.querySelectorAll(".swatch"), function (b) {
      b.setAttribute("aria-pressed", b.getAttribute("data-color") === chosenColor ? "true" : "false");
    });
  }

  function copyQuote() {
    if (!current) return;
    var site = document.querySelector(".reader-site a");
    var link = site ? site.href.split("#")[0] : window.location.href.split("#")[0];
    var words = current.quote.split(" ");
    var fragment = words.length > 8
      ? encodeURIComponent(words.slice(0, 4).join(" ")) + "," + encodeURIComponent(words.slice(-4).join(" "))
      : encodeURIComponent(current.quote);
    var text = "“" + current.quote + "”\n— " + document.title.replace(/ · Folio$/, "") + ", " + link + "#:~:text=" + fragment;
    var done = function () { status(popover.getAttribute("data-copied")); };
    var failed = function () { status(popover.getAttribute("data-copy-failed")); };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, failed);
    } else {
      failed();
    }
  }

  // Highlights in the text can be reached with the keyboard too.
  function prepareMarks() {
    Array.prototype.forEach.call(body.querySelectorAll("mark[data-highlight-id]"), function (m) {
      m.tabIndex = 0;
      m.setAttribute("role", "button");
    });
  }

  if (toolbar) {
    // Keep the selection when a toolbar button is pressed.
    toolbar.addEventListener("mousedown", function (event) { event.preventDefault(); });
    toolbar.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button) return;
      if (button.hasAttribute("data-color")) create(button.getAttribute("data-color"), "");
      else if (button.getAttribute("data-action") === "note" && current) openPopover(null, current.rect);
      else if (button.getAttribute("data-action") === "copy") copyQuote();
    });
  }
  if (popover) {
    popover.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button) return;
      var li = editing ? item(editing) : null;
      if (button.hasAttribute("data-color")) {
        chosenColor = button.getAttribute("data-color");
        markChosen();
        if (li) post(li.getAttribute("data-edit-url"), { color: chosenColor });
      } else if (button.getAttribute("data-action") === "save") {
        if (li) { post(li.getAttribute("data-edit-url"), { color: chosenColor, note: $("popover-note").value }); hidePopover(); }
        else create(chosenColor, $("popover-note").value);
      } else if (button.getAttribute("data-action") === "delete" && li) {
        post(li.getAttribute("data-delete-url"), {});
        hidePopover();
      } else if (button.getAttribute("data-action") === "close") {
        hidePopover();
      }
    });
  }

  body.addEventListener("click", function (event) {
    var mark = event.target.closest && event.target.closest("mark[data-highlight-id]");
    if (!mark || !popover) return;
    var selection = window.getSelection();
    if (selection && !selection.isCollapsed) return;
    openPopover(mark.getAttribute("data-highlight-id"), mark.getBoundingClientRect());
  });
  body.addEventListener("keydown", function (event) {
    var mark = event.target.closest && event.target.closest("mark[data-highlight-id]");
    if (mark && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      openPopover(mark.getAttribute("data-highlight-id"), mark.getBoundingClientRect());
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { hideToolbar(); hidePopover(); }
  });
  document.addEventListener("selectionchange", soon);
  body.addEventListener("mouseup", onSelection);
  body.addEventListener("keyup", soon);
  body.addEventListener("touchend", soon);
  // The highlights section swapped by htmx (the forms under the article) carries the body too.
  document.body.addEventListener("htmx:oobAfterSwap", function (event) {
    if (event.detail && event.detail.target === body) {
      prepareMarks();
      document.dispatchEvent(new CustomEvent("folio:body-changed"));
    }
  });
  document.addEventListener("focusin", function (event) {
    var quote = $("highlight-quote");
    if (event.target === quote && quote.value) { var note = $("highlight-note"); if (note) note.focus(); }
  });
  prepareMarks();
})();
