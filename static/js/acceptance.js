// 受理中心 behaviours: clocks, voice calls on the hall screen, kiosk priority lane, intake panels, charts.
(function () {
  "use strict";
  var gettext = window.gettext || function (s) { return s; };
  var interpolate = window.interpolate || function (fmt, obj) {
    return fmt.replace(/%\(\w+\)s/g, function (m) { return String(obj[m.slice(2, -2)]); });
  };

  function pad(n) { return n < 10 ? "0" + n : "" + n; }
  function tick() {
    var now = new Date();
    document.querySelectorAll("[data-clock]").forEach(function (el) {
      el.textContent = interpolate(gettext("%(year)s年%(month)s月%(day)s日 %(time)s"), {
        year: now.getFullYear(), month: now.getMonth() + 1, day: now.getDate(),
        time: pad(now.getHours()) + ":" + pad(now.getMinutes()) + ":" + pad(now.getSeconds())
      }, true);
    });
  }
  setInterval(tick, 1000);
  tick();

  // Hall and window screens: when the newest call changes (not on the first load), write it into the live region
  // for a screen reader; the hall screen also speaks it (data-announce-voice).
  var lastCall = null;
  function announce(root) {
    var el = (root || document).querySelector("[data-announce]");
    if (!el) { return; }
    var key = el.getAttribute("data-announce");
    if (lastCall !== null && key && key !== lastCall) {
      var text = el.getAttribute("data-announce-text");
      // The live region sits outside the board that htmx replaces, so a screen reader hears every call.
      var live = document.getElementById("sq-call-live");
      if (live && text) { live.textContent = text; }
      var box = document.querySelector(".sq-call-now");
      if (box) { box.classList.remove("sq-flash"); void box.offsetWidth; box.classList.add("sq-flash"); }
      if (text && window.speechSynthesis && el.hasAttribute("data-announce-voice")) {
        var u = new SpeechSynthesisUtterance(text + "，" + text);
        u.lang = "zh-CN";
        u.rate = 0.9;
        window.speechSynthesis.speak(u);
      }
    }
    lastCall = key || "";
  }

  // Show or hide panels that depend on a radio choice: data-show-when="name=value[,value]".
  function syncPanels(scope) {
    (scope || document).querySelectorAll("[data-show-when]").forEach(function (panel) {
      var spec = panel.getAttribute("data-show-when").split("=");
      var form = panel.closest("form") || document;
      var checked = form.querySelector("input[name='" + spec[0] + "']:checked") ||
        form.querySelector("select[name='" + spec[0] + "']");
      var value = checked ? checked.value : "";
      panel.hidden = spec[1].split(",").indexOf(value) === -1;
    });
  }

  function drawChart(scope) {
    var holder = (scope || document).querySelector("#hourly-chart");
    var dataEl = document.getElementById("hourly-data");
    if (!holder || !dataEl || !window.echarts) { return; }
    var data = JSON.parse(dataEl.textContent);
    var chart = window.echarts.getInstanceByDom(holder) || window.echarts.init(holder);
    var issued = gettext("取号"), served = gettext("办结");
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { data: [issued, served], top: 0 },
      grid: { left: 36, right: 12, top: 36, bottom: 24 },
      xAxis: { type: "category", data: data.hours },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: issued, type: "bar", data: data.issued, itemStyle: { color: "#b4232a" } },
        { name: served, type: "line", data: data.served, itemStyle: { color: "#1b4b8e" } }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches("input[type=radio], select")) { syncPanels(el.closest("form") || document); }
    // Kiosk: the priority lane needs a reason.
    if (el.matches("[data-priority-toggle]")) {
      var reasons = document.querySelector("[data-priority-reasons]");
      if (reasons) { reasons.hidden = !el.checked; }
    }
    // Window rating tablet: a poor score asks for a reason.
    if (el.matches("[data-score]")) {
      var poor = parseInt(el.value, 10) <= 2;
      document.querySelectorAll("[data-poor-only]").forEach(function (p) { p.hidden = !poor; });
    }
  });

  document.addEventListener("click", function (event) {
    var clear = event.target.closest("[data-clear-chip]");
    if (clear) {
      var chip = clear.closest("[data-chip]");
      if (chip) {
        // The button goes with the chip: the focus goes back to the search field instead of the page's top.
        var body = chip.closest(".card-body");
        var search = body && body.querySelector("input[type=search]");
        chip.innerHTML = "";
        if (search) { search.focus(); }
      }
    }
    var printer = event.target.closest("[data-print]");
    if (printer) { event.preventDefault(); window.print(); }
    // Kiosk category buttons carry their letter; the priority checkbox travels with the form.
    var pick = event.target.closest("[data-pick-category]");
    if (pick) {
      var form = pick.closest("form");
      form.querySelector("input[name=category]").value = pick.getAttribute("data-pick-category");
      var priority = form.querySelector("[data-priority-toggle]");
      var reason = form.querySelector("select[name=priority_reason]");
      if (priority && priority.checked && reason && !reason.value) {
        event.preventDefault();
        reason.focus();
        reason.classList.add("is-invalid");
      }
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    syncPanels();
    announce();
    drawChart();
    // The kiosk's ticket page goes back to the start by itself; a slow reader can extend it (WCAG 2.2.1).
    var back = document.querySelector("[data-return-after]");
    if (back) {
      var left = parseInt(back.getAttribute("data-return-after"), 10);
      var label = document.querySelector("[data-return-left]");
      var tick = setInterval(function () {
        left -= 1;
        if (left <= 0) { clearInterval(tick); window.location.href = back.getAttribute("data-return-url"); return; }
        if (label && left % 10 === 0) {
          label.textContent = interpolate(gettext("%(s)s 秒后回到取号页面。"), { s: left }, true);
        }
      }, 1000);
      var extend = document.querySelector("[data-return-extend]");
      if (extend) { extend.addEventListener("click", function () { left += 60; if (label) { label.textContent = interpolate(gettext("%(s)s 秒后回到取号页面。"), { s: left }, true); } }); }
    }
    if (document.querySelector("[data-autoprint]")) { setTimeout(function () { window.print(); }, 400); }
  });

  // Intake item picker: the filter box hides the options (and groups) that do not match its words; the select
  // stays a native control. The count goes to a polite live region.
  document.querySelectorAll("[data-item-filter]").forEach(function (box) {
    var select = document.getElementById(box.getAttribute("data-item-filter"));
    var count = document.getElementById("item-filter-count");
    if (!select) { return; }
    box.addEventListener("input", function () {
      var words = box.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0, first = null;
      Array.prototype.forEach.call(select.options, function (opt) {
        if (!opt.value) { return; }
        var hay = (opt.getAttribute("data-search") || "") + " " + opt.textContent.toLowerCase();
        var ok = words.every(function (w) { return hay.indexOf(w) !== -1; });
        opt.hidden = !ok;
        if (ok) { shown += 1; first = first || opt; }
      });
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
        group.hidden = !Array.prototype.some.call(group.children, function (o) { return !o.hidden; });
      });
      if (count) {
        count.textContent = words.length ? interpolate(gettext("找到 %(n)s 项。"), { n: shown }, true) : "";
      }
      if (shown === 1 && first && select.value !== first.value) {
        select.value = first.value;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  });

  document.body.addEventListener("htmx:afterSwap", function (event) {
    syncPanels(event.target);
    announce(event.target);
    drawChart(event.target);
  });
  // A device screen whose session expired gets 401: reload to reach the pairing page.
  document.body.addEventListener("htmx:responseError", function (event) {
    if (event.detail.xhr.status === 401) { window.location.reload(); }
  });
})();
