/* traverse: the time control, station search and charts of the traverse web map.
 *
 * Needs Leaflet and traverse-map.js (window.TraverseMap: the timed layers,
 * setTime, the station markers).  Data come from layers/timeline.py.
 */
(function (L, T) {
  'use strict';

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
        var row = T.el('div', 'traverse-timeline-row', div);
        var play = T.el('button', 'traverse-play', row, '▶');
        play.type = 'button';
        play.title = 'play / pause';
        var slider = T.el('input', 'traverse-slider', row);
        slider.type = 'range';
        slider.min = spec.start;
        slider.max = spec.end;
        slider.step = 60000;  // one minute
        slider.value = spec.end;
        var select = T.el('select', 'traverse-day-select', row);
        T.el('option', '', select, 'all days').value = '';
        spec.days.forEach(function (d) { T.el('option', '', select, window.TRAVERSE_BODY.day_name + ' ' + d.day).value = d.day; });
        var label = T.el('div', 'traverse-time-label', div);
        var search = T.el('input', 'traverse-search', div);
        search.type = 'search';
        search.placeholder = 'find a station: id, sequence or date';
        var results = T.el('div', 'traverse-search-results', div);
        T._onTime = function (t, day) {
          slider.value = t;
          label.textContent = T.isoDate(t) + ' UTC' + (day !== null ? ' · ' + window.TRAVERSE_BODY.day_name + ' ' + day : '') +
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
            var a = T.el('a', 'traverse-search-hit', results,
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

  /* Points [x, y, station index] cut into runs: a run ends before a station reached across a gap
   * (breaks: station indices, layers/timeline.py gap_breaks), so no line is drawn over a gap. */
  T.chartSegments = function (points, breaks) {
    var segs = [];
    points.forEach(function (p, i) {
      var prev = i ? points[i - 1] : null;
      var cut = prev && (breaks || []).some(function (b) { return prev[2] < b && b <= p[2]; });
      if (!prev || cut) { segs.push([]); }
      segs[segs.length - 1].push(p);
    });
    return segs;
  };

  function drawChart(parent, title, series, dots, xIsTime, yUnit, breaks) {
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
      xIsTime ? T.isoDate(x0).slice(0, 10) : Math.round(x0) + ' m';
    svgEl('text', {x: W - P.r, y: H - 6, 'font-size': 10, 'text-anchor': 'end'}, svg).textContent =
      xIsTime ? T.isoDate(x1).slice(0, 10) : Math.round(x1) + ' m';
    var colours = ['#1f77b4', '#ff7f0e'];
    series.forEach(function (s, k) {
      T.chartSegments(s.points, breaks).forEach(function (seg) {
        if (seg.length === 1) {  // a lone station between gaps: a dot, no line
          svgEl('circle', {cx: X(seg[0][0]), cy: Y(seg[0][1]), r: 1.5, fill: colours[k % 2],
            'class': 'traverse-series-point'}, svg);
          return;
        }
        svgEl('polyline', {fill: 'none', stroke: colours[k % 2], 'stroke-width': 1.5,
          points: seg.map(function (p) { return X(p[0]) + ',' + Y(p[1]); }).join(' '),
          'class': 'traverse-series'}, svg);
      });
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
        var toggle = T.el('a', 'traverse-toggle', div, 'Charts ▸');
        toggle.href = '#';
        var body = T.el('div', 'traverse-chart-body', div);
        body.style.display = 'none';
        toggle.addEventListener('click', function (e) {
          e.preventDefault();
          var open = body.style.display === 'none';
          body.style.display = open ? '' : 'none';
          toggle.textContent = open ? 'Charts ▾' : 'Charts ▸';
        });
        drawChart(body, 'Distance driven (m) · red: CNSA odometer', spec.series, spec.announced,
                  true, 'm', spec.breaks);
        if (spec.profile) {
          drawChart(body, 'Elevation (m) along the traverse', [{points: spec.profile}], [], false, 'm',
                    spec.breaks);
        }
        return div;
      }
    });
    new Chart().addTo(map);
  };

})(L, window.TraverseMap);
