// Live progress of a newsletter campaign in the admin: polls the JSON endpoint while it sends.
(function () {
  "use strict";
  function start(table) {
    var url = table.getAttribute("data-progress-url");
    var polling = table.getAttribute("data-poll") === "true";
    function update(data) {
      table.querySelectorAll("[data-field]").forEach(function (cell) {
        var key = cell.getAttribute("data-field");
        if (key in data) { cell.textContent = data[key]; }
      });
      polling = data.status === "sending" || data.status === "paused";
    }
    function tick() {
      if (!polling) { return; }
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) { if (data) { update(data); } })
        .catch(function () {})
        .then(function () { window.setTimeout(tick, 2000); });
    }
    window.setTimeout(tick, 2000);
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table.newsletter-progress").forEach(start);
  });
})();
