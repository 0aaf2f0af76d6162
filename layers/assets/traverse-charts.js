/* traverse: the charts of a map, in one collapsible box (top right): cumulative distance
 * against date (reconstructed 2-D: solid line, circles; 3-D: dashed line, squares; the
 * announced odometry: red triangles, no line) and, with a DEM, elevation against distance
 * driven.  Axes at round values with gridlines and titles, a legend (traverse-axes.js).
 * Hovering a chart shows the values at the nearest station (and the nearest announced
 * figure) and opens that station's tooltip on the map (tm.hovered: its id).
 *
 * Spec: layers/timeline.py chart_spec, named columns (series {name, t, m, station},
 * announced {t, m, label}, profile {m, elevation_m, station}, breaks).
 */
(function (L, T) {
  'use strict';

  var STYLES = [{colour: '#1f77b4', shape: 'circle', dash: null},
                {colour: '#ff7f0e', shape: 'square', dash: '5 3'}];
  var ANNOUNCED = {colour: '#d62728', shape: 'triangle', line: false};
  var MAX_MARKERS = 40;  // per series: beyond, every k-th point carries its marker

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

  /* Scales of a W x H chart with padding P over all points, widened to round values. */
  function frame(all, xIsTime) {
    var W = 340, H = 190, P = {l: 46, r: 10, t: 32, b: 34};
    var xs = all.map(function (p) { return p.x; }), ys = all.map(function (p) { return p.y; });
    var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs);
    var y0 = Math.min.apply(null, ys.concat([xIsTime ? 0 : Infinity])), y1 = Math.max.apply(null, ys);
    if (x1 === x0) { x1 = x0 + (xIsTime ? 86400000 : 1); }
    if (y1 === y0) { y1 = y0 + 1; }
    var yt = T.niceTicks(y0, y1, 4), step = yt.length > 1 ? yt[1] - yt[0] : 1;
    y0 = Math.floor(y0 / step + 1e-9) * step;
    y1 = Math.ceil(y1 / step - 1e-9) * step;
    return {W: W, H: H, P: P, x0: x0, x1: x1, y0: y0, y1: y1,
            X: function (v) { return P.l + (v - x0) / (x1 - x0) * (W - P.l - P.r); },
            Y: function (v) { return H - P.b - (v - y0) / (y1 - y0) * (H - P.t - P.b); }};
  }

  function lines(svg, f, chart) {
    chart.series.forEach(function (points, k) {
      var st = STYLES[k % 2], every = Math.max(1, Math.ceil(points.length / MAX_MARKERS));
      T.chartSegments(points, chart.breaks).forEach(function (seg) {
        if (seg.length === 1) {  // a lone station between gaps: a dot, no line
          T.svgEl('circle', {cx: f.X(seg[0].x), cy: f.Y(seg[0].y), r: 1.5, fill: st.colour,
            'class': 'traverse-series-point'}, svg);
          return;
        }
        T.svgEl('polyline', {fill: 'none', stroke: st.colour, 'stroke-width': 1.5, 'stroke-dasharray': st.dash,
          points: seg.map(function (p) { return f.X(p.x) + ',' + f.Y(p.y); }).join(' '),
          'class': 'traverse-series'}, svg);
      });
      points.forEach(function (p, i) {
        if (i % every === 0) { T.marker(svg, st.shape, f.X(p.x), f.Y(p.y), 2.2, st.colour, 'traverse-marker-' + k); }
      });
    });
    chart.dots.forEach(function (d) {
      T.marker(svg, ANNOUNCED.shape, f.X(d.x), f.Y(d.y), 3.5, ANNOUNCED.colour, 'traverse-announced')
        .appendChild(T.svgEl('title', {})).textContent = d.label;
    });
  }

  function nearest(points, f, x) {
    var best = null, dist = Infinity;
    points.forEach(function (p) {
      var d = Math.abs(f.X(p.x) - x);
      if (d < dist) { dist = d; best = p; }
    });
    return best;
  }

  /* A cursor and a text of the values at the nearest station (and announced figure); the
   * station's tooltip on the map. */
  function hover(tm, svg, f, chart) {
    var cursor = T.svgEl('line', {y1: f.P.t, y2: f.H - f.P.b, stroke: '#888', 'stroke-dasharray': '2 2',
                                  visibility: 'hidden'}, svg);
    var text = T.svgEl('text', {x: f.P.l + 4, y: f.P.t + 10, 'font-size': 9, 'class': 'traverse-hover',
                                visibility: 'hidden'}, svg);
    svg.addEventListener('mousemove', function (e) {
      var x = e.clientX - svg.getBoundingClientRect().left, best = nearest(chart.series[0], f, x);
      if (!best) { return; }
      cursor.setAttribute('x1', f.X(best.x));
      cursor.setAttribute('x2', f.X(best.x));
      cursor.setAttribute('visibility', 'visible');
      var values = chart.series.map(function (s, k) {
        var p = s.filter(function (q) { return q.station === best.station; })[0];
        return p ? chart.names[k] + ' ' + p.y.toFixed(1) + ' ' + chart.yUnit : '';
      }).filter(Boolean);
      var dot = chart.dots.length ? nearest(chart.dots, f, x) : null;
      if (dot && Math.abs(f.X(dot.x) - x) < 6) { values.push(dot.label); }
      var m = tm.stations[best.station], id = m ? m._info.id : best.station;
      text.textContent = T.tickText(best.x, chart.xIsTime) + (chart.xIsTime ? '' : ' m') + ' · station ' + id +
        ': ' + values.join(' · ');
      text.setAttribute('visibility', 'visible');
      if (m && !m._traverseHidden) {
        m.bindTooltip('station ' + m._info.id + ': ' + best.y.toFixed(1) + ' ' + chart.yUnit).openTooltip();
        tm.hovered = m._info.id;
      }
    });
  }

  /* chart: {title, names, series: [[points]], dots: [{x, y, label}], xIsTime, xTitle, yTitle, yUnit, breaks}. */
  function drawChart(tm, parent, chart) {
    var all = [];
    chart.series.forEach(function (s) { all = all.concat(s); });
    all = all.concat(chart.dots);
    if (!all.length) { return; }
    var f = frame(all, chart.xIsTime);
    var svg = T.svgEl('svg', {width: f.W, height: f.H, 'class': 'traverse-chart'}, parent);
    T.svgEl('text', {x: f.P.l, y: 11, 'font-size': 11, 'font-weight': 'bold'}, svg).textContent = chart.title;
    T.drawAxes(svg, f, chart);
    T.drawLegend(svg, f, chart.names.map(function (name, k) { return L.extend({name: name}, STYLES[k % 2]); })
      .concat(chart.dots.length ? [L.extend({name: chart.dotsName}, ANNOUNCED)] : []));
    lines(svg, f, chart);
    hover(tm, svg, f, chart);
  }

  function drawCharts(tm, body, spec) {
    var dots = spec.announced.t.map(function (t, k) {
      return {x: t, y: spec.announced.m[k], label: spec.announced.label[k]};
    });
    drawChart(tm, body, {title: 'Distance driven', dots: dots, dotsName: 'CNSA odometer', xIsTime: true,
      xTitle: 'date (UTC)', yTitle: 'distance driven (m)', yUnit: 'm', breaks: spec.breaks,
      names: spec.series.map(function (s) { return s.name.replace('reconstructed ', ''); }),
      series: spec.series.map(function (s) { return T.chartPoints(s.t, s.m, s.station); })});
    if (spec.profile) {
      drawChart(tm, body, {title: 'Elevation along the traverse', dots: [], xIsTime: false,
        xTitle: 'distance driven (m, 2-D)', yTitle: 'elevation (m, DEM)', yUnit: 'm', breaks: spec.breaks,
        names: ['station elevation'],
        series: [T.chartPoints(spec.profile.m, spec.profile.elevation_m, spec.profile.station)]});
    }
  }

  T.addChart = function (tm, spec) {
    T.panelControl(tm, 'topright', 'traverse-charts', function (div) {
      drawCharts(tm, T.foldable(div, 'Charts', 'traverse-chart-body', false), spec);
    });
  };
})(window.L, window.TraverseMap);
