// Kiosk: idle warning with a countdown, then logout; every screen also works without this file
// (the server ends an idle session on the next request).
"use strict";
(function () {
  // A page brought back from the back-forward cache may show the last visitor: ask the server again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { window.location.reload(); }
  });

  var body = document.body;
  var idleSeconds = Number(body.dataset.idleSeconds || 0);
  var warningSeconds = Number(body.dataset.warningSeconds || 0);
  var dialog = document.getElementById("kiosk-idle");
  var timeoutForm = document.getElementById("kiosk-timeout");
  if (!idleSeconds || !dialog || !timeoutForm) { return; }

  var countdown = dialog.querySelector("[data-countdown]");
  var continueButton = dialog.querySelector("[data-continue]");
  var keepaliveUrl = body.dataset.keepaliveUrl;
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var lastActivity = Date.now();
  var lastPing = Date.now();
  var warningSince = null;
  var finished = false;

  function ping() {
    // Tells the server the visitor is still here, so a long diary is not lost to its idle check.
    lastPing = Date.now();
    if (!keepaliveUrl || !window.fetch) { return; }
    window.fetch(keepaliveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfMeta ? csrfMeta.content : "" }
    }).catch(function () { /* the next page load checks again */ });
  }

  function activity() {
    if (warningSince !== null) { return; }  // only つづける ends the warning
    lastActivity = Date.now();
    if (lastActivity - lastPing > 60000) { ping(); }
  }

  ["pointerdown", "keydown", "input", "wheel", "touchstart", "scroll"].forEach(function (name) {
    document.addEventListener(name, activity, { capture: true, passive: true });
  });

  function format(seconds) {
    var m = Math.floor(seconds / 60);
    var s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  function showWarning(now) {
    warningSince = now;
    countdown.textContent = format(warningSeconds);
    if (typeof dialog.showModal === "function") { dialog.showModal(); } else { dialog.setAttribute("open", ""); }
    continueButton.focus();
  }

  function keepGoing() {
    warningSince = null;
    lastActivity = Date.now();
    if (dialog.open) { dialog.close(); }
    ping();
  }

  function finish() {
    if (finished) { return; }
    finished = true;
    timeoutForm.submit();
  }

  continueButton.addEventListener("click", keepGoing);
  // Escape closes a modal dialog; treat it as つづける rather than leaving a hidden countdown running.
  dialog.addEventListener("cancel", function (event) { event.preventDefault(); keepGoing(); });

  window.setInterval(function () {
    var now = Date.now();
    if (warningSince === null) {
      if (now - lastActivity >= idleSeconds * 1000) { showWarning(now); }
      return;
    }
    var left = Math.max(0, Math.ceil((warningSince + warningSeconds * 1000 - now) / 1000));
    countdown.textContent = format(left);
    if (left <= 0) { finish(); }
  }, 1000);
}());

// An emergency published while this screen is open: ask for the banner every 30 seconds and swap it
// in when it changed (role="alert" announces it). Without this file, reading screens reload instead.
(function () {
  var region = document.getElementById("kiosk-emergency");
  if (!region || !region.dataset.url || !window.fetch) { return; }

  function check() {
    window.fetch(region.dataset.url, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      if (response.redirected) {
        // The server ended the visit (idle too long): show where it sent us rather than a stale screen.
        window.location.assign(response.url);
        return null;
      }
      var version = response.headers.get("X-Kiosk-Banner-Version");
      if (!response.ok || !version || version === region.dataset.version) { return null; }
      return response.text().then(function (html) {
        region.innerHTML = html;
        region.dataset.version = version;
      });
    }).catch(function () { /* offline for a moment: the next check tries again */ });
  }

  window.setInterval(check, 30000);
}());
