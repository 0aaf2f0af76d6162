/* traverse: what the rover saw (layer kind 'views'): view wedges, translucent by instrument,
 * and lines to observed points.
 *
 * Payload: layers/popups.py views_payload, named columns; `product` indexes tm.products.ids (the
 * map's product table).  Wedges are drawn here from apex,
 * azimuth (clockwise from north), field of view and length in metres on the sphere through
 * the lander (seen.radius_m, else the body's), the same wedge as traverse.path.views.view_wedges writes to the
 * GeoPackage; popups are written on opening, label text escaped.  Each wedge, target line and
 * observed point follows the time control from its frame's time (`t`, ms UTC).
 */
(function (L, T) {
  'use strict';

  var VIEW_COLOURS = {PCAM: '#1f77b4', VNIS: '#d62728', TCAM: '#ffd700'};

  /* [lat, lng] at `metres` from (lat, lng) towards `azimuth` degrees (local tangent plane of a
   * sphere of radius R metres). */
  function offset(R, lat, lng, azimuth, metres) {
    var a = azimuth * Math.PI / 180, k = 180 / Math.PI / R;
    return [lat + metres * Math.cos(a) * k,
            lng + metres * Math.sin(a) * k / Math.cos(lat * Math.PI / 180)];
  }

  /* The wedge's ring [[lat, lng], ...]: apex, an arc point every 2 degrees or so, apex. */
  T.wedgeLatLngs = function (R, lat, lng, azimuth, fov, metres) {
    var n = Math.max(3, Math.floor(fov / 2) + 2), pts = [[lat, lng]];
    for (var i = 0; i < n; i++) {
      pts.push(offset(R, lat, lng, azimuth - fov / 2 + fov * i / (n - 1), metres));
    }
    pts.push([lat, lng]);
    return pts;
  };

  T.layerBuilders.views = function (tm, group, seen) {
    if (seen.lazy && !group._map) {  // a whole mission: drawn the first time the layer is shown
      group.once('add', function () { drawViews(tm, group, seen); });
    } else {
      drawViews(tm, group, seen);
    }
  };

  function wedgePopup(tm, seen, k) {
    var w = seen.wedges;
    return '<b>' + T.escapeHtml(tm.products.ids[w.product[k]]) + '</b><br>' +
      T.escapeHtml(seen.instruments[w.instrument[k]]) + ': azimuth ' + w.azimuth_deg[k].toFixed(1) +
      '°, field of view ' + w.fov_deg[k].toFixed(1) + '°<br>from ' + T.escapeHtml(seen.sources[w.source[k]]) +
      '<br>apex <span class="traverse-lonlat">' + T.escapeHtml(T.positionText(tm, w.lat[k], w.lng[k])) + '</span>';
  }

  function targetPopup(tm, seen, k) {
    var t = seen.targets, inc = t.incidence_deg[k], phase = t.phase_deg[k];
    return '<b>' + T.escapeHtml(tm.products.ids[t.product[k]]) + '</b><br>observed point ' +
      t.distance_m[k].toFixed(2) + ' m away' +
      (inc === null ? '' : '<br>incidence ' + inc.toFixed(1) + '°, phase ' +
       (phase === null ? '?' : phase.toFixed(1)) + '°') + '<br>at <span class="traverse-lonlat">' +
      T.escapeHtml(T.positionText(tm, t.end_lat[k], t.end_lng[k])) + '</span>' +
      (T.spectrumSlot ? T.spectrumSlot(tm, tm.products.ids[t.product[k]]) : '');  // traverse-spectra.js
  }

  function drawViews(tm, group, seen) {
    var w = seen.wedges, t = seen.targets, R = seen.radius_m || tm.body.radius_m;
    // thousands of wedges (a whole mission) draw on one canvas; a few stay SVG paths
    var renderer = w.lat.length > 2000 ? L.canvas({padding: 0.2}) : undefined, byProduct = tm.viewsByProduct = {};
    w.lat.forEach(function (lat, k) {
      var wedge = T.timed(tm, L.polygon(T.wedgeLatLngs(R, lat, w.lng[k], w.azimuth_deg[k], w.fov_deg[k], w.length_m[k]), {
        color: VIEW_COLOURS[seen.instruments[w.instrument[k]]] || '#555', weight: 1, fillOpacity: 0.2,
        className: 'traverse-view', renderer: renderer
      }).bindPopup(function () { return wedgePopup(tm, seen, k); }).addTo(group), w.t && w.t[k]);
      byProduct[w.product[k]] = byProduct[w.product[k]] || wedge;
    });
    t.lat.forEach(function (lat, k) {
      var end = [t.end_lat[k], t.end_lng[k]], when = t.t && t.t[k];
      T.timed(tm, L.polyline([[lat, t.lng[k]], end], {color: '#d62728', weight: 1.5, dashArray: '2 3',
                                          className: 'traverse-target-line',
                                          renderer: renderer}).addTo(group), when);
      var point = T.timed(tm, L.circleMarker(end, {
        radius: 4, color: '#000', weight: 1, fillColor: '#d62728', fillOpacity: 1,
        className: 'traverse-target', renderer: renderer
      }).bindPopup(function () { return targetPopup(tm, seen, k); }).addTo(group), when);
      byProduct[t.product[k]] = point;  // a VNIS frame: its observed point rather than its wedge
    });
  }
})(window.L, window.TraverseMap);
