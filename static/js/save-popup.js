/* Folio's bookmarklet popup (templates/articles/save_popup.html and save_done.html).
 *
 * The bookmarklet, running in the page being saved, opened this window. We tell it we are ready (and
 * whether to send the page HTML); it answers with {type: "folio:page", url, title, html} by postMessage.
 * We accept that message only from window.opener and only for an address of the sender's own origin
 * (a page can hand over itself, nothing else), then submit the form: a same-origin POST carrying the
 * session cookie and the CSRF token. The HTML travels as a file in a multipart body.
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
  if (!window.opener || document.querySelector(".save-popup .error")) {
    status.textContent = "Check the address and press Save.";
    return;
  }

  var wantHtml = form.dataset.sendHtml === "true";
  var maxBytes = parseInt(form.dataset.maxBytes, 10);
  var received = false;

  function attachHtml(html) {
    var file = new File([html], "page.html", { type: "text/html" });
    if (file.size > maxBytes) {
      status.textContent = "This page is larger than the " + form.dataset.maxMegabytes +
        " MB Folio accepts from the browser. Press Save to save its address; Folio will fetch it.";
      return false;
    }
    var transfer = new DataTransfer();
    transfer.items.add(file);
    form.elements.html.files = transfer.files;
    return true;
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (received || event.source !== window.opener || !data || data.type !== "folio:page") return;
    var address;
    try { address = new URL(String(data.url)); } catch (error) { return; }
    if (address.origin !== event.origin) return;
    received = true;
    form.elements.url.value = address.href;
    form.elements.title.value = String(data.title || "").slice(0, 500);
    if (wantHtml && typeof data.html === "string" && !attachHtml(data.html)) return;
    status.textContent = "Saving…";
    form.requestSubmit();
  });

  // The opener's origin is unknown here (any site), and this message carries nothing secret.
  window.opener.postMessage({ type: "folio:ready", wantHtml: wantHtml }, "*");
  window.setTimeout(function () {
    if (!received) status.textContent = "The page did not hand itself over. Press Save to save its address; Folio will fetch it.";
  }, 4000);
})();
