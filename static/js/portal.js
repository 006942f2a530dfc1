// 随手拍: pick the problem's point on the map (grid outlines, tiles only if configured) or use the phone's location.
(function () {
  "use strict";
  var gettext = window.gettext || function (s) { return s; };
  var el = document.getElementById("pm-map");
  if (!el || !window.L) { return; }
  var lat = document.getElementById("id_lat"), lng = document.getElementById("id_lng");
  var text = document.getElementById("pm-loc-text");
  var map = window.ShequMaps.create(el);
  map.setView([31.2906, 121.5307], 14);
  var marker = null;
  function place(latlng) {
    if (marker) { marker.setLatLng(latlng); } else { marker = L.marker(latlng).addTo(map); }
    lat.value = latlng.lat.toFixed(6);
    lng.value = latlng.lng.toFixed(6);
    text.textContent = gettext("已选择位置：") + lat.value + ", " + lng.value;
  }
  fetch(el.dataset.geojson, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
    var layer = L.geoJSON(data, {
      style: function (f) { return { color: window.ShequMaps.colorFor(f.properties.committee), weight: 1, fillOpacity: 0.08 }; },
      onEachFeature: function (f, l) { l.on("click", function (e) { place(e.latlng); }); }
    }).addTo(map);
    if (layer.getBounds().isValid()) { map.fitBounds(layer.getBounds()); }
    if (lat.value && lng.value) { place(L.latLng(parseFloat(lat.value), parseFloat(lng.value))); }
  });
  map.on("click", function (e) { place(e.latlng); });
  document.getElementById("pm-locate").addEventListener("click", function () {
    if (!navigator.geolocation) { text.textContent = gettext("此设备不支持定位，请在地图上点选。"); return; }
    text.textContent = gettext("正在定位……");
    navigator.geolocation.getCurrentPosition(function (pos) {
      var ll = L.latLng(pos.coords.latitude, pos.coords.longitude);
      place(ll); map.setView(ll, 17);
    }, function () { text.textContent = gettext("无法获取位置，请在地图上点选。"); }, { enableHighAccuracy: true, timeout: 10000 });
  });
})();
