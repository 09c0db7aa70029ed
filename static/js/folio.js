/* Folio's small page script (no framework). Loaded from 'self' so the CSP needs no inline script. */
(function () {
  "use strict";
  // Focus the save field with "/" unless typing somewhere already.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key !== "/" || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable) return;
    var field = document.getElementById("id_url");
    if (field) { event.preventDefault(); field.focus(); }
  });
})();
