/* traverse: the search box under the time control: a station (id, sequence number, date), a
 * product (its full id, its end such as "0001_B.2B", or its short form "PCAML-C 0001 2019-01-03")
 * or a position ("177.59, -45.44" or "177.59° E, 45.44° S", degrees east/north on the body).
 *
 * Hits are listed as links (Enter follows the first).  A station opens its popup; a product
 * opens the station that lists it (the product's line marked) or else the wedge or observed
 * point of its frame; a position pans there, drops one marker and says whether it lies in the
 * traverse's area (tm.area, the bounds the map opened on) and how far the nearest station is
 * (metres on the body's sphere).  Nothing found: a line saying what can be searched.
 */
(function (L, T) {
  'use strict';

  var NUMBER = '([-+]?\\d+(?:\\.\\d+)?)\\s*°?\\s*';
  var LONLAT = new RegExp('^' + NUMBER + '([EW])?\\s*[,;\\s]\\s*' + NUMBER + '([NS])?$', 'i');

  /* {lat, lng} of "lon, lat" text (degrees; E/W and N/S letters allowed), or null. */
  T.parseLonLat = function (text) {
    var m = LONLAT.exec(text.trim());
    if (!m) { return null; }
    var lng = Number(m[1]) * (/w/i.test(m[2] || '') ? -1 : 1), lat = Number(m[3]) * (/s/i.test(m[4] || '') ? -1 : 1);
    if (Math.abs(lat) > 90 || Math.abs(lng) > 360) { return null; }
    lng = ((lng + 180) % 360 + 360) % 360 - 180;
    return {lat: lat, lng: lng === -180 ? 180 : lng};
  };

  function norm(text) { return String(text).toLowerCase().replace(/[^a-z0-9]/g, ''); }

  /* Indexes into tm.products.ids of the products whose id or short form holds every word of q. */
  T.findProducts = function (tm, q) {
    var ids = (tm.products && tm.products.ids) || [], words = q.split(/[\s,;]+/).map(norm).filter(Boolean);
    if (norm(q).length < 4) { return []; }
    var exact = ids.indexOf(q.trim());
    if (exact >= 0) { return [exact]; }
    var out = [];
    ids.forEach(function (id, k) {
      var hay = norm(id) + ' ' + norm(T.shortProductId(id));
      if (words.every(function (w) { return hay.indexOf(w) >= 0; })) { out.push(k); }
    });
    return out;
  };

  function findStations(tm, q) {
    return tm.stations.filter(function (m) {
      var s = m._info;
      return String(s.id) === q || s.date.indexOf(q) === 0 ||
        (s.seqs || []).some(function (x) { return x === q || String(Number(x)) === q; });
    });
  }

  function nearestStation(tm, latlng) {
    var best = null;
    tm.stations.forEach(function (m) {
      var d = tm.map.distance(latlng, m.getLatLng());
      if (!best || d < best.d) { best = {d: d, m: m}; }
    });
    return best;
  }

  /* The text saying where `ll` lies: in or outside the traverse's area, the nearest station. */
  T.placeText = function (tm, ll) {
    var inside = tm.area ? tm.area.contains(ll) : false, near = nearestStation(tm, ll);
    var dist = near ? (near.d >= 1000 ? (near.d / 1000).toFixed(2) + ' km' : near.d.toFixed(1) + ' m') : '';
    return T.lonLatText(ll.lat, ll.lng, tm.body.name) + (inside ? ': in the traverse\'s area' :
      ': outside the traverse\'s area') + (near ? ', ' + dist + ' from station ' + near.m._info.id : '');
  };

  function goToStation(tm, m, spec) {
    if (m._traverseHidden) { T.setTime(tm, spec.end); }
    tm.map.panTo(m.getLatLng(), {animate: false});
    m.openPopup();
  }

  function goToPlace(tm, ll) {
    if (tm.searchMarker) { tm.searchMarker.remove(); }
    tm.searchMarker = L.circleMarker(ll, {radius: 9, color: '#e6007e', weight: 3, fill: false,
                                          className: 'traverse-search-marker'})
      .bindTooltip(T.escapeHtml(T.placeText(tm, ll))).addTo(tm.map);
    tm.map.panTo(ll, {animate: false});
  }

  /* Open what holds product k: the station listing it (the line marked), else its frame's view. */
  function goToProduct(tm, k, spec) {
    var holder = tm.stations.filter(function (m) { return (m._info.products || []).indexOf(k) >= 0; })[0];
    if (holder) {
      goToStation(tm, holder, spec);
      var line = document.querySelector('.leaflet-popup-content [data-product="' + k + '"]');
      if (line) { L.DomUtil.addClass(line, 'traverse-product-hit'); line.scrollIntoView({block: 'nearest'}); }
      return;
    }
    var views = tm.overlays['What the rover saw'];
    if (views && !tm.map.hasLayer(views)) { views.addTo(tm.map); }  // a lazy layer is drawn now
    var layer = tm.viewsByProduct && tm.viewsByProduct[k];
    if (layer) {
      if (layer._traverseHidden) { T.setTime(tm, spec.end); }
      tm.map.panTo(layer.getLatLng ? layer.getLatLng() : layer.getLatLngs()[0][0], {animate: false});
      layer.openPopup();
    }
  }

  function hits(tm, q, spec) {
    var out = findStations(tm, q.toLowerCase()).slice(0, 20).map(function (m) {
      return ['station ' + m._info.id + ' · ' + tm.body.day_name + ' ' + m._info.day + ' · ' + m._info.date,
              function () { goToStation(tm, m, spec); }];
    });
    var ll = T.parseLonLat(q);
    if (ll) { out.push([T.placeText(tm, L.latLng(ll.lat, ll.lng)), function () { goToPlace(tm, ll); }]); }
    T.findProducts(tm, q).slice(0, 20).forEach(function (k) {
      out.push(['product ' + T.shortProductId(tm.products.ids[k]), function () { goToProduct(tm, k, spec); }]);
    });
    return out;
  }

  T.searchBox = function (tm, div, spec) {
    var search = T.el('input', 'traverse-search', div), found = [];
    search.type = 'search';
    search.placeholder = 'find: station, date, product id, lon, lat';
    var results = T.el('div', 'traverse-search-results', div);
    search.addEventListener('input', function () {
      var q = search.value.trim();
      results.innerHTML = '';
      found = q ? hits(tm, q, spec) : [];
      found.forEach(function (h) {
        var a = T.el('a', 'traverse-search-hit', results, h[0]);
        a.href = '#';
        a.addEventListener('click', function (e) { e.preventDefault(); h[1](); });
      });
      if (q && !found.length) {
        T.el('div', 'traverse-search-none', results, 'nothing matches "' + q + '": give a station id, a sequence, a ' +
             'date (YYYY-MM-DD), a product id (or its end, e.g. 0001_B.2B) or lon, lat in degrees');
      }
    });
    search.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' && found.length) { e.preventDefault(); found[0][1](); }
    });
  };
})(window.L, window.TraverseMap);
