// The exports page (/exports/): moves each running export's progress bar by polling its
// status in the exports API (same origin, the session cookie), and reloads the page when
// one ends, so that the server renders its download link or its failure. Without script
// the page refreshes itself instead (a <noscript> meta refresh).
(function () {
  "use strict";

  var INTERVAL_MS = 2000;
  // A bound on polling: an export runs at most half an hour (its hard time limit).
  var MAX_POLLS = 1200;

  function poll(row, count) {
    if (count >= MAX_POLLS) {
      return;
    }
    fetch(row.getAttribute("data-export-status-url"), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (body) {
        var bar = row.querySelector("progress");
        var label = row.querySelector("[data-export-percent]");
        if (bar && typeof body.percent === "number") {
          bar.value = body.percent;
          bar.textContent = body.percent + " %";
        }
        if (label && typeof body.percent === "number") {
          label.textContent = body.percent + " %";
        }
        if (body.status !== "queued" && body.status !== "running") {
          window.location.reload();
          return;
        }
        window.setTimeout(function () { poll(row, count + 1); }, INTERVAL_MS);
      })
      .catch(function () {
        // A failed poll (network, a restart) is retried, more slowly.
        window.setTimeout(function () { poll(row, count + 1); }, INTERVAL_MS * 3);
      });
  }

  function start() {
    var rows = document.querySelectorAll("tr[data-export-status-url]");
    for (var i = 0; i < rows.length; i += 1) {
      poll(rows[i], 0);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
