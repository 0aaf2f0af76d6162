/* traverse: where the map opens: the traverse's bounds fitted into the part of the map no
 * control covers.
 *
 * The controls sit in the four corners.  T.fitView measures them once they are drawn and
 * tries two free areas: the middle column (between the left and the right controls, full
 * height) and the middle row (between the top and the bottom controls, full width); the
 * bounds go into the one that gives the larger zoom.  Either way no control covers the
 * path at load, whatever the window size (tests/test_map_reading.py measures it at
 * 1400 x 900 and 1024 x 768).  view: layers/payload.py _view ({bounds, padding_* as a floor}).
 */
(function (L, T) {
  'use strict';

  var MARGIN = 12;  // pixels between the path and a control

  /* Bounding boxes of the controls of each corner, relative to the map's container. */
  function cornerBoxes(map) {
    var box = map.getContainer().getBoundingClientRect(), out = {left: [], right: [], top: [], bottom: []};
    Object.keys(map._controlCorners).forEach(function (name) {
      Array.prototype.forEach.call(map._controlCorners[name].children, function (el) {
        var r = el.getBoundingClientRect();
        if (!r.width || !r.height) { return; }
        var b = {l: r.left - box.left, r: r.right - box.left, t: r.top - box.top, b: r.bottom - box.top};
        out[name.indexOf('left') >= 0 ? 'left' : 'right'].push(b);
        out[name.indexOf('top') === 0 ? 'top' : 'bottom'].push(b);
      });
    });
    return out;
  }

  function max(values, start) { return values.reduce(function (a, v) { return Math.max(a, v); }, start); }
  function min(values, start) { return values.reduce(function (a, v) { return Math.min(a, v); }, start); }

  /* The paddings [[left, top], [right, bottom]] of the column and of the row free of controls. */
  T.freeAreas = function (map) {
    var size = map.getSize(), c = cornerBoxes(map);
    var left = max(c.left.map(function (b) { return b.r; }), 0) + MARGIN;
    var right = size.x - min(c.right.map(function (b) { return b.l; }), size.x) + MARGIN;
    var top = max(c.top.map(function (b) { return b.b; }), 0) + MARGIN;
    var bottom = size.y - min(c.bottom.map(function (b) { return b.t; }), size.y) + MARGIN;
    return [[[left, MARGIN], [right, MARGIN]], [[MARGIN, top], [MARGIN, bottom]]];
  };

  /* Fit view.bounds into the free area that gives the larger zoom. */
  T.fitView = function (tm, view) {
    var map = tm.map, bounds = L.latLngBounds(view.bounds), size = map.getSize(), best = null;
    tm.area = bounds;  // the traverse's area (the search says whether a position lies in it)
    tm.popupPad = tm.popupPad || [5, 5];  // popups open below the top controls (traverse-features.js)
    tm.popupPad[1] = T.freeAreas(map)[1][0][1];
    T.freeAreas(map).forEach(function (pad) {
      var w = size.x - pad[0][0] - pad[1][0], h = size.y - pad[0][1] - pad[1][1];
      if (w < 40 || h < 40) { return; }
      var zoom = map.getBoundsZoom(bounds, false, L.point(pad[0][0] + pad[1][0], pad[0][1] + pad[1][1]));
      if (!best || zoom > best.zoom) { best = {zoom: zoom, pad: pad}; }
    });
    var pad = best ? best.pad : [view.padding_top_left, view.padding_bottom_right];
    map.fitBounds(bounds, {paddingTopLeft: pad[0], paddingBottomRight: pad[1], animate: false});
    tm.fitPadding = pad;
  };
})(window.L, window.TraverseMap);
