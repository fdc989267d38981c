/* Check-in desk: scan QR codes with the browser's BarcodeDetector where it exists, otherwise
   type the code or search by name. No external library, no CDN. */
(function () {
  "use strict";
  const root = document.querySelector(".ev-checkin");
  if (!root) return;
  const scanUrl = root.dataset.scanUrl;
  const searchUrl = root.dataset.searchUrl;
  const csrf = root.querySelector("input[name=csrfmiddlewaretoken]").value;
  const result = root.querySelector("[data-result]");
  const resultMessage = root.querySelector("[data-result-message]");
  const resultWho = root.querySelector("[data-result-who]");
  const counter = root.querySelector("[data-checked-in]");
  let busy = false;
  let lastCode = "";
  let lastAt = 0;

  function show(data) {
    result.hidden = false;
    result.className = "ev-result ev-result--" + data.status;
    resultMessage.textContent = data.message;
    const who = data.attendee;
    resultWho.textContent = who ? who.name + (who.company ? " — " + who.company : "") + " · " + who.ticket : "";
    if (data.status === "ok") {
      counter.textContent = String(Number(counter.textContent) + 1);
      if (navigator.vibrate) navigator.vibrate(80);
    } else if (navigator.vibrate) {
      navigator.vibrate([60, 60, 60]);
    }
    result.scrollIntoView({ block: "nearest" });
  }

  async function checkIn(code) {
    if (busy) return null;
    busy = true;
    try {
      const body = new URLSearchParams({ code: code });
      const response = await fetch(scanUrl, {
        method: "POST",
        headers: { "X-CSRFToken": csrf, Accept: "application/json" },
        body: body,
        credentials: "same-origin",
      });
      const data = await response.json();
      show(data);
      return data;
    } catch (error) {
      show({ status: "error", message: String(error), attendee: null });
      return null;
    } finally {
      busy = false;
    }
  }

  root.querySelector("[data-code-form]").addEventListener("submit", function (event) {
    event.preventDefault();
    const input = this.querySelector("input[name=code]");
    const code = input.value.trim();
    if (!code) return;
    checkIn(code).then(function () {
      input.value = "";
      input.focus();
    });
  });

  const list = root.querySelector("[data-search-results]");
  const template = root.querySelector("[data-result-template]");
  const none = root.querySelector("[data-no-results]");
  root.querySelector("[data-search-form]").addEventListener("submit", async function (event) {
    event.preventDefault();
    const q = this.querySelector("input[name=q]").value.trim();
    const response = await fetch(searchUrl + "?" + new URLSearchParams({ q: q }), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    const data = await response.json();
    list.replaceChildren();
    none.hidden = data.results.length > 0;
    data.results.forEach(function (attendee) {
      const item = template.content.firstElementChild.cloneNode(true);
      item.querySelector("[data-name]").textContent = attendee.name;
      item.querySelector("[data-company]").textContent = attendee.company;
      item.querySelector("[data-ticket]").textContent = attendee.ticket;
      item.querySelector("[data-reference]").textContent = attendee.reference;
      const button = item.querySelector("[data-checkin]");
      const done = item.querySelector("[data-done]");
      function markDone(time) {
        button.hidden = true;
        done.hidden = false;
        done.textContent = "✓ " + time;
      }
      if (attendee.checked_in_at) markDone(attendee.checked_in_at);
      button.addEventListener("click", async function () {
        const outcome = await checkIn(attendee.reference);
        if (outcome && outcome.attendee && outcome.attendee.checked_in_at) {
          markDone(outcome.attendee.checked_in_at);
        }
      });
      list.appendChild(item);
    });
  });

  // Camera scanning, only where the browser can decode QR codes natively.
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  const scanner = root.querySelector("[data-scanner]");
  const video = root.querySelector("[data-video]");
  const start = root.querySelector("[data-camera-start]");
  const stop = root.querySelector("[data-camera-stop]");
  let stream = null;
  let detector = null;
  scanner.hidden = false;

  async function loop() {
    if (!stream) return;
    try {
      const codes = await detector.detect(video);
      const now = Date.now();
      if (codes.length) {
        const code = codes[0].rawValue.trim();
        // The same ticket stays in front of the lens for a while: read it once.
        if (code && (code !== lastCode || now - lastAt > 4000)) {
          lastCode = code;
          lastAt = now;
          await checkIn(code);
        }
      }
    } catch (error) {
      /* a frame that cannot be read: try the next one */
    }
    window.setTimeout(loop, 250);
  }

  start.addEventListener("click", async function () {
    try {
      detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    } catch (error) {
      show({ status: "error", message: String(error), attendee: null });
      return;
    }
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    start.hidden = true;
    stop.hidden = false;
    loop();
  });

  stop.addEventListener("click", function () {
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.hidden = true;
    start.hidden = false;
    stop.hidden = true;
  });
})();
