// Keeps a draft of the diary form in this browser tab (sessionStorage: gone when the tab closes,
// and cleared by a kiosk's logout), so an expired login never loses what was written.
(function () {
  "use strict";
  var clear = document.querySelector("[data-draft-clear]");
  if (clear) {
    try { sessionStorage.removeItem(clear.getAttribute("data-draft-clear")); } catch (e) { /* storage off */ }
  }
  var form = document.querySelector("form[data-draft-key]");
  if (!form) { return; }
  var key = form.getAttribute("data-draft-key");
  var title = form.querySelector("[name=title]");
  var body = form.querySelector("[name=body]");
  try {
    var saved = JSON.parse(sessionStorage.getItem(key) || "null");
    if (saved && !title.value && !body.value) {
      title.value = saved.title || "";
      body.value = saved.body || "";
    }
  } catch (e) { /* storage off or broken JSON: nothing to restore */ }
  function save() {
    try { sessionStorage.setItem(key, JSON.stringify({title: title.value, body: body.value})); } catch (e) { /* full */ }
  }
  title.addEventListener("input", save);
  body.addEventListener("input", save);

  // "Who will be able to read it": repeat the chosen option's sentence next to the button.
  var now = form.querySelector("[data-readers-now]");
  form.querySelectorAll("input[name=visibility]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      var hint = form.querySelector('[data-readers="' + radio.value + '"]');
      if (now && hint) { now.textContent = hint.textContent; }
    });
  });
})();
