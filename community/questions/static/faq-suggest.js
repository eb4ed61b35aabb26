// Similar FAQ entries while a member types the title of a question to the city.
// Without JavaScript the form offers a "look for similar FAQ entries" button instead.
(function () {
  "use strict";
  var form = document.querySelector("form[data-suggest-url]");
  if (!form) { return; }
  var input = form.querySelector("[data-faq-suggest]");
  var box = document.getElementById("faq-suggestions");
  if (!input || !box) { return; }
  var list = box.querySelector(".faq-suggestions__list");
  var none = box.querySelector(".faq-suggestions__none");
  var url = form.getAttribute("data-suggest-url");
  var timer = null;
  var controller = null;
  var last = "";

  function show(results) {
    list.textContent = "";
    results.forEach(function (item) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = item.url;
      a.textContent = item.title;  // text, never HTML
      a.target = "_blank";
      a.rel = "noopener";
      var meta = document.createElement("span");
      meta.className = "meta";
      meta.textContent = " " + item.department;
      li.appendChild(a);
      li.appendChild(meta);
      list.appendChild(li);
    });
    none.hidden = results.length > 0;
    box.hidden = results.length === 0;
  }

  function lookup() {
    var text = input.value.trim();
    if (text === last) { return; }
    last = text;
    if (text.length < 2) { show([]); return; }
    if (controller) { controller.abort(); }
    controller = window.AbortController ? new AbortController() : null;
    fetch(url + "?q=" + encodeURIComponent(text), {
      credentials: "same-origin",
      headers: { "Accept": "application/json" },
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      return response.ok ? response.json() : { results: [] };
    }).then(function (data) {
      show(data.results || []);
    }).catch(function () { /* aborted or offline: keep what is shown */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(lookup, 300);
  });
})();
