// Grid map: draws the grids of the user's scope from GeoJSON. Works offline: no tiles unless an intranet
// tile server is configured (MAP_TILE_URL).
(function () {
  "use strict";
  var colorFor = window.ShequMaps.colorFor, esc = window.ShequMaps.esc;
  function init(el) {
    var map = window.ShequMaps.create(el);
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
