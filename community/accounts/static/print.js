// The slip's "print" button; without JavaScript the browser's own print menu works the same.
"use strict";
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-print]");
  if (button) {
    window.print();
  }
});
document.querySelectorAll("[data-print]").forEach(function (button) { button.hidden = false; });
