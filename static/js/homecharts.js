// Home page charts (ECharts, vendored). Each chart's figures are in a JSON data block next to it; the same
// figures are in a table under "查看数据" for readers who can't see the chart. No inline scripts (CSP).
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var palette = ["#1b6ec2", "#2e8b57", "#b4232a", "#8a5a00", "#6f42c1"];
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var source = document.getElementById(el.dataset.chart);
    if (!source) { return; }
    var d = JSON.parse(source.textContent);
    var hasPercent = d.series.some(function (s) { return s.percent; });
    var hasValue = d.series.some(function (s) { return !s.percent; });
    var axes = [];
    if (hasValue) { axes.push({ type: "value", minInterval: 1 }); }
    if (hasPercent) { axes.push({ type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }); }
    var chart = echarts.init(el);
    chart.setOption({
      color: palette,
      tooltip: { trigger: "axis" },
      legend: { bottom: 0 },
      grid: { left: 40, right: hasPercent && hasValue ? 44 : 16, top: 16, bottom: 48 },
      xAxis: { type: "category", data: d.labels },
      yAxis: axes,
      series: d.series.map(function (s) {
        return { name: s.name, type: s.kind === "line" ? "line" : "bar", data: s.values, connectNulls: false,
                 yAxisIndex: s.percent && hasValue ? 1 : 0 };
      })
    });
    el.dataset.loaded = String(d.labels.length);
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
