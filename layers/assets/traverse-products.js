/* traverse: the product list of a popup, and the links between stations and the per-day panel.
 *
 * tm.products is the map's product table (layers/popups.py product_table: ids, notes; and
 * layers/productlinks.py product_links: each label's folder relative to the page, or
 * "!BUNDLE.zip", and the URL it was fetched from).  T.productItems resolves indexes into it;
 * T.productListHtml draws a resolved list, compactly: short ids ("PCAML-C 0001 2019-01-03
 * 16:10:00", the full id as tooltip and behind a copy button), the description the products
 * share once, each with its label and source links.  A station popup's day links to its row
 * in the per-day panel; a row's station count selects and shows that day's stations.
 */
(function (L, T) {
  'use strict';

  var GRAS = /^[A-Za-z0-9-]+_GRAS_([A-Za-z0-9-]+)_[A-Z]+_[A-Z]_(\d{8})(\d{6})_\d{14}_(\d+)_\w+\.\w+$/;

  /* "PCAML-C 0001 2019-01-03 16:10:00" of a GRAS product id (payload, sequence, start UTC); else the id. */
  T.shortProductId = function (id) {
    var m = GRAS.exec(id);
    if (!m) { return id; }
    var d = m[2], t = m[3];
    return m[1] + ' ' + m[4] + ' ' + d.slice(0, 4) + '-' + d.slice(4, 6) + '-' + d.slice(6) + ' ' +
      t.slice(0, 2) + ':' + t.slice(2, 4) + ':' + t.slice(4);
  };

  /* [{k, id, note, label, bundle, source}] of product indexes `ks` in tm.products (note: escaped HTML;
   * label: a URL relative to the page; bundle: the zip it was read from; source: its URL). */
  T.productItems = function (tm, ks) {
    var p = tm.products || {ids: []};
    return ks.map(function (k) {
      var place = p.places && p.place[k] !== null ? p.places[p.place[k]] : null;
      var name = (p.names && p.names[k]) || p.ids[k] + 'L', src = p.source ? p.source[k] : null;
      return {k: k, id: p.ids[k], note: p.notes ? p.notes[p.note[k]] : '',
              label: place !== null && place.charAt(0) !== '!' ? place + encodeURIComponent(name) : null,
              bundle: place !== null && place.charAt(0) === '!' ? place.slice(1) : null,
              source: src ? p.sources[src[0]] + src[1] : null};
    });
  };

  /* The HTML of a resolved product list (see T.productItems); `more`: products not listed. */
  T.productListHtml = function (items, more) {
    var E = T.escapeHtml, count = {}, shared = '';
    items.forEach(function (it) { count[it.note] = (count[it.note] || 0) + 1; });
    Object.keys(count).forEach(function (n) { if (n && (!shared || count[n] > count[shared])) { shared = n; } });
    var lines = items.map(function (it) {
      var links = [it.label ? '<a href="' + E(it.label) + '" target="_blank" class="traverse-label-link">label</a>'
                   : (it.bundle ? '<span class="traverse-bundle">in ' + E(it.bundle) + '</span>' : ''),
                   it.source ? '<a href="' + E(it.source) + '" target="_blank" rel="noopener"' +
                     ' class="traverse-source-link">source</a>' : ''].filter(Boolean).join(' · ');
      return '<div class="traverse-product" data-product="' + it.k + '" title="' + E(it.id) + '">' +
        '<span class="traverse-product-id">' + E(T.shortProductId(it.id)) + '</span> ' + links +
        ' <button type="button" class="traverse-copy" data-copy="' + E(it.id) + '" title="copy the full id">' +
        'copy id</button>' + (it.note && it.note !== shared ? '<div class="traverse-note">' + it.note + '</div>' : '') +
        '</div>';
    });
    if (more) { lines.push('<div>\u2026 and ' + more + ' more</div>'); }
    return (shared ? '<div class="traverse-note traverse-shared-note">' + shared + '</div>' : '') +
      "<div class='traverse-popup-list'>" + lines.join('') + '</div>';
  };

  function copy(text, button) {
    function done(ok) { button.textContent = ok ? 'copied' : 'copy failed'; }
    function fallback() {
      var area = T.el('textarea', '', document.body);
      area.value = text;
      area.select();
      var ok = false;
      try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
      area.remove();
      done(ok);
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, fallback);
    } else {
      fallback();
    }
  }

  /* Show the per-day panel's row of `day` (opened, scrolled to, marked). */
  function showDayRow(tm, day) {
    var box = tm.map.getContainer(), row = box.querySelector('.traverse-days-panel tr[data-day="' + day + '"]');
    if (!row) { return; }
    var body = row.closest('.traverse-panel-body'), toggle = box.querySelector('.traverse-days-panel .traverse-toggle');
    if (body && body.style.display === 'none' && toggle) { toggle.click(); }
    box.querySelectorAll('.traverse-day-row-hit').forEach(function (r) { L.DomUtil.removeClass(r, 'traverse-day-row-hit'); });
    L.DomUtil.addClass(row, 'traverse-day-row-hit');
    row.scrollIntoView({block: 'nearest'});
  }

  /* Select the stations of `day`: shown (time set to the day's end if needed), fitted, marked. */
  T.selectDay = function (tm, day) {
    var d = tm.days.filter(function (x) { return String(x.day) === String(day); })[0];
    if (d && tm.now !== null && tm.now < d.t1) { T.setTime(tm, d.t1); }
    var chosen = tm.stations.filter(function (m) { return String(m._info.day) === String(day); });
    tm.stations.forEach(function (m) {
      var el = m.getElement && m.getElement();
      if (el) { L.DomUtil[chosen.indexOf(m) >= 0 ? 'addClass' : 'removeClass'](el, 'traverse-selected'); }
    });
    if (chosen.length) {
      tm.map.fitBounds(L.latLngBounds(chosen.map(function (m) { return m.getLatLng(); })),
                       {paddingTopLeft: tm.fitPadding ? tm.fitPadding[0] : [40, 40],
                        paddingBottomRight: tm.fitPadding ? tm.fitPadding[1] : [40, 40], maxZoom: 21, animate: false});
    }
    return chosen.map(function (m) { return m._info.id; });
  };

  /* Clicks in map tm on copy buttons, day links (popup -> panel row) and a row's station count
   * (row -> stations); in the capture phase, as popups and panels stop clicks from bubbling. */
  T.addProductLinks = function (tm) {
    tm.map.getContainer().addEventListener('click', function (e) {
      var t = e.target && e.target.closest ? e.target : null;
      var button = t && t.closest('.traverse-copy'), day = t && t.closest('.traverse-day-link');
      var back = t && t.closest('.traverse-day-stations');
      if (button) { e.preventDefault(); copy(button.getAttribute('data-copy'), button); }
      if (day) { e.preventDefault(); showDayRow(tm, day.getAttribute('data-day')); }
      if (back) { e.preventDefault(); T.selectDay(tm, back.getAttribute('data-day')); }
    }, true);
  };
})(window.L, window.TraverseMap);
