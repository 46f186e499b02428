// vervoer web app: the only script of the pages (no inline script, see the CSP).
"use strict";

function clockText(seconds) {
  const s = Math.max(0, Math.round(seconds));
  const m = Math.floor(s / 60);
  return m > 0 ? `${m} min ${s % 60} s` : `${s} s`;
}

function watchJob(box) {
  const id = box.dataset.job;
  const bar = document.getElementById("job-progress");
  const status = document.getElementById("job-status");
  const words = JSON.parse(status.dataset.words);
  const time = document.getElementById("job-time");
  const message = document.getElementById("job-message");
  const result = document.getElementById("job-result");
  async function poll() {
    let info;
    try {
      const response = await fetch(`/api/jobs/${id}`, { credentials: "same-origin" });
      if (!response.ok) return;
      info = await response.json();
    } catch (err) {
      setTimeout(poll, 3000);
      return;
    }
    bar.value = info.progress;
    status.textContent = words[info.status] || info.status;
    message.textContent = info.message;
    if (info.started) {
      const end = info.finished ? Date.parse(info.finished) : Date.now();
      const elapsed = (end - Date.parse(info.started)) / 1000;
      let text = `${time.dataset.elapsed} ${clockText(elapsed)}`;
      if (!info.finished && info.progress > 0.06) {
        const left = elapsed * (1 - info.progress) / info.progress;
        text += ` · ${time.dataset.remaining} ${clockText(left)}`;
      }
      time.textContent = text;
    }
    if (info.result) {
      result.href = info.result;
      result.hidden = false;
    }
    if (info.status === "queued" || info.status === "running") {
      setTimeout(poll, 1000);
    } else {
      const cancel = document.getElementById("job-cancel");
      if (cancel) cancel.hidden = true;
    }
  }
  poll();
}

function daysForms() {
  for (const form of document.querySelectorAll("form[data-days]")) {
    form.addEventListener("submit", () => {
      const chosen = [...form.querySelectorAll("input[type=checkbox]:checked")].map((c) => c.value);
      form.querySelector("input[name=days]").value = chosen.join(",");
    });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("job");
  if (box) watchJob(box);
  daysForms();
});
