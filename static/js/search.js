/* Search: arrow keys move through results ("/" is keys.js's, the one handler of that key), and the reader highlights and
   scrolls to the terms of the search a result was opened from (?q=… in the reader's address). */
(function () {
  "use strict";

  function resultLinks() {
    return Array.prototype.slice.call(document.querySelectorAll("#search-results .search-result-link"));
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp" && event.key !== "Escape") return;
    var links = resultLinks();
    if (!links.length) return;
    var index = links.indexOf(target);
    var box2 = document.getElementById("search-q");
    if (event.key === "Escape" && index >= 0 && box2) { event.preventDefault(); box2.focus(); return; }
    if (target === box2 && event.key === "ArrowDown") { event.preventDefault(); links[0].focus(); return; }
    if (index < 0) return;
    event.preventDefault();
    if (event.key === "ArrowDown" && index < links.length - 1) links[index + 1].focus();
    else if (event.key === "ArrowUp") (index > 0 ? links[index - 1] : box2 || links[0]).focus();
  }, true);

  // --- reader: highlight the search terms and scroll to the first ---------------------------------
  var FILTER = /^-?[A-Za-z]+:/;

  function queryTerms(query) {
    var terms = [];
    var re = /(-?)"([^"]*)"?|(\S+)/g;
    var match;
    while ((match = re.exec(query))) {
      if (match[1]) continue;                      // an excluded phrase
      var text = match[2] !== undefined ? match[2] : match[3];
      if (match[3] !== undefined) {
        if (text === "OR" || text.charAt(0) === "-") continue;
        if (FILTER.test(text)) {
          if (!/^title:/i.test(text)) continue;    // filters other than title: highlight nothing
          text = text.replace(/^title:/i, "").replace(/^"|"$/g, "");
        }
      }
      text.split(/[^\p{L}\p{N}_]+/u).forEach(function (word) {
        word = word.replace(/\*+$/, "");
        if (word.length >= 2) terms.push(word.toLowerCase());
      });
    }
    return terms;
  }

  function stem(word) {
    // A light, language-neutral stem so that "running" also marks "run" and "corriendo" marks "correr":
    // keep at least 3 letters and about two thirds of the word.
    var keep = Math.max(3, Math.ceil(word.length * 0.6));
    return word.length > 4 ? word.slice(0, keep) : word;
  }

  function escapeRegExp(text) { return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }

  function highlightReader() {
    var body = document.querySelector(".reader-body");
    if (!body || !window.URLSearchParams) return;
    var query = new URLSearchParams(window.location.search).get("q");
    if (!query) return;
    var terms = queryTerms(query);
    if (!terms.length) return;
    var stems = terms.map(stem).sort(function (a, b) { return b.length - a.length; });
    var pattern = new RegExp("(^|[^\\p{L}\\p{N}_])((?:" + stems.map(escapeRegExp).join("|") + ")[\\p{L}\\p{N}_]*)", "giu");
    var walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
    var nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    var first = null;
    nodes.forEach(function (node) {
      var text = node.nodeValue;
      pattern.lastIndex = 0;
      if (!pattern.test(text)) return;
      pattern.lastIndex = 0;
      var fragment = document.createDocumentFragment();
      var last = 0;
      var m;
      while ((m = pattern.exec(text))) {
        var start = m.index + m[1].length;
        fragment.appendChild(document.createTextNode(text.slice(last, start)));
        var mark = document.createElement("mark");
        mark.className = "search-hit";
        mark.textContent = m[2];
        fragment.appendChild(mark);
        if (!first) first = mark;
        last = start + m[2].length;
      }
      fragment.appendChild(document.createTextNode(text.slice(last)));
      node.parentNode.replaceChild(fragment, node);
    });
    if (first) {
      first.classList.add("search-hit-first");
      first.setAttribute("tabindex", "-1");
      first.scrollIntoView({ block: "center" });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", highlightReader);
  else highlightReader();
})();
