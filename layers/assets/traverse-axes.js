/* traverse: what makes a chart readable: axis ticks at round values, gridlines, axis titles,
 * series markers of distinct shapes and a legend (used by traverse-charts.js).
 *
 * T.niceTicks(lo, hi, n): about n values at 1, 2 or 5 times a power of ten within [lo, hi];
 * T.timeTicks(lo, hi, n): UTC midnights every 1, 2, 5, 7, 14, 30, 60, 90, 180 or 365 days
 * (ms since 1970).  The tick labels of a time axis are dates (YYYY-MM-DD, UTC).
 */
(function (L, T) {
  'use strict';

  var SVG = 'http://www.w3.org/2000/svg', DAY = 86400000;

  T.svgEl = function (tag, attrs, parent) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) {
      if (attrs[k] !== null && attrs[k] !== undefined) { e.setAttribute(k, attrs[k]); }
    });
    if (parent) { parent.appendChild(e); }
    return e;
  };
  var svgEl = T.svgEl;

  /* Round values (1, 2 or 5 x 10^k apart) from lo to hi, about n of them. */
  T.niceTicks = function (lo, hi, n) {
    var raw = (hi - lo) / Math.max(1, n), mag = Math.pow(10, Math.floor(Math.log10(raw || 1)));
    var step = [1, 2, 5, 10].map(function (k) { return k * mag; })
      .filter(function (s) { return s >= raw; })[0];
    var out = [];
    for (var v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
      out.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
    }
    return out;
  };

  /* UTC midnights from lo to hi (ms), a round number of days apart, about n of them. */
  T.timeTicks = function (lo, hi, n) {
    var raw = (hi - lo) / Math.max(1, n) / DAY;
    var days = [1, 2, 5, 7, 14, 30, 60, 90, 180, 365, 730].filter(function (d) { return d >= raw; })[0] || 730;
    var out = [];
    for (var t = Math.ceil(lo / DAY) * DAY; t <= hi; t += days * DAY) { out.push(t); }
    return out;
  };

  /* The tick label of value v: a date on a time axis, else the number (unit added by the title). */
  T.tickText = function (v, isTime) {
    if (isTime) { return T.isoDate(v).slice(0, 10); }
    return Math.abs(v) >= 1000 ? String(Math.round(v)) : String(Number(v.toPrecision(4)));
  };

  /* Gridlines, tick labels and axis titles of chart frame f (traverse-charts.js frame). */
  T.drawAxes = function (svg, f, chart) {
    var grid = svgEl('g', {'class': 'traverse-grid', stroke: '#ddd', 'stroke-width': 1}, svg);
    var labels = svgEl('g', {'class': 'traverse-ticks', 'font-size': 9, fill: '#333'}, svg);
    T.niceTicks(f.y0, f.y1, 4).forEach(function (v) {
      svgEl('line', {x1: f.P.l, x2: f.W - f.P.r, y1: f.Y(v), y2: f.Y(v)}, grid);
      svgEl('text', {x: f.P.l - 3, y: f.Y(v) + 3, 'text-anchor': 'end', 'class': 'traverse-tick traverse-ytick'},
            labels).textContent = T.tickText(v, false);
    });
    var xs = chart.xIsTime ? T.timeTicks(f.x0, f.x1, 3) : T.niceTicks(f.x0, f.x1, 5);
    xs.forEach(function (v) {
      svgEl('line', {x1: f.X(v), x2: f.X(v), y1: f.P.t, y2: f.H - f.P.b}, grid);
      svgEl('text', {x: f.X(v), y: f.H - f.P.b + 11, 'text-anchor': 'middle', 'class': 'traverse-tick traverse-xtick'},
            labels).textContent = T.tickText(v, chart.xIsTime);
    });
    svgEl('rect', {x: f.P.l, y: f.P.t, width: f.W - f.P.l - f.P.r, height: f.H - f.P.t - f.P.b,
                   fill: 'none', stroke: '#999'}, svg);
    svgEl('text', {x: f.P.l + (f.W - f.P.l - f.P.r) / 2, y: f.H - 3, 'text-anchor': 'middle', 'font-size': 10,
                   'class': 'traverse-axis-title traverse-xtitle'}, svg).textContent = chart.xTitle;
    svgEl('text', {x: 0, y: 0, 'font-size': 10, 'text-anchor': 'middle', 'class': 'traverse-axis-title traverse-ytitle',
                   transform: 'translate(10,' + (f.P.t + (f.H - f.P.t - f.P.b) / 2) + ') rotate(-90)'},
          svg).textContent = chart.yTitle;
  };

  /* A marker of `shape` ('circle', 'square', 'triangle') centred on (x, y), r pixels. */
  T.marker = function (parent, shape, x, y, r, colour, cls) {
    if (shape === 'square') {
      return svgEl('rect', {x: x - r, y: y - r, width: 2 * r, height: 2 * r, fill: colour, 'class': cls}, parent);
    }
    if (shape === 'triangle') {
      return svgEl('path', {d: 'M' + x + ',' + (y - r * 1.2) + 'L' + (x + r) + ',' + (y + r * 0.8) + 'L' +
                      (x - r) + ',' + (y + r * 0.8) + 'Z', fill: colour, 'class': cls}, parent);
    }
    return svgEl('circle', {cx: x, cy: y, r: r, fill: colour, 'class': cls}, parent);
  };

  /* The legend (one row under the title): a line sample (solid, dashed or none) and the marker
   * of each entry {name, colour, dash, shape}. */
  T.drawLegend = function (svg, f, entries) {
    var g = svgEl('g', {'class': 'traverse-legend', 'font-size': 9}, svg), x = f.P.l;
    entries.forEach(function (e) {
      if (e.line !== false) {
        svgEl('line', {x1: x, x2: x + 16, y1: 22, y2: 22, stroke: e.colour, 'stroke-width': 1.5,
                       'stroke-dasharray': e.dash || null}, g);
      }
      T.marker(g, e.shape, x + 8, 22, 2.5, e.colour, 'traverse-legend-marker');
      var text = svgEl('text', {x: x + 19, y: 25}, g);
      text.textContent = e.name;
      x += 24 + e.name.length * 4.6;
    });
  };
})(window.L, window.TraverseMap);
