/* traverse: the charts of a map, in one collapsible box (top right): cumulative distance
 * against date (reconstructed 2-D and 3-D, the announced odometry as dots) and, with a DEM,
 * elevation against distance driven.  Hovering a chart point opens the tooltip of its
 * station on the map (tm.hovered: its id).
 *
 * Spec: layers/timeline.py chart_spec, named columns (series {name, t, m, station},
 * announced {t, m, label}, profile {m, elevation_m, station}, breaks).
 */
(function (L, T) {
  'use strict';

  var SVG = 'http://www.w3.org/2000/svg';
  var COLOURS = ['#1f77b4', '#ff7f0e'];

  function svgEl(tag, attrs, parent) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (parent) { parent.appendChild(e); }
    return e;
  }

  /* Points {x, y, station} of named columns xs, ys, stations. */
  T.chartPoints = function (xs, ys, stations) {
    return xs.map(function (x, k) { return {x: x, y: ys[k], station: stations ? stations[k] : null}; });
  };

  /* Points {x, y, station} cut into runs: a run ends before a station reached across a gap
   * (breaks: station indices, layers/timeline.py gap_breaks), so no line is drawn over a gap. */
  T.chartSegments = function (points, breaks) {
    var segs = [];
    points.forEach(function (p, i) {
      var prev = i ? points[i - 1] : null;
      var cut = prev && (breaks || []).some(function (b) { return prev.station < b && b <= p.station; });
      if (!prev || cut) { segs.push([]); }
      segs[segs.length - 1].push(p);
    });
    return segs;
  };

  /* Scales of a W x H chart with padding P over all points. */
  function frame(all, xIsTime) {
    var W = 300, H = 150, P = {l: 44, r: 8, t: 18, b: 22};
    var xs = all.map(function (p) { return p.x; }), ys = all.map(function (p) { return p.y; });
    var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs);
    var y0 = Math.min.apply(null, ys.concat([xIsTime ? 0 : Infinity])), y1 = Math.max.apply(null, ys);
    if (x1 === x0) { x1 = x0 + 1; }
    if (y1 === y0) { y1 = y0 + 1; }
    return {W: W, H: H, P: P, x0: x0, x1: x1, y0: y0, y1: y1,
            X: function (v) { return P.l + (v - x0) / (x1 - x0) * (W - P.l - P.r); },
            Y: function (v) { return H - P.b - (v - y0) / (y1 - y0) * (H - P.t - P.b); }};
  }

  function axes(svg, f, chart) {
    var unit = chart.yUnit, xText = function (v) { return chart.xIsTime ? T.isoDate(v).slice(0, 10) : Math.round(v) + ' m'; };
    svgEl('text', {x: f.P.l, y: 12, 'font-size': 11}, svg).textContent = chart.title;
    svgEl('text', {x: 2, y: f.P.t + 8, 'font-size': 10}, svg).textContent = Math.round(f.y1) + ' ' + unit;
    svgEl('text', {x: 2, y: f.H - f.P.b, 'font-size': 10}, svg).textContent = Math.round(f.y0) + ' ' + unit;
    svgEl('text', {x: f.P.l, y: f.H - 6, 'font-size': 10}, svg).textContent = xText(f.x0);
    svgEl('text', {x: f.W - f.P.r, y: f.H - 6, 'font-size': 10, 'text-anchor': 'end'}, svg).textContent =
      xText(f.x1);
  }

  function lines(svg, f, chart) {
    chart.series.forEach(function (points, k) {
      T.chartSegments(points, chart.breaks).forEach(function (seg) {
        if (seg.length === 1) {  // a lone station between gaps: a dot, no line
          svgEl('circle', {cx: f.X(seg[0].x), cy: f.Y(seg[0].y), r: 1.5, fill: COLOURS[k % 2],
            'class': 'traverse-series-point'}, svg);
          return;
        }
        svgEl('polyline', {fill: 'none', stroke: COLOURS[k % 2], 'stroke-width': 1.5,
          points: seg.map(function (p) { return f.X(p.x) + ',' + f.Y(p.y); }).join(' '),
          'class': 'traverse-series'}, svg);
      });
    });
    chart.dots.forEach(function (d) {
      svgEl('circle', {cx: f.X(d.x), cy: f.Y(d.y), r: 3, fill: '#d62728', 'class': 'traverse-announced'},
            svg).appendChild(svgEl('title', {})).textContent = d.label;
    });
  }

  /* A cursor following the pointer to the nearest point of the first series; its station's tooltip. */
  function hover(tm, svg, f, chart) {
    var cursor = svgEl('line', {y1: f.P.t, y2: f.H - f.P.b, stroke: '#888', 'stroke-dasharray': '2 2',
                                visibility: 'hidden'}, svg);
    var first = chart.series[0];
    svg.addEventListener('mousemove', function (e) {
      var box = svg.getBoundingClientRect(), x = e.clientX - box.left, best = null, dist = Infinity;
      first.forEach(function (p) {
        var d = Math.abs(f.X(p.x) - x);
        if (d < dist) { dist = d; best = p; }
      });
      if (!best) { return; }
      cursor.setAttribute('x1', f.X(best.x));
      cursor.setAttribute('x2', f.X(best.x));
      cursor.setAttribute('visibility', 'visible');
      var m = tm.stations[best.station];
      if (m && !m._traverseHidden) {
        m.bindTooltip('station ' + m._info.id + ': ' + best.y.toFixed(1) + ' ' + chart.yUnit).openTooltip();
        tm.hovered = m._info.id;
      }
    });
  }

  /* chart: {title, series: [[points]], dots: [{x, y, label}], xIsTime, yUnit, breaks}. */
  function drawChart(tm, parent, chart) {
    var all = [];
    chart.series.forEach(function (s) { all = all.concat(s); });
    all = all.concat(chart.dots);
    if (!all.length) { return; }
    var f = frame(all, chart.xIsTime);
    var svg = svgEl('svg', {width: f.W, height: f.H, 'class': 'traverse-chart'}, parent);
    axes(svg, f, chart);
    lines(svg, f, chart);
    hover(tm, svg, f, chart);
  }

  T.addChart = function (tm, spec) {
    var dots = spec.announced.t.map(function (t, k) {
      return {x: t, y: spec.announced.m[k], label: spec.announced.label[k]};
    });
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
        drawChart(tm, body, {title: 'Distance driven (m)' + (dots.length ? ' · red: CNSA odometer' : ''),
          dots: dots, xIsTime: true,
          yUnit: 'm', breaks: spec.breaks, series: spec.series.map(function (s) {
            return T.chartPoints(s.t, s.m, s.station);
          })});
        if (spec.profile) {
          drawChart(tm, body, {title: 'Elevation (m) along the traverse', dots: [], xIsTime: false,
            yUnit: 'm', breaks: spec.breaks,
            series: [T.chartPoints(spec.profile.m, spec.profile.elevation_m, spec.profile.station)]});
        }
        return div;
      }
    });
    new Chart().addTo(tm.map);
  };
})(window.L, window.TraverseMap);
