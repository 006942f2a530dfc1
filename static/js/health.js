// 家庭医生签约覆盖率: a bar per committee and the target as a line. The figures are in the JSON data block next to
// the chart and in the table under it. No inline scripts (CSP).
(function () {
  "use strict";
  if (!window.echarts) { return; }
  document.querySelectorAll("[data-coverage]").forEach(function (el) {
    var source = document.getElementById(el.dataset.coverage);
    if (!source) { return; }
    var d = JSON.parse(source.textContent);
    var chart = echarts.init(el);
    var series = [{ name: d.name, type: "bar", data: d.rates, itemStyle: { color: "#1b6ec2" }, barMaxWidth: 56,
                    label: { show: d.labels.length <= 20, position: "top", formatter: "{c}%" } }];
    if (d.target !== null) {
      // The target as a dashed rule across the chart (a line series needs two committees to be drawn).
      series[0].markLine = { symbol: "none", silent: true, lineStyle: { color: "#b4232a", type: "dashed" },
                             label: { formatter: "目标 " + d.target + "%", position: "insideEndTop", color: "#b4232a" },
                             data: [{ yAxis: d.target }] };
    }
    chart.setOption({
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + "%"; } },
      legend: { bottom: 0 },
      grid: { left: 44, right: 16, top: 24, bottom: 64, containLabel: false },
      xAxis: { type: "category", data: d.labels, axisLabel: { interval: 0, rotate: d.labels.length > 6 ? 40 : 0,
               formatter: function (v) { return v.replace("居委会", ""); } } },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series: series
    });
    el.dataset.loaded = String(d.labels.length);
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
