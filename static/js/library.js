/* Library page helpers: "select all" for the bulk bar, and sorting as soon as the order is chosen.
   Both are conveniences; without JavaScript the checkboxes and the "Apply" button do the same. */
(function () {
  "use strict";
  var all = document.querySelector("[data-select-all]");
  if (all) {
    all.closest("label").hidden = false;
    all.addEventListener("change", function () {
      document.querySelectorAll("#article-list .row-select").forEach(function (box) { box.checked = all.checked; });
    });
  }
  var sort = document.querySelector("[data-autosubmit]");
  if (sort) {
    var button = sort.form.querySelector("[data-autosubmit-button]");
    if (button) button.classList.add("visually-hidden");
    sort.addEventListener("change", function () { sort.form.submit(); });
  }
  // After a bulk action, clear the selection.
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.elt && event.detail.elt.id === "bulk-form" && event.detail.successful) {
      document.querySelectorAll("#article-list .row-select:checked").forEach(function (box) { box.checked = false; });
      if (all) all.checked = false;
    }
  });
})();
