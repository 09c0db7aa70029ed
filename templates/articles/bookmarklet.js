// Folio bookmarklet. Rendered by articles.views.bookmarklet.bookmarklet_code (comments and line breaks
// are removed). It runs inside the visited page, so it must not depend on that page's CSP allowing
// connections: it opens Folio's popup and hands the page over with postMessage to Folio's origin only.
(function () {
  var folio = "{{ origin|escapejs }}";
  var doc = document;
  var page = location.href;
  var popup = folio + "{{ popup_path|escapejs }}?url=" + encodeURIComponent(page) + "&title=" + encodeURIComponent(doc.title.slice(0, 300));
  var win = window.open(popup, "folio_save", "popup,width=520,height=640");
  if (!win) { location.href = popup; return; }
  var done = false;
  function listen(event) {
    if (done || event.source !== win || event.origin !== folio || !event.data || event.data.type !== "folio:ready") return;
    done = true;
    window.removeEventListener("message", listen);
    var message = { type: "folio:page", url: page, title: doc.title };
    if (event.data.wantHtml) message.html = doc.documentElement.outerHTML;
    win.postMessage(message, folio);
  }
  window.addEventListener("message", listen);
})();
