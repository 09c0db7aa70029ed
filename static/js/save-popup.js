/* Folio's bookmarklet popup (templates/articles/save_popup.html and save_done.html).
 *
 * The bookmarklet, running in the page being saved, opened this window with the page's address in the
 * query string. Nothing is saved and nothing is said to the opener until the person presses Save here,
 * inside Folio's own window (issue 21.1: any site can open this popup; before that act it must learn
 * nothing, not even that the visitor is logged in, and must not be able to put a page in the library).
 *
 * On Save, with sending the page HTML switched on, we ask the opener for the page: a
 * {type: "folio:ready"} message targeted at the origin of the address shown in the form (so it reaches
 * the opener only while it is on that origin). It answers with {type: "folio:page", url, title, html}.
 * We accept that answer only from window.opener, only from the address's origin and only for exactly
 * the address the person confirmed, attach the HTML as a file and submit the form: a same-origin POST
 * carrying the session cookie and the CSRF token. Without an answer within a few seconds the address
 * alone is saved (Folio fetches it). With sending the page switched off the form is submitted as is.
 */
(function () {
  "use strict";

  var close = document.getElementById("close-popup");
  if (close && window.opener !== null) {
    close.hidden = false;
    close.addEventListener("click", function () { window.close(); });
  }

  var form = document.getElementById("save-page-form");
  var status = document.getElementById("save-status");
  if (!form || !status) return;
  // Every sentence comes from the page, in its language (save_popup.html: data-* on #save-status).
  status.textContent = status.getAttribute("data-check");
  form.dataset.ready = "true";
  if (!window.opener || form.dataset.sendHtml !== "true") return;

  var maxBytes = parseInt(form.dataset.maxBytes, 10);
  var asked = false;
  var sent = false;
  var target = null;
  var timer = null;

  function send() {
    if (sent) return;
    sent = true;
    window.clearTimeout(timer);
    window.removeEventListener("message", receive);
    status.textContent = status.getAttribute("data-saving");
    form.submit();  // not requestSubmit: the submit handler below has done its part
  }

  function attachHtml(html) {
    var file = new File([html], "page.html", { type: "text/html" });
    if (file.size > maxBytes) {
      status.textContent = status.getAttribute("data-too-large").replace("%(megabytes)s", form.dataset.maxMegabytes);
      return;
    }
    var transfer = new DataTransfer();
    transfer.items.add(file);
    form.elements.html.files = transfer.files;
  }

  function receive(event) {
    var data = event.data;
    if (sent || event.source !== window.opener || !data || data.type !== "folio:page") return;
    if (event.origin !== target.origin || String(data.url) !== target.href) return;
    if (typeof data.html === "string") attachHtml(data.html);
    send();
  }

  form.addEventListener("submit", function (event) {
    if (asked) return;
    try { target = new URL(form.elements.url.value); } catch (error) { return; }  // the server explains
    if (target.protocol !== "http:" && target.protocol !== "https:" || !window.opener) return;
    event.preventDefault();
    asked = true;
    status.textContent = status.getAttribute("data-getting");
    window.addEventListener("message", receive);
    window.opener.postMessage({ type: "folio:ready", wantHtml: true }, target.origin);
    timer = window.setTimeout(send, 4000);
  });
})();
