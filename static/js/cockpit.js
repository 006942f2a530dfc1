// Leader's cockpit: the map of open cases (grids shaded by their open-case count, from the GeoJSON block next to
// the map) and a click on a grid drills down to its committee. The charts are drawn by homecharts.js.
(function () {
  "use strict";
  var el = document.getElementById("cockpit-map");
  if (!el || !window.L || !window.ShequMaps) { return; }
  var esc = window.ShequMaps.esc;
  var data = JSON.parse(document.getElementById("cockpit-map-data").textContent);
  var max = 1;
  data.features.forEach(function (f) { max = Math.max(max, f.properties.open_cases || 0); });
  var map = window.ShequMaps.create(el);
  var layer = L.geoJSON(data, {
    style: function (f) {
      var n = f.properties.open_cases || 0;
      return { color: "#555", weight: 1, fillColor: n ? "#b4232a" : "#2e8b57", fillOpacity: n ? 0.15 + 0.6 * n / max : 0.15 };
    },
    onEachFeature: function (f, l) {
      l.bindTooltip(esc(f.properties.name) + "：" + (f.properties.open_cases || 0), { sticky: true });
      l.on("click", function () {
        var link = document.querySelector("[data-committee-code='" + f.properties.committee_code + "']");
        if (link) { window.location.href = link.href; }
      });
    }
  }).addTo(map);
  if (layer.getLayers().length) { map.fitBounds(layer.getBounds(), { padding: [8, 8] }); }
  else { map.setView([31.28, 121.535], 14); }
  el.dataset.loaded = String(layer.getLayers().length);
})();
