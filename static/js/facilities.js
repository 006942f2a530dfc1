// Facilities map: one marker per facility from the JSON block next to the map; the list beside it holds the same
// facilities as links, so keyboard and screen-reader users never need the map. No inline scripts (CSP).
(function () {
  "use strict";
  var el = document.querySelector("[data-facility-map]");
  var source = document.getElementById("facility-points");
  if (!el || !source || !window.L || !window.ShequMaps) { return; }
  var points = JSON.parse(source.textContent);
  var map = ShequMaps.create(el);
  var bounds = [];
  points.forEach(function (p) {
    var marker = L.circleMarker([p.lat, p.lng], { radius: 8, weight: 2, color: "#fff", fillOpacity: 0.9,
                                                  fillColor: ShequMaps.colorFor(p.level) });
    marker.bindPopup('<a href="' + ShequMaps.esc(p.url) + '">' + ShequMaps.esc(p.name) + "</a><br>" +
                     ShequMaps.esc(p.level) + "<br>" + ShequMaps.esc(p.address));
    marker.bindTooltip(ShequMaps.esc(p.name));
    marker.addTo(map);
    bounds.push([p.lat, p.lng]);
  });
  if (bounds.length) { map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 }); }
  else { map.setView([31.28, 121.535], 14); }
  el.dataset.loaded = String(points.length);
})();
