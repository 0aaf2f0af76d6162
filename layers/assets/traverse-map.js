/* traverse: the body's Leaflet CRS and the layer builders of the traverse web map.
 *
 * Needs Leaflet and window.TRAVERSE_BODY = {name, crs, radius_m, adjective,
 * day_name} (written by layers/webmap.py from the mission: the Moon's
 * 1 737 400 m sphere for Chang'e-4, Mars's 3 396 190 m for Tianwen-1).
 * L.CRS.Body3857 is EPSG:3857 on that sphere: same tile grid (tile z/x/y covers
 * the same lon/lat as on Earth), but projection, transformation and haversine
 * distance use the body's radius, so the scale bar and map.distance() give
 * lunar (Martian) metres.  See traverse.geodesy.web_mercator_crs for the
 * Python twin of this projection.
 */
(function (L) {
  'use strict';
  var BODY = window.TRAVERSE_BODY;
  var R = BODY.radius_m;
  var HALF = Math.PI * R;

  L.Projection.BodyMercator = L.extend({}, L.Projection.SphericalMercator, {
    R: R,
    bounds: L.bounds([-HALF, -HALF], [HALF, HALF])
  });

  var s = 0.5 / HALF;
  L.CRS.Body3857 = L.extend({}, L.CRS.EPSG3857, {
    code: BODY.crs + '-PseudoMercator',
    projection: L.Projection.BodyMercator,
    transformation: L.transformation(s, 0.5, -s, 0.5),
    R: R
  });

  var T = window.TraverseMap = {};
  /* Layers that appear at a moment (ms since 1970 UTC): shown when t <= the time control. */
  T._timed = [];
  T._stations = [];
  T._dayLines = [];

  function timed(layer, t, day) {
    T._timed.push({layer: layer, t: (t === null || t === undefined) ? -Infinity : t, day: day});
    return layer;
  }
  T.timed = timed;

  T.addDays = function (group, days) {
    days.forEach(function (d) {
      var line = L.polyline(d.latlngs, {
        color: d.color, weight: 5, opacity: 0.85,
        className: 'lunar-day lunar-day-' + d.day
      }).bindTooltip(d.label, {sticky: true}).addTo(group);
      line._day = d.day;
      T._dayLines.push(line);
      timed(line, d.t, d.day);
    });
  };

  T.addDrives = function (group, drives) {
    drives.forEach(function (d, i) {
      timed(L.polyline(d.latlngs, {
        color: '#1b1b1b', weight: 1.5, opacity: 0.9,
        dashArray: d.inferred ? '5 5' : null,
        className: 'traverse-drive traverse-drive-' + i + ' ' +
          (d.inferred ? 'drive-inferred' : 'drive-lpr')
      }).bindPopup(d.popup).addTo(group), d.t);
    });
  };

  T.addStations = function (group, stations) {
    stations.forEach(function (st, i) {
      var marker = L.circleMarker(st.latlng, {
        radius: 6, color: '#000', weight: 1, fillColor: st.color, fillOpacity: 1,
        className: 'traverse-station traverse-station-' + i
      }).bindPopup(st.popup, {maxWidth: 380}).addTo(group);
      marker._info = st;
      T._stations.push(marker);
      timed(marker, st.t, st.day);
    });
  };

  function setVisible(layer, on) {
    var el = layer.getElement && layer.getElement();
    if (el) {
      if (on) { L.DomUtil.removeClass(el, 'traverse-hidden'); } else { L.DomUtil.addClass(el, 'traverse-hidden'); }
    }
    layer._traverseHidden = !on;
  }

  /* Show the traverse as it was at time t (ms UTC); the lunar day of t is highlighted. */
  T.setTime = function (t) {
    T._now = t;
    var day = null;
    (T._timeline ? T._timeline.days : []).forEach(function (d) {
      if (d.t0 !== null && d.t0 <= t) { day = d.day; }
    });
    T._timed.forEach(function (e) { setVisible(e.layer, e.t <= t); });
    T._dayLines.forEach(function (line) {
      var el = line.getElement && line.getElement();
      if (el) {
        if (line._day === day) { L.DomUtil.addClass(el, 'traverse-current-day'); } else { L.DomUtil.removeClass(el, 'traverse-current-day'); }
      }
    });
    if (T._onTime) { T._onTime(t, day); }
    return day;
  };

  /* The stations visible at the current time (for tests and the search). */
  T.visibleStations = function () {
    return T._stations.filter(function (m) { return !m._traverseHidden; })
      .map(function (m) { return m._info.id; });
  };

  function isoDate(t) { return new Date(t).toISOString().slice(0, 16).replace('T', ' '); }

  function el(tag, cls, parent, text) {
    var e = L.DomUtil.create(tag, cls || '', parent);
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  T.addLander = function (group, lander) {
    L.marker(lander.latlng, {
      title: lander.title,
      icon: L.divIcon({
        className: 'traverse-lander',
        html: '<div class="traverse-lander-icon"></div>',
        iconSize: [18, 18], iconAnchor: [9, 9], popupAnchor: [0, -9]
      })
    }).bindPopup(lander.popup, {maxWidth: 380}).addTo(group);
  };

  T.addTraces = function (group, traces) {
    var renderer = L.canvas({padding: 0.5});
    var ll = traces.latlon;
    for (var i = 0; i + 1 < ll.length; i += 2) {
      L.circleMarker([ll[i], ll[i + 1]], {
        renderer: renderer, radius: 1.5, stroke: false, interactive: false,
        fillColor: '#ff8c00', fillOpacity: 0.35
      }).addTo(group);
    }
  };

  /* What the rover saw: view wedges (translucent, by instrument) and lines to observed points.
   * The payload is compact rows (layers/popups.py views_payload); wedges are drawn here from
   * apex, azimuth (clockwise from north), field of view and length in metres on the body's
   * sphere, popups written on opening, label text escaped. */
  var VIEW_COLOURS = {PCAM: '#1f77b4', VNIS: '#d62728', TCAM: '#ffd700'};
  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
    });
  }
  T.escapeHtml = escapeHtml;

  /* [lat, lng] at `metres` from (lat, lng) towards `azimuth` degrees (local tangent plane). */
  function offset(lat, lng, azimuth, metres) {
    var a = azimuth * Math.PI / 180, k = 180 / Math.PI / R;
    return [lat + metres * Math.cos(a) * k,
            lng + metres * Math.sin(a) * k / Math.cos(lat * Math.PI / 180)];
  }

  T.wedgeLatLngs = function (lat, lng, azimuth, fov, metres) {
    var n = Math.max(3, Math.floor(fov / 2) + 2), pts = [[lat, lng]];
    for (var i = 0; i < n; i++) {
      pts.push(offset(lat, lng, azimuth - fov / 2 + fov * i / (n - 1), metres));
    }
    pts.push([lat, lng]);
    return pts;
  };

  T.addViews = function (group, seen) {
    if (seen.lazy && !group._map) {  // a whole mission: drawn the first time the layer is shown
      group.once('add', function () { drawViews(group, seen); });
    } else {
      drawViews(group, seen);
    }
  };

  function drawViews(group, seen) {
    // thousands of wedges (a whole mission) draw on one canvas; a few stay SVG paths
    var renderer = seen.wedges.length > 2000 ? L.canvas({padding: 0.2}) : undefined;
    seen.wedges.forEach(function (w) {
      var inst = seen.instruments[w[5]], source = seen.sources[w[7]];
      L.polygon(T.wedgeLatLngs(w[0], w[1], w[2], w[3], w[4]), {
        color: VIEW_COLOURS[inst] || '#555', weight: 1, fillOpacity: 0.2,
        className: 'traverse-view', renderer: renderer
      }).bindPopup(function () {
        return '<b>' + escapeHtml(seen.products[w[6]]) + '</b><br>' + escapeHtml(inst) + ': azimuth ' +
          w[2].toFixed(1) + '°, field of view ' + w[3].toFixed(1) + '°<br>from ' + escapeHtml(source);
      }).addTo(group);
    });
    seen.targets.forEach(function (t) {
      L.polyline([[t[0], t[1]], [t[2], t[3]]], {color: '#d62728', weight: 1.5, dashArray: '2 3',
                                               className: 'traverse-target-line',
                                               renderer: renderer}).addTo(group);
      L.circleMarker([t[2], t[3]], {
        radius: 4, color: '#000', weight: 1, fillColor: '#d62728', fillOpacity: 1,
        className: 'traverse-target', renderer: renderer
      }).bindPopup(function () {
        return '<b>' + escapeHtml(seen.products[t[4]]) + '</b><br>observed point ' + t[5].toFixed(2) +
          ' m away' +
          (t[6] === null ? '' : '<br>incidence ' + t[6].toFixed(1) + '°, phase ' +
           (t[7] === null ? '?' : t[7].toFixed(1)) + '°');
      }).addTo(group);
    });
  }

  T.el = el;
  T.isoDate = isoDate;

  /* The per-day table, collapsible; it starts collapsed for long missions (spec.collapsed). */
  T.addPanel = function (map, spec) {
    var Panel = L.Control.extend({
      onAdd: function () {
        var div = L.DomUtil.create('div', 'traverse-panel traverse-days-panel');
        var toggle = el('a', 'traverse-toggle', div, '');
        toggle.href = '#';
        var body = el('div', 'traverse-panel-body', div);
        body.innerHTML = spec.html;
        function show(open) {
          body.style.display = open ? '' : 'none';
          toggle.textContent = (spec.title || 'Days') + (open ? ' ▾' : ' ▸');
        }
        show(!spec.collapsed);
        toggle.addEventListener('click', function (e) {
          e.preventDefault();
          show(body.style.display === 'none');
        });
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
      }
    });
    new Panel({position: spec.position || 'bottomright'}).addTo(map);
  };

  T.addScale = function (map) {
    L.control.scale({metric: true, imperial: false, maxWidth: 300}).addTo(map);
  };

  /* Measure tool: a ruler button under the zoom control.  While it is on,
   * clicks on the map add the vertices of a polyline (map features stop taking
   * the pointer, so a click on a station or the lander measures to it), and
   * the running total is the sum of map.distance() over the segments, i.e.
   * haversine on the CRS sphere: lunar (Martian) metres with L.CRS.Body3857.  Escape or
   * a second click on the button ends and clears the measurement.  The total
   * is shown unrounded in data-metres of .traverse-measure-total. */
  var RULER = '<svg width="18" height="18" viewBox="0 0 18 18" aria-hidden="true">' +
    '<g transform="rotate(-45 9 9)"><rect x="0.5" y="5.5" width="17" height="7" rx="1" ' +
    'fill="#fff" stroke="#333"/><path d="M3.5 5.5v3M6.5 5.5v2M9 5.5v3M11.5 5.5v2M14.5 5.5v3" ' +
    'stroke="#333"/></g></svg>';

  function formatMetres(m) {
    return m < 1000 ? m.toFixed(1) + ' m' : (m / 1000).toFixed(3) + ' km';
  }

  T.Measure = L.Control.extend({
    options: {position: 'topleft'},

    onAdd: function (map) {
      var div = L.DomUtil.create('div', 'traverse-measure leaflet-bar');
      var button = this._button = L.DomUtil.create('a', 'traverse-measure-toggle', div);
      button.href = '#';
      button.innerHTML = RULER;
      button.title = 'Measure distance (' + BODY.adjective + ' metres)';
      button.setAttribute('role', 'button');
      button.setAttribute('aria-pressed', 'false');
      var total = this._total = L.DomUtil.create('div', 'traverse-measure-total', div);
      total.hidden = true;
      total.setAttribute('aria-live', 'polite');
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      L.DomEvent.on(button, 'click', function (e) {
        L.DomEvent.preventDefault(e);
        if (this._active) { this.stop(); } else { this.start(); }
      }, this);
      this._layer = L.layerGroup().addTo(map);
      this._active = false;
      return div;
    },

    onRemove: function () { this.stop(); this._layer.remove(); },

    start: function () {
      var map = this._map;
      this._active = true;
      this._points = [];
      this._metres = 0;
      map.closePopup();
      this._dblZoom = map.doubleClickZoom.enabled();
      map.doubleClickZoom.disable();
      L.DomUtil.addClass(map.getContainer(), 'traverse-measuring');
      L.DomUtil.addClass(this._button, 'active');
      this._button.setAttribute('aria-pressed', 'true');
      this._line = L.polyline([], {color: '#ff00ff', weight: 3, interactive: false,
        className: 'traverse-measure-line'}).addTo(this._layer);
      this._rubber = L.polyline([], {color: '#ff00ff', weight: 2, dashArray: '4 6',
        interactive: false}).addTo(this._layer);
      map.on('click', this._onClick, this);
      map.on('mousemove', this._onMove, this);
      L.DomEvent.on(document, 'keydown', this._onKey, this);
      this._total.hidden = false;
      this._update(null);
    },

    stop: function () {
      if (!this._active) { return; }
      var map = this._map;
      this._active = false;
      map.off('click', this._onClick, this);
      map.off('mousemove', this._onMove, this);
      L.DomEvent.off(document, 'keydown', this._onKey, this);
      if (this._dblZoom) { map.doubleClickZoom.enable(); }
      L.DomUtil.removeClass(map.getContainer(), 'traverse-measuring');
      L.DomUtil.removeClass(this._button, 'active');
      this._button.setAttribute('aria-pressed', 'false');
      this._layer.clearLayers();
      this._total.hidden = true;
      this._total.removeAttribute('data-metres');
    },

    _onClick: function (e) {
      var pts = this._points;
      if (pts.length) { this._metres += this._map.distance(pts[pts.length - 1], e.latlng); }
      pts.push(e.latlng);
      this._line.addLatLng(e.latlng);
      L.circleMarker(e.latlng, {radius: 4, color: '#ff00ff', weight: 2, fillColor: '#fff',
        fillOpacity: 1, interactive: false, className: 'traverse-measure-vertex'})
        .addTo(this._layer);
      this._update(null);
    },

    _onMove: function (e) {
      var pts = this._points;
      if (!pts.length) { return; }
      this._rubber.setLatLngs([pts[pts.length - 1], e.latlng]);
      this._update(this._map.distance(pts[pts.length - 1], e.latlng));
    },

    _onKey: function (e) {
      if (e.key === 'Escape' || e.keyCode === 27) { this.stop(); }
    },

    _update: function (pending) {
      var n = this._points.length, el = this._total;
      el.setAttribute('data-metres', String(this._metres));
      var head = n < 2 ? (n ? 'Click the next point' : 'Click the map to start measuring')
        : '<b>' + formatMetres(this._metres) + '</b> (' + (n - 1) + ' segment' +
          (n > 2 ? 's' : '') + ')';
      var more = pending === null ? '' : '<br>+ ' + formatMetres(pending) + ' to pointer';
      el.innerHTML = head + more + '<br><small>' + BODY.adjective + ' metres · Esc or ruler to clear</small>';
    }
  });

  T.addMeasure = function (map) {
    new T.Measure().addTo(map);
  };

  /* Tiles of a plate-carree (equirectangular) WMTS such as NASA Moon Trek's
   * "EQ" sets, redrawn into the Mercator tile grid: level 0 is 2 x 1 tiles of
   * 256 px over 360 x 180 degrees, {z}/{y}/{x} = TileMatrix/TileRow/TileCol from
   * the north-west corner.  Each Mercator tile is filled in 4-px rows, each row
   * cut from the source tile at its exact latitude range, so the error is a
   * fraction of a pixel at every zoom. */
  T.EquirectTiles = L.GridLayer.extend({
    options: {url: '', maxLevel: 7, rowPx: 4},

    createTile: function (coords, done) {
      var size = this.getTileSize();
      var canvas = L.DomUtil.create('canvas', 'leaflet-tile');
      canvas.width = size.x;
      canvas.height = size.y;
      var map = this._map, z = coords.z;
      var nw = coords.scaleBy(size), se = nw.add(size);
      var nwLL = map.unproject(nw, z), seLL = map.unproject(se, z);
      var level = Math.max(0, Math.min(this.options.maxLevel, z - 1));
      var deg = 180 / Math.pow(2, level), ncol = 2 * Math.pow(2, level);
      var col0 = Math.floor((nwLL.lng + 180) / deg), col1 = Math.floor((seLL.lng + 180) / deg - 1e-9);
      var row0 = Math.max(0, Math.floor((90 - nwLL.lat) / deg));
      var row1 = Math.min(ncol / 2 - 1, Math.floor((90 - seLL.lat) / deg - 1e-9));
      var ctx = canvas.getContext('2d'), self = this, pending = 1;
      var finish = function () { if (--pending === 0) { done(null, canvas); } };
      for (var row = row0; row <= row1; row++) {
        for (var col = col0; col <= col1; col++) {
          pending++;
          var img = new Image();
          img.onload = (function (img, row, col) {
            return function () { self._draw(ctx, img, row, col, deg, nw, z, size); finish(); };
          })(img, row, col);
          img.onerror = finish;
          img.src = L.Util.template(this.options.url,
            {z: level, y: row, x: ((col % ncol) + ncol) % ncol});
        }
      }
      L.Util.requestAnimFrame(finish);
      return canvas;
    },

    _draw: function (ctx, img, row, col, deg, nw, z, size) {
      var map = this._map, w = img.width, h = img.height, step = this.options.rowPx;
      var lon0 = col * deg - 180, lat0 = 90 - row * deg;
      var x0 = map.project([0, lon0], z).x - nw.x;
      var x1 = map.project([0, lon0 + deg], z).x - nw.x;
      for (var y = 0; y < size.y; y += step) {
        var latA = map.unproject([nw.x, nw.y + y], z).lat;
        var latB = map.unproject([nw.x, nw.y + y + step], z).lat;
        var vA = (lat0 - latA) / deg * h, vB = (lat0 - latB) / deg * h;
        if (vB <= 0 || vA >= h) { continue; }
        var cA = Math.max(vA, 0), cB = Math.min(vB, h);
        var yA = y + (cA - vA) / (vB - vA) * step, yB = y + (cB - vA) / (vB - vA) * step;
        ctx.drawImage(img, 0, cA, w, cB - cA, x0, yA, x1 - x0, yB - yA);
      }
    }
  });

  T.addEquirectTiles = function (group, spec) {
    new T.EquirectTiles({
      url: spec.url, maxLevel: spec.max_level, attribution: spec.attribution,
      maxZoom: 24
    }).addTo(group);
  };

  /* The larger view of a station's image: over the whole page, closed by a click or Escape. */
  T.openImage = function (src, caption) {
    T.closeImage();
    var box = el('div', 'traverse-lightbox', document.body);
    var img = el('img', '', box);
    img.src = src;
    img.alt = caption || '';
    el('div', 'traverse-lightbox-caption', box, caption || '');
    box.addEventListener('click', T.closeImage);
    T._lightbox = box;
    return img;
  };

  T.closeImage = function () {
    if (T._lightbox) { T._lightbox.remove(); T._lightbox = null; }
  };

  /* Popups stop clicks from bubbling to the map, so listen in the capture phase. */
  document.addEventListener('click', function (e) {
    var img = e.target && e.target.closest ? e.target.closest('.traverse-strip img') : null;
    if (!img) { return; }
    e.preventDefault();
    T.openImage(img.getAttribute('data-full') || img.src, img.title);
  }, true);
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') { T.closeImage(); }
  });
})(window.L);
