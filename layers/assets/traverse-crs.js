/* traverse: the body's Leaflet CRS (base map projection).
 *
 * TraverseMap.bodyCrs(body) is EPSG:3857 on the body's sphere (body.radius_m:
 * the Moon's 1 737 400 m for Chang'e-4, Mars's 3 396 190 m for Tianwen-1, from
 * the payload's `body`): same tile grid (tile z/x/y covers the same lon/lat as
 * on Earth), but projection, transformation and haversine distance use the
 * body's radius, so the scale bar and map.distance() give lunar (Martian)
 * metres.  See traverse.geodesy.web_mercator_crs for the Python twin.
 *
 * Every traverse-*.js module registers pure functions on window.TraverseMap;
 * state lives in the per-map object `tm` made by TraverseMap.create
 * (traverse-page.js), never on TraverseMap itself (frozen once loaded).
 */
(function (L, T) {
  'use strict';

  T.layerBuilders = T.layerBuilders || {};

  /* A Leaflet CRS: spherical Mercator with radius body.radius_m (metres). */
  T.bodyCrs = function (body) {
    var R = body.radius_m, HALF = Math.PI * R, s = 0.5 / HALF;
    var projection = L.extend({}, L.Projection.SphericalMercator, {
      R: R,
      bounds: L.bounds([-HALF, -HALF], [HALF, HALF])
    });
    return L.extend({}, L.CRS.EPSG3857, {
      code: body.crs + '-PseudoMercator',
      projection: projection,
      transformation: L.transformation(s, 0.5, -s, 0.5),
      R: R
    });
  };

  /* An element of class `cls` in `parent`, with `text` (as text, never HTML) if given. */
  T.el = function (tag, cls, parent, text) {
    var e = L.DomUtil.create(tag, cls || '', parent);
    if (text !== undefined) { e.textContent = text; }
    return e;
  };

  /* A map control at `position`: a box of class 'traverse-panel `cls`' whose clicks and scrolls stay
   * off the map; fill(div) draws its content. */
  T.panelControl = function (tm, position, cls, fill) {
    var Control = L.Control.extend({
      options: {position: position},
      onAdd: function () {
        var div = L.DomUtil.create('div', 'traverse-panel ' + cls);
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        fill(div);
        return div;
      }
    });
    return new Control().addTo(tm.map);
  };

  /* A link titled `title` (' ▾' open, ' ▸' shut) that folds a body of class `bodyCls` under it in `div`;
   * open at first if `open`.  Returns the body. */
  T.foldable = function (div, title, bodyCls, open) {
    var toggle = T.el('a', 'traverse-toggle', div, ''), body = T.el('div', bodyCls, div);
    toggle.href = '#';
    function show(yes) {
      body.style.display = yes ? '' : 'none';
      toggle.textContent = title + (yes ? ' ▾' : ' ▸');
    }
    show(!!open);
    toggle.addEventListener('click', function (e) {
      e.preventDefault();
      show(body.style.display === 'none');
    });
    return body;
  };

  /* 'YYYY-MM-DD HH:MM' (UTC) of ms since 1970. */
  T.isoDate = function (t) { return new Date(t).toISOString().slice(0, 16).replace('T', ' '); };
})(window.L, window.TraverseMap = window.TraverseMap || {});
