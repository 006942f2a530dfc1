// 综合评价 trend chart (ECharts, vendored). Data from the page's JSON endpoint; no inline scripts.
(function () {
  "use strict";
  document.querySelectorAll("[data-trend]").forEach(function (el) {
    if (!window.echarts) { return; }
    var names = (el.dataset.labels || "").split(",");
    var chart = echarts.init(el);
    fetch(el.dataset.trend, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (d) {
      chart.setOption({
        tooltip: { trigger: "axis" },
        legend: { data: names, bottom: 0 },
        grid: { left: 40, right: 44, top: 20, bottom: 50 },
        xAxis: { type: "category", data: d.labels },
        yAxis: [{ type: "value", name: "" }, { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }],
        series: [
          { name: names[0], type: "bar", data: d.reported, itemStyle: { color: "#adb5bd" } },
          { name: names[1], type: "bar", data: d.filed, itemStyle: { color: "#1b6ec2" } },
          { name: names[2], type: "bar", data: d.closed, itemStyle: { color: "#2e8b57" } },
          { name: names[3], type: "line", yAxisIndex: 1, data: d.on_time_rate, itemStyle: { color: "#b4232a" } },
          { name: names[4], type: "line", yAxisIndex: 1, data: d.rework_rate, itemStyle: { color: "#e0a800" } }
        ]
      });
      el.dataset.loaded = String(d.labels.length);
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
