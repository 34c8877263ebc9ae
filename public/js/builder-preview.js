// The survey builder's live preview: as the form changes, post it to the
// preview endpoint and show the answer form that comes back. Progressive
// enhancement only: without this file the "Update preview" button does
// the same with a full page load.
(function () {
  "use strict";
  var form = document.getElementById("builder-form");
  var body = document.getElementById("preview-live");
  if (!form || !body || !window.fetch || !window.FormData) {
    return;
  }
  var endpoint = form.getAttribute("data-preview");
  var status = document.getElementById("preview-status");
  var timer = 0;
  var sent = 0;

  function refresh() {
    var data = new FormData(form);
    // A chosen logo is uploaded by the form's own buttons, not on every key.
    data.delete("branding.logo");
    data.set("action", "refresh");
    var mine = ++sent;
    fetch(endpoint, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRF-Token": String(data.get("_csrf") || "") }
    }).then(function (res) {
      if (!res.ok) {
        throw new Error(String(res.status));
      }
      return res.text();
    }).then(function (html) {
      if (mine === sent) {
        body.innerHTML = html;
        if (status) {
          status.textContent = "";
        }
      }
    }).catch(function () {
      if (status && mine === sent) {
        status.textContent = "The preview could not be updated; use “Update preview”.";
      }
    });
  }

  function later(event) {
    if (event.target && event.target.type === "file") {
      return;
    }
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 400);
  }

  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
