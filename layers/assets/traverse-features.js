/* traverse: the traverse's features (layer kinds 'days', 'drives', 'gaps', 'stations', 'lander',
 * 'traces'), each registered with the map's time control when it has a time.
 *
 * Payload: layers/payload.py (_drive_lines, _points, decimate_traces) and layers/daypanel.py
 * (gaps_payload).  `t` is ms since 1970 UTC (null: always shown).
 */
(function (L, T) {
  'use strict';

  /* Register `layer` with map tm's time control: shown while its time t <= the control's. */
  T.timed = function (tm, layer, t, day) {
    var e = {layer: layer, t: (t === null || t === undefined) ? -Infinity : t, day: day};
    tm.timed.push(e);
    if (tm.now !== null) { T.showLayer(layer, e.t <= tm.now); }  // drawn late (a lazy layer)
    layer.on('add', function () { T.showLayer(layer, !layer._traverseHidden); });
    return layer;
  };

  /* One line per drive in its lunar day's colour (the time control cuts a day at any moment). */
  T.layerBuilders.days = function (tm, group, lines) {
    lines.forEach(function (d) {
      var line = L.polyline(d.latlngs, {
        color: d.color, weight: 5, opacity: 0.85,
        className: 'lunar-day lunar-day-' + d.day
      }).bindTooltip(d.label, {sticky: true}).addTo(group);
      line._day = d.day;
      tm.dayLines.push(line);
      T.timed(tm, line, d.t, d.day);
    });
  };

  T.layerBuilders.drives = function (tm, group, drives) {
    drives.forEach(function (d, i) {
      T.timed(tm, L.polyline(d.latlngs, {
        color: '#1b1b1b', weight: 1.5, opacity: 0.9,
        dashArray: d.inferred ? '5 5' : null,
        className: 'traverse-drive traverse-drive-' + i + ' ' +
          (d.inferred ? 'drive-inferred' : 'drive-lpr')
      }).bindPopup(d.popup).addTo(group), d.t);
    });
  };

  /* A gap is a jump of the rover no drive explains (layers/daypanel.py): a straight segment
   * whose length is a lower bound, never a drive.  Dotted grey, with a tooltip saying which
   * days have no data (already escaped HTML), shown from its arrival on, like the drives. */
  T.layerBuilders.gaps = function (tm, group, gaps) {
    gaps.forEach(function (g, i) {
      T.timed(tm, L.polyline(g.latlngs, {
        color: '#808080', weight: 3, opacity: 0.9, dashArray: '1 7', lineCap: 'round',
        className: 'traverse-gap traverse-gap-' + i
      }).bindTooltip(g.tooltip, {sticky: true}).addTo(group), g.t);
    });
  };

  /* A popup opens below the controls at the top (tm.popupPad: [x, y] pixels, set by T.fitView once
   * they are drawn; Leaflet reads it on each opening), so none of its thumbnails lies under them. */
  function popupOptions(tm) {
    return {maxWidth: 380, autoPanPaddingTopLeft: (tm.popupPad = tm.popupPad || [5, 5])};
  }

  T.layerBuilders.stations = function (tm, group, stations) {
    stations.forEach(function (st, i) {
      var marker = L.circleMarker(st.latlng, {
        radius: 6, color: '#000', weight: 1, fillColor: st.color, fillOpacity: 1,
        className: 'traverse-station traverse-station-' + i
      }).bindPopup(function () { return st.popup + T.productList(tm, st); }, popupOptions(tm)).addTo(group);
      marker._info = st;
      tm.stations.push(marker);
      T.timed(tm, marker, st.t, st.day);
    });
  };

  T.layerBuilders.lander = function (tm, group, lander) {
    L.marker(lander.latlng, {
      title: lander.title,
      icon: L.divIcon({
        className: 'traverse-lander',
        html: '<div class="traverse-lander-icon"></div>',
        iconSize: [18, 18], iconAnchor: [9, 9], popupAnchor: [0, -9]
      })
    }).bindPopup(lander.popup, popupOptions(tm)).addTo(group);
  };

  /* Radar records, decimated: {lat: [...], lon: [...]} degrees, drawn on one canvas. */
  T.layerBuilders.traces = function (tm, group, traces) {
    var renderer = L.canvas({padding: 0.5});
    for (var i = 0; i < traces.lat.length; i++) {
      L.circleMarker([traces.lat[i], traces.lon[i]], {
        renderer: renderer, radius: 1.5, stroke: false, interactive: false,
        fillColor: '#ff8c00', fillOpacity: 0.35
      }).addTo(group);
    }
  };
})(window.L, window.TraverseMap);
