/* traverse: lunar Leaflet CRS and the layer builders of the traverse web map.
 *
 * Needs Leaflet and window.TRAVERSE_MOON_RADIUS_M (written by layers/webmap.py
 * from traverse.geodesy.MOON_RADIUS_M).  L.CRS.Moon3857 is EPSG:3857 on the
 * Moon sphere: same tile grid (tile z/x/y covers the same lon/lat as on Earth),
 * but projection, transformation and haversine distance use the lunar radius,
 * so the scale bar and map.distance() give lunar metres.  See
 * traverse.geodesy.web_mercator_crs for the Python twin of this projection.
 */
(function (L) {
  'use strict';
  var R = window.TRAVERSE_MOON_RADIUS_M;
  var HALF = Math.PI * R;

  L.Projection.MoonMercator = L.extend({}, L.Projection.SphericalMercator, {
    R: R,
    bounds: L.bounds([-HALF, -HALF], [HALF, HALF])
  });

  var s = 0.5 / HALF;
  L.CRS.Moon3857 = L.extend({}, L.CRS.EPSG3857, {
    code: 'IAU_2015:30100-PseudoMercator',
    projection: L.Projection.MoonMercator,
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

  /* Time control: a slider over the mission (by date), a lunar-day jump, play/pause, and
   * a station search (by station id, sequence number or date). */
  T.addTimeline = function (map, spec) {
    T._timeline = spec;
    var Timeline = L.Control.extend({
      options: {position: 'bottomleft'},
      onAdd: function () {
        var div = L.DomUtil.create('div', 'traverse-panel traverse-timeline');
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        var row = el('div', 'traverse-timeline-row', div);
        var play = el('button', 'traverse-play', row, '▶');
        play.type = 'button';
        play.title = 'play / pause';
        var slider = el('input', 'traverse-slider', row);
        slider.type = 'range';
        slider.min = spec.start;
        slider.max = spec.end;
        slider.step = 60000;  // one minute
        slider.value = spec.end;
        var select = el('select', 'traverse-day-select', row);
        el('option', '', select, 'all days').value = '';
        spec.days.forEach(function (d) { el('option', '', select, 'lunar day ' + d.day).value = d.day; });
        var label = el('div', 'traverse-time-label', div);
        var search = el('input', 'traverse-search', div);
        search.type = 'search';
        search.placeholder = 'find a station: id, sequence or date';
        var results = el('div', 'traverse-search-results', div);
        T._onTime = function (t, day) {
          slider.value = t;
          label.textContent = isoDate(t) + ' UTC' + (day !== null ? ' · lunar day ' + day : '') +
            ' · ' + T.visibleStations().length + ' stations';
        };
        slider.addEventListener('input', function () { T.setTime(Number(slider.value)); });
        select.addEventListener('change', function () {
          var d = spec.days.filter(function (x) { return String(x.day) === select.value; })[0];
          T.setTime(d ? d.t1 : spec.end);
        });
        var timer = null;
        play.addEventListener('click', function () {
          if (timer) { clearInterval(timer); timer = null; play.textContent = '▶'; return; }
          var t = Number(slider.value) >= spec.end ? spec.start : Number(slider.value);
          play.textContent = '❚❚';
          timer = setInterval(function () {
            t = Math.min(spec.end, t + (spec.end - spec.start) / 300);
            T.setTime(t);
            if (t >= spec.end) { clearInterval(timer); timer = null; play.textContent = '▶'; }
          }, 50);
        });
        search.addEventListener('input', function () {
          var q = search.value.trim().toLowerCase();
          results.innerHTML = '';
          if (!q) { return; }
          T._stations.filter(function (m) {
            var s = m._info;
            return String(s.id) === q || s.date.indexOf(q) === 0 ||
              (s.seqs || []).some(function (x) { return x === q || String(Number(x)) === q; });
          }).slice(0, 20).forEach(function (m) {
            var a = el('a', 'traverse-search-hit', results,
                       'station ' + m._info.id + ' · day ' + m._info.day + ' · ' + m._info.date);
            a.href = '#';
            a.addEventListener('click', function (e) {
              e.preventDefault();
              if (m._traverseHidden) { T.setTime(spec.end); }
              map.panTo(m.getLatLng());
              m.openPopup();
            });
          });
        });
        return div;
      }
    });
    new Timeline().addTo(map);
    T.setTime(spec.end);
  };

  /* Charts in one collapsible box: cumulative distance against date (reconstructed 2-D and
   * 3-D, CNSA's announcements as dots) and, with a DEM, elevation against distance driven.
   * Hovering a chart point opens the tooltip of its station on the map. */
  var SVG = 'http://www.w3.org/2000/svg';

  function svgEl(tag, attrs, parent) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (parent) { parent.appendChild(e); }
    return e;
  }

  function drawChart(parent, title, series, dots, xIsTime, yUnit) {
    var W = 300, H = 150, P = {l: 44, r: 8, t: 18, b: 22};
    var all = [];
    series.forEach(function (s) { all = all.concat(s.points); });
    all = all.concat(dots || []);
    if (!all.length) { return; }
    var xs = all.map(function (p) { return p[0]; }), ys = all.map(function (p) { return p[1]; });
    var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs);
    var y0 = Math.min.apply(null, ys.concat([xIsTime ? 0 : Infinity])), y1 = Math.max.apply(null, ys);
    if (x1 === x0) { x1 = x0 + 1; }
    if (y1 === y0) { y1 = y0 + 1; }
    function X(v) { return P.l + (v - x0) / (x1 - x0) * (W - P.l - P.r); }
    function Y(v) { return H - P.b - (v - y0) / (y1 - y0) * (H - P.t - P.b); }
    var svg = svgEl('svg', {width: W, height: H, 'class': 'traverse-chart'}, parent);
    svgEl('text', {x: P.l, y: 12, 'font-size': 11}, svg).textContent = title;
    svgEl('text', {x: 2, y: P.t + 8, 'font-size': 10}, svg).textContent = Math.round(y1) + ' ' + yUnit;
    svgEl('text', {x: 2, y: H - P.b, 'font-size': 10}, svg).textContent = Math.round(y0) + ' ' + yUnit;
    svgEl('text', {x: P.l, y: H - 6, 'font-size': 10}, svg).textContent =
      xIsTime ? isoDate(x0).slice(0, 10) : Math.round(x0) + ' m';
    svgEl('text', {x: W - P.r, y: H - 6, 'font-size': 10, 'text-anchor': 'end'}, svg).textContent =
      xIsTime ? isoDate(x1).slice(0, 10) : Math.round(x1) + ' m';
    var colours = ['#1f77b4', '#ff7f0e'];
    series.forEach(function (s, k) {
      svgEl('polyline', {fill: 'none', stroke: colours[k % 2], 'stroke-width': 1.5,
        points: s.points.map(function (p) { return X(p[0]) + ',' + Y(p[1]); }).join(' '),
        'class': 'traverse-series'}, svg);
    });
    (dots || []).forEach(function (d) {
      svgEl('circle', {cx: X(d[0]), cy: Y(d[1]), r: 3, fill: '#d62728', 'class': 'traverse-announced'},
            svg).appendChild(svgEl('title', {})).textContent = d[2];
    });
    var cursor = svgEl('line', {y1: P.t, y2: H - P.b, stroke: '#888', 'stroke-dasharray': '2 2',
                                visibility: 'hidden'}, svg);
    var first = series[0].points;
    svg.addEventListener('mousemove', function (e) {
      var box = svg.getBoundingClientRect(), x = e.clientX - box.left, best = null, dist = Infinity;
      first.forEach(function (p) {
        var d = Math.abs(X(p[0]) - x);
        if (d < dist) { dist = d; best = p; }
      });
      if (!best) { return; }
      cursor.setAttribute('x1', X(best[0]));
      cursor.setAttribute('x2', X(best[0]));
      cursor.setAttribute('visibility', 'visible');
      var m = T._stations[best[2]];
      if (m && !m._traverseHidden) {
        m.bindTooltip('station ' + m._info.id + ': ' + best[1].toFixed(1) + ' ' + yUnit).openTooltip();
        T._hovered = m._info.id;
      }
    });
  }

  T.addChart = function (map, spec) {
    var Chart = L.Control.extend({
      options: {position: 'topright'},
      onAdd: function () {
        var div = L.DomUtil.create('div', 'traverse-panel traverse-charts');
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        var toggle = el('a', 'traverse-toggle', div, 'Charts ▸');
        toggle.href = '#';
        var body = el('div', 'traverse-chart-body', div);
        body.style.display = 'none';
        toggle.addEventListener('click', function (e) {
          e.preventDefault();
          var open = body.style.display === 'none';
          body.style.display = open ? '' : 'none';
          toggle.textContent = open ? 'Charts ▾' : 'Charts ▸';
        });
        drawChart(body, 'Distance driven (m) · red: CNSA odometer', spec.series, spec.announced,
                  true, 'm');
        if (spec.profile) {
          drawChart(body, 'Elevation (m) along the traverse', [{points: spec.profile}], [], false, 'm');
        }
        return div;
      }
    });
    new Chart().addTo(map);
  };

  T.addLander = function (group, lander) {
    L.marker(lander.latlng, {
      title: lander.title,
      icon: L.divIcon({
        className: 'traverse-lander',
        html: '<div class="traverse-lander-icon"></div>',
        iconSize: [18, 18], iconAnchor: [9, 9], popupAnchor: [0, -9]
      })
    }).bindPopup(lander.popup).addTo(group);
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
          toggle.textContent = (spec.title || 'Lunar days') + (open ? ' ▾' : ' ▸');
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
   * haversine on the CRS sphere: lunar metres with L.CRS.Moon3857.  Escape or
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
      button.title = 'Measure distance (lunar metres)';
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
      el.innerHTML = head + more + '<br><small>lunar metres · Esc or ruler to clear</small>';
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
})(window.L);
