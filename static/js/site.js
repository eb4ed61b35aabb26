// Progressive enhancement only: every page works without this file.
"use strict";
document.addEventListener("submit", function (event) {
  // Stop a double click from sending the same form twice; the server also refuses duplicates.
  var form = event.target;
  if (form.dataset.submitted === "1") {
    event.preventDefault();
    return;
  }
  form.dataset.submitted = "1";
  window.setTimeout(function () { form.dataset.submitted = ""; }, 5000);
});
