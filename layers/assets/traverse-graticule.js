/* traverse: the graticule (layer kind 'graticule', an overlay off by default): lines of equal
 * longitude and latitude on the mission's body, labelled, at a round step suited to the zoom.
 *
 * The map's CRS is the body's spherical Mercator (traverse-crs.js), so meridians and parallels
 * are straight lines.  The step is 1, 2 or 5 x 10^k degrees, the smallest giving at most
 * spec.max_lines (5) lines over the view's smaller span in degrees (longitude or latitude;
 * the other gets more): 0.005° (150 m on the Moon) over the sample at 1400 x 900 px.
 * Labels say "177.595° E" / "45.440° S" with the step's decimals, longitudes along the top of
 * the view and latitudes along its left.
 * Drawn only while switched on, redrawn after each move; nothing is fetched.  The lines are
 * not features: the GeoJSON export leaves them out (the layer has no toGeoJSON).
 */
(function (L, T) {
  'use strict';

  var STEPS = [1, 2, 5];

  /* The step (degrees) of 1/2/5 x 10^k giving at most maxLines lines over `span` degrees. */
  T.graticuleStep = function (span, maxLines) {
    var exp = Math.floor(Math.log10(Math.max(span, 1e-9) / maxLines));
    for (var e = exp; e < exp + 2; e++) {
      for (var i = 0; i < STEPS.length; i++) {
        var step = STEPS[i] * Math.pow(10, e);
        if (span / step <= maxLines) { return step; }
      }
    }
    return 10 * Math.pow(10, exp + 1);
  };

  function decimals(step) { return Math.max(0, -Math.floor(Math.log10(step) + 1e-9)); }

  /* "177.5960° E", "45.4440° S": |value| with the step's decimals and the hemisphere letter. */
  T.graticuleLabel = function (value, step, positive, negative) {
    var d = decimals(step), text = Math.abs(value).toFixed(d);
    return text + '° ' + (Number(value.toFixed(d)) >= 0 ? positive : negative);
  };

  function label(group, latlng, text, cls) {
    L.marker(latlng, {interactive: false, keyboard: false, icon: L.divIcon({
      className: 'traverse-graticule-label ' + cls, html: '<span>' + T.escapeHtml(text) + '</span>', iconSize: null
    })}).addTo(group);
  }

  var Graticule = L.Layer.extend({
    initialize: function (spec) { this._spec = spec; },

    onAdd: function (map) {
      this._group = L.layerGroup().addTo(map);
      map.on('moveend', this._draw, this);
      this._draw();
    },

    onRemove: function (map) {
      map.off('moveend', this._draw, this);
      map.removeLayer(this._group);
    },

    _draw: function () {
      var map = this._map, b = map.getBounds(), g = this._group, style = {
        color: '#2a4d8f', weight: 1, opacity: 0.55, dashArray: '4 4', interactive: false,
        className: 'traverse-graticule-line'};
      var span = Math.min(b.getEast() - b.getWest(), b.getNorth() - b.getSouth());
      var step = T.graticuleStep(span, this._spec.max_lines || 5);
      var inset = map.containerPointToLatLng([6, 6]);  // labels a few pixels inside the top-left edge
      g.clearLayers();
      this.step = step;
      for (var i = Math.ceil(b.getWest() / step); i * step <= b.getEast(); i++) {
        var lng = i * step;
        L.polyline([[b.getSouth(), lng], [b.getNorth(), lng]], style).addTo(g);
        label(g, [inset.lat, lng], T.graticuleLabel(((lng + 540) % 360) - 180, step, 'E', 'W'),
              'traverse-graticule-lon');
      }
      for (var j = Math.ceil(b.getSouth() / step); j * step <= b.getNorth(); j++) {
        var lat = j * step;
        L.polyline([[lat, b.getWest()], [lat, b.getEast()]], style).addTo(g);
        label(g, [lat, inset.lng], T.graticuleLabel(lat, step, 'N', 'S'), 'traverse-graticule-lat');
      }
    }
  });

  T.layerBuilders.graticule = function (tm, group, spec) {
    tm.graticule = new Graticule(spec || {}).addTo(group);
  };
})(window.L, window.TraverseMap);
