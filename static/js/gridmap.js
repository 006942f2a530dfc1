// Grid map: draws the grids of the user's scope from GeoJSON. Works offline: no tiles unless an intranet
// tile server is configured (MAP_TILE_URL).
(function () {
  "use strict";
  var PALETTE = ["#b4232a", "#1b6ec2", "#2e8b57", "#d2691e", "#6a5acd", "#008b8b", "#c71585", "#556b2f", "#8b4513"];
  function colorFor(key) {
    var h = 0;
    for (var i = 0; i < key.length; i++) { h = (h * 31 + key.charCodeAt(i)) >>> 0; }
    return PALETTE[h % PALETTE.length];
  }
  function esc(text) {
    var d = document.createElement("div");
    d.textContent = text == null ? "" : String(text);
    return d.innerHTML;
  }
  function init(el) {
    var map = L.map(el, { zoomControl: true, attributionControl: !!el.dataset.tiles });
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
    }
    el.shequMap = map;
    fetch(el.dataset.geojson, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
      var layer = L.geoJSON(data, {
        style: function (f) { var c = colorFor(f.properties.committee || ""); return { color: c, weight: 1.5, fillColor: c, fillOpacity: 0.25 }; },
        onEachFeature: function (f, l) {
          l.bindTooltip(esc(f.properties.name), { sticky: true });
          l.bindPopup("<strong>" + esc(f.properties.name) + "</strong><br>" + esc(f.properties.committee) +
            "<br><span class='text-muted'>" + esc(f.properties.code) + "</span>");
        }
      }).addTo(map);
      if (layer.getLayers().length) { map.fitBounds(layer.getBounds(), { padding: [10, 10] }); }
      else { map.setView([31.28, 121.535], 15); }
      el.dataset.loaded = String(layer.getLayers().length);
      el.dispatchEvent(new CustomEvent("shequ:map-loaded", { bubbles: true }));
    });
  }
  document.querySelectorAll("[data-geojson]").forEach(init);
})();
