/* Highlights in the reader: selecting text in the article fills the highlight form (quote, the text just
   before and after it, and its offset in the article text) and moves focus to the note. The form works
   without this script: the passage can be pasted by hand. No inline script (CSP). */
(function () {
  "use strict";
  var body = document.getElementById("reader-body");
  var form = document.getElementById("highlight-form");
  if (!body || !form) return;
  var quote = document.getElementById("highlight-quote");
  var note = document.getElementById("highlight-note");
  var prefix = document.getElementById("highlight-prefix");
  var suffix = document.getElementById("highlight-suffix");
  var start = document.getElementById("highlight-start");

  function textOffset(container, node, offset) {
    var range = document.createRange();
    range.selectNodeContents(container);
    range.setEnd(node, offset);
    return range.toString().length;
  }

  function capture() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) return;
    var range = selection.getRangeAt(0);
    if (!body.contains(range.commonAncestorContainer)) return;
    var text = selection.toString().replace(/\s+/g, " ").trim();
    if (!text) return;
    var all = body.textContent;
    var at = textOffset(body, range.startContainer, range.startOffset);
    var end = textOffset(body, range.endContainer, range.endOffset);
    quote.value = text;
    start.value = String(at);
    prefix.value = all.slice(Math.max(0, at - 64), at);
    suffix.value = all.slice(end, end + 64);
    form.classList.add("has-selection");
    var add = form.closest("details");
    if (add) add.open = true;
  }

  body.addEventListener("mouseup", capture);
  body.addEventListener("keyup", capture);
  document.addEventListener("selectionchange", function () {
    var selection = window.getSelection();
    if (selection && !selection.isCollapsed && body.contains(selection.anchorNode)) capture();
  });
  quote.addEventListener("focus", function () { if (quote.value) note.focus(); });
})();
