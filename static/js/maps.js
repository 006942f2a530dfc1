// Shared by the map scripts (gridmap.js, grid.js): a Leaflet map that uses tiles only when an intranet tile
// server is configured (MAP_TILE_URL), the committee colours, and HTML escaping for tooltips and popups.
window.ShequMaps = (function () {
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
  function create(el, options) {
    var map = L.map(el, Object.assign({ zoomControl: true, attributionControl: !!el.dataset.tiles }, options || {}));
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
    }
    el.shequMap = map;
    return map;
  }
  return { colorFor: colorFor, esc: esc, create: create };
})();
