/* traverse: radargrams along the drives (layer kind 'radar').
 *
 * Payload: layers/science_map.py radar_payload, {radargrams: [{drive_id, product, src, columns,
 * samples, length_m, column, lat, lon, along_m, record}]}: one trace per image column (the
 * radar_traces layer of the GeoPackage, degrees on the body).  The drive popups hold the strips
 * (.traverse-radar[data-radar=k], the PNG in NAME_files/radar/).  Hovering a strip's pixel column
 * moves a marker (tm.radarCursor) to the trace shown in that column, or the nearest shown one;
 * hovering the map within 10 px of a trace moves the marker there and the strip's cursor line
 * to its column (tm.radarAt: {radargram, trace}).  The layer itself draws the traces as dots.
 */
(function (L, T) {
  'use strict';

  var NEAR_PX = 10;

  /* Index of the trace of radargram r shown in pixel column col, or the nearest shown one. */
  T.radarTraceAt = function (r, col) {
    var best = -1, gap = Infinity;
    for (var i = 0; i < r.column.length; i++) {
      var d = Math.abs(r.column[i] - col);
      if (d < gap) { gap = d; best = i; }
    }
    return best;
  };

  /* The pixel column under a mouse event on the strip's image (0 .. columns-1). */
  function columnOf(img, e, columns) {
    var box = img.getBoundingClientRect();
    var x = (e.clientX - box.left) / Math.max(box.width, 1);
    return Math.min(columns - 1, Math.max(0, Math.floor(x * columns)));
  }

  function readoutText(tm, r, i) {
    return 'record ' + r.record[i] + ', column ' + r.column[i] + ', ' + r.along_m[i].toFixed(2) +
      ' m along the drive; ' + (T.positionText ? T.positionText(tm, r.lat[i], r.lon[i]) : '');
  }

  /* Show trace i of radargram k: the marker on the map and the cursor in any open strip. */
  T.showRadarTrace = function (tm, k, i) {
    var r = tm.radar[k];
    if (!r || i < 0) { return; }
    tm.radarAt = {radargram: k, trace: i};
    tm.radarCursor.setLatLng([r.lat[i], r.lon[i]]);
    if (!tm.radarCursor._map) { tm.radarCursor.addTo(tm.map); }
    var strips = tm.map.getContainer().querySelectorAll('.traverse-radar[data-radar="' + k + '"]');
    Array.prototype.forEach.call(strips, function (strip) {
      var cursor = strip.querySelector('.traverse-radar-cursor');
      cursor.style.left = (100 * (r.column[i] + 0.5) / r.columns) + '%';
      cursor.style.display = 'block';
      strip.querySelector('.traverse-radar-readout').textContent = readoutText(tm, r, i);
    });
  };

  function wireStrips(tm, element) {
    var strips = element ? element.querySelectorAll('.traverse-radar') : [];
    Array.prototype.forEach.call(strips, function (strip) {
      var k = +strip.getAttribute('data-radar'), r = tm.radar[k], img = strip.querySelector('img');
      if (!r || !img || img._traverseWired) { return; }
      img._traverseWired = true;
      img.addEventListener('mousemove', function (e) {
        T.showRadarTrace(tm, k, T.radarTraceAt(r, columnOf(img, e, r.columns)));
      });
    });
    if (tm.radarAt) { T.showRadarTrace(tm, tm.radarAt.radargram, tm.radarAt.trace); }  // a reopened strip
  }

  /* The trace nearest the mouse within NEAR_PX pixels: {radargram, trace} or null. */
  T.radarNearest = function (tm, point) {
    var best = null, gap = NEAR_PX;
    tm.radar.forEach(function (r, k) {
      for (var i = 0; i < r.lat.length; i++) {
        var d = tm.map.latLngToContainerPoint([r.lat[i], r.lon[i]]).distanceTo(point);
        if (d <= gap) { gap = d; best = {radargram: k, trace: i}; }
      }
    });
    return best;
  };

  T.layerBuilders.radar = function (tm, group, data) {
    tm.radar = data.radargrams;
    tm.radarCursor = L.circleMarker([0, 0], {radius: 7, color: '#e6007e', weight: 3, fill: false,
                                             interactive: false, className: 'traverse-radar-marker'});
    var renderer = L.canvas({padding: 0.5});
    tm.radar.forEach(function (r) {
      for (var i = 0; i < r.lat.length; i++) {
        L.circleMarker([r.lat[i], r.lon[i]], {renderer: renderer, radius: 2, stroke: false,
                                              interactive: false, fillColor: '#e6007e',
                                              fillOpacity: 0.6}).addTo(group);
      }
    });
    tm.map.on('popupopen', function (e) { wireStrips(tm, e.popup.getElement()); });
    tm.map.on('mousemove', function (e) {
      var hit = T.radarNearest(tm, e.containerPoint);
      if (hit) { T.showRadarTrace(tm, hit.radargram, hit.trace); }
    });
  };
})(window.L, window.TraverseMap);
