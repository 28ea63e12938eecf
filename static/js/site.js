// My pages: two small enhancements; every page works without them.
//
// 1. Stale figures update in place. A section ([data-fresh-section] with an id) holding
//    something stale ([data-stale="true"]: a stale freshness line, a failed part) makes
//    the page fetch itself again every few seconds, in the background, while the
//    server's refresh runs; each section whose new copy is no longer stale is swapped
//    in, without a full reload. A stale freshness line outside any section (a page of
//    forms, which is never swapped under the user's hands) says when newer figures
//    have arrived instead, with a link to show them.
// 2. "Refresh now" ([data-refresh-form]) posts with fetch, follows the refresh through
//    the status link it gets back (the refresh status API) and shows where it stands;
//    when it is done, every section of the page is swapped for the fresh copy.
(function () {
  "use strict";

  var POLL_MS = 3000;
  var MAX_POLLS = 40; // two minutes: past that the upstream is down, and the page says so
  var STATUS_MS = 1500;
  var MAX_STATUS = 120;

  function sections(root) {
    return Array.prototype.slice.call(root.querySelectorAll("[data-fresh-section][id]"));
  }

  function isStale(element) {
    return element.querySelector('[data-stale="true"]') !== null;
  }

  function looseLines(root) {
    return Array.prototype.slice
      .call(root.querySelectorAll('[data-freshness][data-stale="true"]'))
      .filter(function (line) { return !line.closest("[data-fresh-section]"); });
  }

  function fetchPage() {
    return fetch(window.location.href, {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        return new DOMParser().parseFromString(html, "text/html");
      });
  }

  // Swap in the sections of `doc` that are fresh (all of them with `all`). A section
  // holding the keyboard focus waits for the next round, so no one loses their place.
  function swap(doc, all) {
    sections(document).forEach(function (current) {
      var next = doc.getElementById(current.id);
      if (!next || current.contains(document.activeElement)) {
        return;
      }
      if (all || (isStale(current) && !isStale(next))) {
        current.replaceWith(document.importNode(next, true));
      }
    });
  }

  function noteArrivals(doc) {
    var stillStale = looseLines(doc).length;
    if (stillStale) {
      return;
    }
    looseLines(document).forEach(function (line) {
      var note = line.querySelector("[data-freshness-note]");
      line.setAttribute("data-stale", "arrived");
      if (!note) {
        return;
      }
      var link = document.createElement("a");
      link.href = window.location.href;
      link.textContent = line.getAttribute("data-text-show") || "";
      note.textContent = (line.getAttribute("data-text-arrived") || "") + " ";
      note.appendChild(link);
    });
  }

  function needsWatching() {
    return sections(document).some(isStale) || looseLines(document).length > 0;
  }

  function watch() {
    var polls = 0;
    function tick() {
      polls += 1;
      if (!needsWatching() || polls > MAX_POLLS) {
        return;
      }
      fetchPage()
        .then(function (doc) {
          swap(doc, false);
          noteArrivals(doc);
          window.setTimeout(tick, POLL_MS);
        })
        .catch(function () {
          window.setTimeout(tick, POLL_MS * 2);
        });
    }
    if (needsWatching()) {
      window.setTimeout(tick, POLL_MS);
    }
  }

  function show(progress, state) {
    if (!progress) {
      return;
    }
    progress.textContent = progress.getAttribute("data-text-" + state) || "";
    if (state === "queued" || state === "running") {
      var bar = document.createElement("progress");
      bar.setAttribute("aria-hidden", "true");
      progress.appendChild(document.createTextNode(" "));
      progress.appendChild(bar);
    }
  }

  function follow(url, progress, done, count) {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (body) {
        if (body.status === "done") {
          return fetchPage().then(function (doc) {
            swap(doc, true);
            noteArrivals(doc);
            show(progress, "done");
            done();
          });
        }
        if (body.status === "failed" || body.status === "expired" || count >= MAX_STATUS) {
          show(progress, "failed");
          done();
          return undefined;
        }
        if (progress.getAttribute("data-state") !== body.status) {
          progress.setAttribute("data-state", body.status);
          show(progress, body.status);
        }
        window.setTimeout(function () { follow(url, progress, done, count + 1); }, STATUS_MS);
        return undefined;
      })
      .catch(function () {
        if (count >= MAX_STATUS) {
          show(progress, "failed");
          done();
          return;
        }
        window.setTimeout(function () { follow(url, progress, done, count + 1); }, STATUS_MS * 2);
      });
  }

  function enhanceRefresh(form) {
    var button = form.querySelector("button");
    var progress = form.parentNode.querySelector("[data-refresh-progress]");
    var busy = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (busy) {
        return;
      }
      busy = true;
      button.setAttribute("aria-disabled", "true");
      progress.removeAttribute("data-state");
      show(progress, "queued");
      function done() {
        busy = false;
        button.removeAttribute("aria-disabled");
      }
      fetch(form.action, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          Accept: "application/json",
          "X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value,
        },
        body: new FormData(form),
      })
        .then(function (response) {
          if (response.status !== 202) {
            throw new Error("status " + response.status);
          }
          return response.json();
        })
        .then(function (body) {
          follow(body.statusUrl, progress, done, 0);
        })
        .catch(function () {
          show(progress, "failed");
          done();
        });
    });
  }

  function start() {
    Array.prototype.slice
      .call(document.querySelectorAll("form[data-refresh-form]"))
      .forEach(enhanceRefresh);
    watch();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
