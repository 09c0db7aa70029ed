/* Library page helpers: the selection bar (shown only while articles are selected, with their count and
   "select all"), and sorting as soon as the order is chosen. Both are conveniences; without JavaScript the
   bar stays visible under the list, and the "Apply" button sorts. A bulk action keeps the selection: the
   server sends the changed rows back checked (views/library.py, selected_ids). */
(function () {
  "use strict";
  var form = document.getElementById("bulk-form");
  var all = document.querySelector("[data-select-all]");
  var count = document.querySelector("[data-bulk-count]");

  function boxes() { return document.querySelectorAll("#article-list .row-select"); }
  function update() {
    if (!form) return;
    var list = boxes(), checked = 0;
    list.forEach(function (box) { if (box.checked) checked += 1; });
    form.hidden = checked === 0;
    // Docked while something is selected, or while the answer to the last action (and its Undo) shows.
    var status = document.getElementById("bulk-status");
    var answered = status && status.textContent.trim() !== "";
    form.closest(".bulk-dock").classList.toggle("is-active", checked > 0 || answered);
    // The words come from the page, in its language (data-one / data-other, %(count)s for the number).
    if (count) count.textContent = count.getAttribute(checked === 1 ? "data-one" : "data-other").replace("%(count)s", checked);
    if (all) all.checked = checked > 0 && checked === list.length;
  }
  if (form) {
    if (all) {
      all.closest("label").hidden = false;
      all.addEventListener("change", function () {
        boxes().forEach(function (box) { box.checked = all.checked; });
        update();
      });
    }
    document.addEventListener("change", function (event) {
      if (event.target.classList && event.target.classList.contains("row-select")) update();
    });
    document.addEventListener("htmx:afterSettle", update);
    update();
  }
  var sort = document.querySelector("[data-autosubmit]");
  if (sort) {
    var button = sort.form.querySelector("[data-autosubmit-button]");
    if (button) button.classList.add("visually-hidden");
    sort.addEventListener("change", function () { sort.form.submit(); });
  }
})();
