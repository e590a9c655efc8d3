// The console's keyboard shortcuts, unit picker and countdowns. No build step; htmx does the requests.
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]');
  document.body.addEventListener("htmx:configRequest", function (event) {
    if (csrf) event.detail.headers["X-CSRF-Token"] = csrf.content;
  });
  // The time the last suggestion panel arrived (read by the browser tests).
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "suggestion") window.__suggestedAt = performance.now();
  });

  function click(id) { var el = document.getElementById(id); if (el) { el.click(); return true; } return false; }

  var picker = document.getElementById("unit-picker");
  function openPicker() {
    if (!picker) return;
    picker.showModal();
    var q = document.getElementById("unit-q"); q.value = ""; q.focus();
  }
  function choose(unit) {
    document.getElementById("unit").value = unit;
    document.getElementById("picked-unit").textContent = unit;
    document.getElementById("override").hidden = false;
    picker.close();
    document.getElementById("reason").focus();
  }
  if (picker) {
    picker.addEventListener("keydown", function (event) {
      var items = Array.prototype.slice.call(picker.querySelectorAll("#unit-results button"));
      var at = items.indexOf(document.activeElement);
      if (event.key === "ArrowDown" && items.length) { event.preventDefault(); items[Math.min(at + 1, items.length - 1)].focus(); }
      if (event.key === "ArrowUp" && items.length) { event.preventDefault(); if (at <= 0) document.getElementById("unit-q").focus(); else items[at - 1].focus(); }
      if (event.key === "Enter" && document.activeElement.id === "unit-q" && items.length) { event.preventDefault(); choose(items[0].dataset.unit); }
    });
    picker.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-unit]");
      if (button) { event.preventDefault(); choose(button.dataset.unit); }
    });
  }
  var clear = document.getElementById("clear-unit");
  if (clear) clear.addEventListener("click", function (event) {
    event.preventDefault();
    document.getElementById("unit").value = ""; document.getElementById("override").hidden = true;
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey && event.key === "Enter") { if (click("do-confirm")) event.preventDefault(); return; }
    if (!event.altKey) return;
    var keys = { KeyU: "open-picker", KeyK: "do-consult", KeyI: "do-inform", KeyA: "do-answer", KeyT: "do-transfer", KeyS: "focus-text" };
    var target = keys[event.code];
    if (!target) return;
    event.preventDefault();
    if (target === "open-picker") openPicker();
    else if (target === "focus-text") { var text = document.getElementById("text"); if (text) text.focus(); }
    else click(target);
  });
  var open = document.getElementById("open-picker");
  if (open) open.addEventListener("click", function (event) { event.preventDefault(); openPicker(); });

  // Deadline countdowns, refreshed each half minute from data-deadline (ISO time).
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var left = Math.round((Date.parse(el.dataset.deadline) - now) / 1000), abs = Math.abs(left);
      var d = Math.floor(abs / 86400), h = Math.floor((abs % 86400) / 3600), m = Math.floor((abs % 3600) / 60);
      var span = d ? d + "天" + h + "小时" : h ? h + "小时" + m + "分" : m + "分";
      el.textContent = (left >= 0 ? "剩 " : "超时 ") + span;
      el.classList.toggle("late", left < 0);
    });
  }
  setInterval(tick, 30000);
})();
