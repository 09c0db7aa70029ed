/* Reading progress: saved on the server as the person scrolls, restored when the article is opened again
   (on any device). The position is the index of the block (paragraph, heading, list item...) nearest the
   top of the screen, plus the percentage of the article body scrolled past; reaching the end marks the
   article read (server side, articles.services.library.article_progress_set). */
(function () {
  "use strict";
  var reader = document.getElementById("reader");
  var body = document.getElementById("reader-body");
  if (!reader || !body) return;
  var url = reader.getAttribute("data-progress-url");
  var BLOCKS = "p, h1, h2, h3, h4, h5, h6, li, blockquote, pre, figure, table";
  var blocks = Array.prototype.slice.call(body.querySelectorAll(BLOCKS));
  // Highlighting marks the body again (static/js/highlights.js): count the blocks of the new one.
  document.addEventListener("folio:body-changed", function () {
    blocks = Array.prototype.slice.call(body.querySelectorAll(BLOCKS));
  });
  var token = window.Folio && window.Folio.csrfToken ? window.Folio.csrfToken() : "";  // keys.js
  var last = { percent: -1, paragraph: -1 };
  var timer = null;

  function pageTop(el) { return el.getBoundingClientRect().top + window.scrollY; }

  function percent() {
    var end = pageTop(body) + body.offsetHeight - window.innerHeight;
    if (end <= 0) return window.scrollY > 0 ? 100 : 0;
    return Math.max(0, Math.min(100, (window.scrollY / end) * 100));
  }
  function nearestParagraph() {
    var best = 0, bestDistance = Infinity;
    for (var i = 0; i < blocks.length; i++) {
      var distance = Math.abs(blocks[i].getBoundingClientRect().top);
      if (distance < bestDistance) { best = i; bestDistance = distance; }
      else if (blocks[i].getBoundingClientRect().top > 0) break;
    }
    return best;
  }
  function send(keepalive, given) {
    var state = given || { percent: Math.round(percent() * 100) / 100, paragraph: nearestParagraph() };
    if (state.percent === last.percent && state.paragraph === last.paragraph) return;
    last = state;
    var data = new URLSearchParams();
    data.set("percent", String(state.percent));
    data.set("paragraph", String(state.paragraph));
    data.set("csrfmiddlewaretoken", token);
    fetch(url, {
      method: "POST", body: data, credentials: "same-origin", keepalive: !!keepalive,
      headers: { "X-CSRFToken": token, "X-Requested-With": "fetch" },
    }).then(function (response) { return response.ok ? response.json() : null; })
      .then(function (result) {
        reader.setAttribute("data-saved-percent", String(state.percent));
        if (result && result.read) {
          reader.setAttribute("data-read", "true");
          var end = document.getElementById("reader-end");
          if (end && !end.textContent) end.textContent = end.getAttribute("data-read-text");  // in the page's language
        }
      }).catch(function () { last = { percent: -1, paragraph: -1 }; });
  }
  function restore() {
    var paragraph = parseInt(reader.getAttribute("data-progress-paragraph"), 10) || 0;
    var saved = parseFloat(reader.getAttribute("data-progress-percent")) || 0;
    if (paragraph > 0 && blocks[paragraph]) {
      window.scrollTo(0, Math.max(0, pageTop(blocks[paragraph])));
    } else if (saved > 0) {
      var end = pageTop(body) + body.offsetHeight - window.innerHeight;
      window.scrollTo(0, Math.max(0, end * saved / 100));
    }
    last = { percent: Math.round(percent() * 100) / 100, paragraph: nearestParagraph() };
    reader.setAttribute("data-restored", "true");
  }

  // Listening (static/js/listen.js) reports the block being read: {percent, paragraph}; saved at once, and
  // the scroll it causes does not send an older position afterwards.
  document.addEventListener("folio:progress", function (event) {
    var d = event.detail || {};
    if (typeof d.percent !== "number" || typeof d.paragraph !== "number") return;
    clearTimeout(timer);
    listening = true;
    send(false, { percent: Math.round(Math.max(0, Math.min(100, d.percent)) * 100) / 100, paragraph: d.paragraph });
  });
  document.addEventListener("folio:listening", function (event) { listening = !!(event.detail && event.detail.on); });
  var listening = false;

  if ("scrollRestoration" in history) history.scrollRestoration = "manual";
  restore();
  window.addEventListener("scroll", function () {
    clearTimeout(timer);
    if (listening) return;
    timer = setTimeout(function () { send(false); }, 600);
  }, { passive: true });
  window.addEventListener("pagehide", function () { clearTimeout(timer); if (!listening) send(true); });
})();
