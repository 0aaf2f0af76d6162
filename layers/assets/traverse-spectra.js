/* traverse: spectra at the targets (control 'spectra').
 *
 * Spec: layers/science_map.py spectra_payload, {spectra: [{product, wavelength_nm, value, unit,
 * level}]} (VNIS-SD: 300 channels, 900-2395 nm, level 2B radiance; value null where not a number).
 * A target popup (traverse-views.js) holds a slot for its product (T.spectrumSlot); on opening
 * the slot gets the spectrum drawn (SVG polyline, one vertex per channel) and a 'compare' box.
 * The 'Spectra' box (bottom left) draws every ticked spectrum in one chart, one colour each.
 */
(function (L, T) {
  'use strict';

  var SVG = 'http://www.w3.org/2000/svg';
  var COLOURS = ['#d62728', '#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf'];

  function svgEl(tag, attrs, parent) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (parent) { parent.appendChild(e); }
    return e;
  }

  function unitText(s) {
    return (s.level ? 'level ' + s.level + ', ' : '') + (s.unit ? s.unit : 'unit not stated in the label');
  }

  /* The popup slot of a product's spectrum (empty text when the map holds none). */
  T.spectrumSlot = function (tm, product) {
    if (!tm.spectra || !tm.spectra.byProduct[product]) { return ''; }
    return '<div class="traverse-spectrum" data-product="' + T.escapeHtml(product) + '"></div>';
  };

  /* An SVG chart of spectra [{product, wavelength_nm, value, unit, level}] in parent. */
  T.drawSpectra = function (parent, list) {
    var W = 280, H = 170, P = {l: 52, r: 8, t: 8, b: 34};
    var x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    list.forEach(function (s) {
      s.wavelength_nm.forEach(function (w, i) {
        var v = s.value[i];
        if (v === null) { return; }
        x0 = Math.min(x0, w); x1 = Math.max(x1, w); y0 = Math.min(y0, v); y1 = Math.max(y1, v);
      });
    });
    if (!isFinite(x0)) { return null; }
    if (x1 === x0) { x1 = x0 + 1; }
    if (y1 === y0) { y1 = y0 + Math.abs(y0 || 1); }
    var X = function (v) { return P.l + (v - x0) / (x1 - x0) * (W - P.l - P.r); };
    var Y = function (v) { return H - P.b - (v - y0) / (y1 - y0) * (H - P.t - P.b); };
    var svg = svgEl('svg', {width: W, height: H, 'class': 'traverse-spectrum-chart'}, parent);
    svgEl('rect', {x: P.l, y: P.t, width: W - P.l - P.r, height: H - P.t - P.b, fill: 'none',
                   stroke: '#999'}, svg);
    [[x0, 'start'], [x1, 'end']].forEach(function (a) {
      svgEl('text', {x: X(a[0]), y: H - P.b + 12, 'font-size': 10, 'text-anchor': a[1]}, svg)
        .textContent = Math.round(a[0]) + ' nm';
    });
    svgEl('text', {x: (P.l + W - P.r) / 2, y: H - 4, 'font-size': 10, 'text-anchor': 'middle'}, svg)
      .textContent = 'wavelength (nm); value: ' + unitText(list[0]);
    [[y1, P.t + 8], [y0, H - P.b]].forEach(function (a) {
      svgEl('text', {x: P.l - 3, y: a[1], 'font-size': 10, 'text-anchor': 'end'}, svg)
        .textContent = a[0].toPrecision(3);
    });
    list.forEach(function (s, k) {
      var pts = [];
      s.wavelength_nm.forEach(function (w, i) {
        if (s.value[i] !== null) { pts.push(X(w).toFixed(1) + ',' + Y(s.value[i]).toFixed(1)); }
      });
      svgEl('polyline', {fill: 'none', stroke: COLOURS[k % COLOURS.length], 'stroke-width': 1.2,
                         points: pts.join(' '), 'class': 'traverse-spectrum-line',
                         'data-product': s.product}, svg)
        .appendChild(svgEl('title', {})).textContent = s.product;
    });
    return svg;
  };

  function redrawCompare(tm) {
    var body = tm.spectra.body, chosen = tm.spectra.chosen;
    if (!body) { return; }
    var chart = body.querySelector('.traverse-spectra-chart');
    chart.textContent = '';
    var list = tm.spectra.list.filter(function (s) { return chosen[s.product]; });
    if (list.length) { T.drawSpectra(chart, list); }
    body.querySelectorAll('input').forEach(function (box) { box.checked = !!chosen[box.value]; });
  }

  /* Tick a product in the comparison (or untick it) and redraw. */
  T.compareSpectrum = function (tm, product, on) {
    tm.spectra.chosen[product] = on;
    if (on && tm.spectra.body) { tm.spectra.body.style.display = ''; }
    redrawCompare(tm);
  };

  function fillSlots(tm, element) {
    var slots = element ? element.querySelectorAll('.traverse-spectrum') : [];
    Array.prototype.forEach.call(slots, function (slot) {
      var s = tm.spectra.byProduct[slot.getAttribute('data-product')];
      if (!s || slot.firstChild) { return; }
      T.drawSpectra(slot, [s]);
      var label = T.el('label', 'traverse-spectrum-compare', slot), box = T.el('input', '', label);
      box.type = 'checkbox';
      box.checked = !!tm.spectra.chosen[s.product];
      label.appendChild(document.createTextNode(' compare with other targets'));
      box.addEventListener('change', function () { T.compareSpectrum(tm, s.product, box.checked); });
    });
  }

  T.addSpectra = function (tm, spec) {
    tm.spectra = {list: spec.spectra, byProduct: {}, chosen: {}, body: null};
    spec.spectra.forEach(function (s) { tm.spectra.byProduct[s.product] = s; });
    tm.map.on('popupopen', function (e) { fillSlots(tm, e.popup.getElement()); });
    T.panelControl(tm, 'bottomleft', 'traverse-spectra', function (div) {
      var body = tm.spectra.body = T.foldable(div, 'Spectra (' + spec.spectra.length + ')', 'traverse-spectra-body',
                                              false);
      spec.spectra.forEach(function (s) {
        var row = T.el('label', 'traverse-spectra-row', body), box = T.el('input', '', row);
        box.type = 'checkbox';
        box.value = s.product;
        row.appendChild(document.createTextNode(' ' + s.product));
        box.addEventListener('change', function () { T.compareSpectrum(tm, s.product, box.checked); });
      });
      T.el('div', 'traverse-spectra-chart', body);
    });
  };
})(window.L, window.TraverseMap);
