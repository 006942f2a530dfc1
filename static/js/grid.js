// 大联动 maps and location: grid map with cases, the report page's location picker (browser geolocation or a
// tap on the map), the small case/grid maps and the patrol check-in. Offline by default: no tiles unless an
// intranet tile server is configured (MAP_TILE_URL). No inline scripts: data comes from data- attributes.
(function () {
  "use strict";
  var gettext = window.gettext || function (s) { return s; };
  var interpolate = window.interpolate || function (fmt, obj) {
    return fmt.replace(/%\(\w+\)s/g, function (m) { return String(obj[m.slice(2, -2)]); });
  };
  var LIGHT = { red: "#dc3545", yellow: "#e0a800", green: "#198754", "": "#6c757d" };
  var CENTER = [31.28, 121.535];

  var colorFor = window.ShequMaps.colorFor, esc = window.ShequMaps.esc;
  function baseMap(el, options) {
    var map = window.ShequMaps.create(el, options);
    map.setView(CENTER, 15);  // vector layers need a view before they are added
    return map;
  }
  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error(String(r.status)); }
      return r.json();
    });
  }
  function gridLayer(data, onClick) {
    return L.geoJSON(data, {
      style: function (f) {
        var c = colorFor(f.properties.committee || "");
        return { color: c, weight: 1.5, fillColor: c, fillOpacity: f.properties.open_cases ? 0.32 : 0.18 };
      },
      onEachFeature: function (f, layer) {
        var p = f.properties;
        layer.bindTooltip(esc(p.name), { sticky: true });
        var html = "<strong>" + esc(p.name) + "</strong><br>" + esc(p.committee) + " · <span class='text-muted'>" +
          esc(p.code) + "</span>";
        if (p.responsibles && p.responsibles.length) { html += "<br>" + p.responsibles.map(esc).join("<br>"); }
        if (p.open_cases !== undefined) {
          html += "<br>" + interpolate(esc(gettext("未办结案件：%(n)s")), { n: esc(p.open_cases) }, true);
        }
        if (p.url) { html += "<br><a href='" + esc(p.url) + "'>" + esc(gettext("网格详情")) + "</a>"; }
        layer.bindPopup(html);
        if (onClick) { layer.on("click", function () { onClick(p); }); }
      }
    });
  }

  // --- the grid map page ---------------------------------------------------------------------------------
  function initGridMap(el) {
    var map = baseMap(el);
    var info = document.getElementById("grid-info");
    var byCommittee = {};
    getJSON(el.dataset.geojson).then(function (data) {
      var layer = gridLayer(data, function (p) {
        if (info) {
          info.innerHTML = interpolate(esc(gettext("%(name)s（%(code)s）")),
                                       { name: "<strong>" + esc(p.name) + "</strong>", code: esc(p.code) }, true) +
            "<br>" + esc(p.committee) + "<br>" + (p.responsibles || []).map(esc).join("<br>") + "<br>" +
            interpolate(esc(gettext("未办结案件：%(n)s")), { n: esc(p.open_cases) }, true) +
            "<br><a href='" + esc(p.url) + "'>" + esc(gettext("查看网格详情、楼宇与责任人")) + "</a>";
        }
      }).addTo(map);
      layer.eachLayer(function (l) {
        var code = l.feature.properties.committee_code;
        (byCommittee[code] = byCommittee[code] || []).push(l);
      });
      if (layer.getLayers().length) { map.fitBounds(layer.getBounds(), { padding: [10, 10] }); }
      else { map.setView(CENTER, 15); }
      el.dataset.loaded = String(layer.getLayers().length);
      el.dispatchEvent(new CustomEvent("shequ:map-loaded", { bubbles: true }));
    });
    var cases = L.layerGroup().addTo(map);
    if (el.dataset.cases) {
      getJSON(el.dataset.cases).then(function (data) {
        data.features.forEach(function (f) {
          var p = f.properties, c = f.geometry.coordinates;
          L.circleMarker([c[1], c[0]], { radius: 6, color: "#fff", weight: 1.5, fillColor: LIGHT[p.light || ""],
                                         fillOpacity: 0.95 })
            .bindPopup("<strong>" + esc(p.category) + "</strong><br>" + esc(p.number) + "<br>" + esc(p.status) +
                       "<br><a href='" + esc(p.url) + "'>" + esc(gettext("案件详情")) + "</a>")
            .addTo(cases);
        });
        el.dataset.cases_loaded = String(data.features.length);
        caseList(data.features);
      });
    }
    // The list alternative to the map (WCAG 1.1.1, 2.1.1): every point the map shows, as a table row with its
    // time-limit state in words, so nothing depends on seeing or clicking the map or on the dot's colour.
    function caseList(features) {
      var body = document.querySelector("#map-case-list tbody");
      if (!body) { return; }
      var words = { green: gettext("时限内"), yellow: gettext("临期"), red: gettext("超期"), "": gettext("未派遣") };
      body.textContent = "";
      features.forEach(function (f) {
        var p = f.properties, tr = document.createElement("tr");
        var a = document.createElement("a");
        a.href = p.url;
        a.textContent = p.number;
        [a, p.category, p.status, words[p.light || ""] || ""].forEach(function (v) {
          var td = document.createElement("td");
          if (typeof v === "string") { td.textContent = v; } else { td.appendChild(v); }
          tr.appendChild(td);
        });
        body.appendChild(tr);
      });
      var count = document.getElementById("map-case-count");
      if (count) { count.textContent = String(features.length); }
    }
    var toggle = document.getElementById("show-cases");
    if (toggle) {
      toggle.addEventListener("change", function () {
        if (toggle.checked) { cases.addTo(map); } else { map.removeLayer(cases); }
      });
    }
    document.querySelectorAll("[data-committee]").forEach(function (btn) {
      btn.addEventListener("click", function () {
        var layers = byCommittee[btn.dataset.committee] || [];
        if (!layers.length) { return; }
        var group = L.featureGroup(layers);
        map.fitBounds(group.getBounds(), { padding: [20, 20] });
        layers[0].openPopup();
      });
    });
  }

  // --- small map of one case or one grid -------------------------------------------------------------------
  function initCaseMap(el) {
    var map = baseMap(el, { scrollWheelZoom: false });
    var bounds = null;
    if (el.dataset.geometry) {
      try {
        var geom = JSON.parse(el.dataset.geometry);
        var poly = L.geoJSON(geom, { style: { color: "#1b6ec2", weight: 2, fillOpacity: 0.12 } }).addTo(map);
        if (el.dataset.label) { poly.bindTooltip(esc(el.dataset.label)); }
        bounds = poly.getBounds();
      } catch (e) { /* no polygon */ }
    }
    if (el.dataset.lat && el.dataset.lng) {
      var ll = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lng)];
      L.circleMarker(ll, { radius: 8, color: "#fff", weight: 2, fillColor: "#b4232a", fillOpacity: 1 }).addTo(map);
      if (!bounds) { map.setView(ll, 17); }
    }
    (el.dataset.buildings || "").split(";").forEach(function (row) {
      var parts = row.split(",");
      if (parts.length >= 3) {
        L.circleMarker([parseFloat(parts[0]), parseFloat(parts[1])], { radius: 5, color: "#555", weight: 1,
          fillColor: "#ffc107", fillOpacity: 0.9 }).bindTooltip(esc(parts.slice(2).join(","))).addTo(map);
      }
    });
    if (bounds) { map.fitBounds(bounds, { padding: [16, 16] }); }
    else if (!el.dataset.lat) { map.setView(CENTER, 15); }
    el.dataset.loaded = "1";
  }

  // --- report page: pick the location ------------------------------------------------------------------------
  function initPickMap(el) {
    var form = document.getElementById("report-form");
    var latInput = form.querySelector("input[name=lat]");
    var lngInput = form.querySelector("input[name=lng]");
    var status = document.getElementById("location-status");
    var category = form.querySelector("select[name=category]");
    var hint = document.getElementById("category-hint");
    var box = document.getElementById("duplicate-box");
    var hints = {};
    try { hints = JSON.parse(document.getElementById("category-data").dataset.json || "{}"); } catch (e) { hints = {}; }
    var map = baseMap(el);
    var marker = null;
    getJSON(el.dataset.geojson).then(function (data) {
      var layer = gridLayer(data).addTo(map);
      layer.eachLayer(function (l) { l.off("click"); l.unbindPopup(); l.on("click", function (ev) { setPoint(ev.latlng.lat, ev.latlng.lng, gettext("地图选点")); }); });
      if (layer.getLayers().length) { map.fitBounds(layer.getBounds(), { padding: [10, 10] }); } else { map.setView(CENTER, 15); }
      if (latInput.value && lngInput.value) { setPoint(parseFloat(latInput.value), parseFloat(lngInput.value), gettext("已选位置")); }
      el.dataset.loaded = String(layer.getLayers().length);
    });
    map.on("click", function (ev) { setPoint(ev.latlng.lat, ev.latlng.lng, gettext("地图选点")); });

    function checkDuplicates() {
      if (!box || !category.value || !latInput.value) { return; }
      var url = form.dataset.duplicatesUrl + "?category=" + encodeURIComponent(category.value) + "&lat=" +
        latInput.value + "&lng=" + lngInput.value;
      fetch(url, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (html) { box.innerHTML = html; });
    }
    function setPoint(lat, lng, how) {
      latInput.value = lat.toFixed(6);
      lngInput.value = lng.toFixed(6);
      if (marker) { marker.setLatLng([lat, lng]); }
      else { marker = L.circleMarker([lat, lng], { radius: 9, color: "#fff", weight: 2, fillColor: "#b4232a", fillOpacity: 1 }).addTo(map); }
      status.className = "small mt-2 text-muted";
      var where = { how: how, lat: lat.toFixed(5), lng: lng.toFixed(5) };
      status.textContent = interpolate(gettext("%(how)s：%(lat)s, %(lng)s · 正在确定网格…"), where, true);
      getJSON(form.dataset.locateUrl + "?lat=" + lat + "&lng=" + lng).then(function (res) {
        if (res.grid) {
          status.className = "small mt-2 text-success";
          status.textContent = interpolate(gettext("%(how)s：%(grid)s（%(committee)s，%(code)s）"),
            { how: how, grid: res.grid.name, committee: res.grid.committee, code: res.grid.code }, true);
        } else {
          status.className = "small mt-2 text-danger";
          status.textContent = gettext("该位置不在任何网格内，请重新选择。");
        }
      }).catch(function () { status.textContent = interpolate(gettext("%(how)s：%(lat)s, %(lng)s"), where, true); });
      checkDuplicates();
    }
    document.getElementById("use-location").addEventListener("click", function () {
      if (!navigator.geolocation) { status.textContent = gettext("此浏览器不支持定位，请在地图上点选。"); return; }
      status.textContent = gettext("正在定位…");
      navigator.geolocation.getCurrentPosition(function (pos) {
        setPoint(pos.coords.latitude, pos.coords.longitude,
                 interpolate(gettext("当前位置（精度约%(m)s米）"), { m: Math.round(pos.coords.accuracy) }, true));
        map.setView([pos.coords.latitude, pos.coords.longitude], 17);
      }, function (err) {
        status.className = "small mt-2 text-danger";
        status.textContent = interpolate(gettext("无法获取当前位置（%(reason)s），请在地图上点选。"),
          { reason: err.code === 1 ? gettext("未授权定位") : gettext("定位失败") }, true);
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 });
    });
    function showHint() { hint.textContent = hints[category.value] || ""; checkDuplicates(); }
    category.addEventListener("change", showHint);
    showHint();
  }

  // --- patrol check-in --------------------------------------------------------------------------------------
  function initCheckin(btn) {
    var form = document.getElementById("checkin-form");
    var status = document.getElementById("checkin-status");
    btn.addEventListener("click", function () {
      if (!navigator.geolocation) { status.textContent = gettext("此浏览器不支持定位。"); return; }
      status.textContent = gettext("正在定位…");
      navigator.geolocation.getCurrentPosition(function (pos) {
        form.querySelector("input[name=lat]").value = pos.coords.latitude.toFixed(6);
        form.querySelector("input[name=lng]").value = pos.coords.longitude.toFixed(6);
        form.submit();
      }, function () { status.textContent = gettext("无法获取当前位置，请检查定位权限。"); },
      { enableHighAccuracy: true, timeout: 15000 });
    });
  }

  if (window.L) {
    document.querySelectorAll("[data-grid-map]").forEach(initGridMap);
    document.querySelectorAll("[data-case-map]").forEach(initCaseMap);
    document.querySelectorAll("[data-pick-map]").forEach(initPickMap);
  }
  var checkin = document.getElementById("checkin-btn");
  if (checkin) { initCheckin(checkin); }
})();
