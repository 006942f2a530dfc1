// 顽症: the monthly count of linked grid cases and 12345 orders (ECharts, vendored). Data from the page's JSON
// endpoint; no inline scripts.
(function () {
  "use strict";
  document.querySelectorAll("[data-problem-chart]").forEach(function (el) {
    if (!window.echarts) { return; }
    var names = (el.dataset.labels || "").split(",");
    var chart = echarts.init(el);
    fetch(el.dataset.problemChart, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (d) {
      chart.setOption({
        tooltip: { trigger: "axis" },
        legend: { data: names, top: 0 },
        grid: { left: 36, right: 16, top: 36, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: d.labels, axisLabel: { rotate: 45, hideOverlap: true } },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: names[0], type: "bar", stack: "n", data: d.cases, itemStyle: { color: "#1b6ec2" } },
          { name: names[1], type: "bar", stack: "n", data: d.orders, itemStyle: { color: "#e0a800" } }
        ]
      });
      el.dataset.loaded = String(d.cases.reduce(function (a, b) { return a + b; }, 0) +
                                 d.orders.reduce(function (a, b) { return a + b; }, 0));
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
