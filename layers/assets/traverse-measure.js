/* traverse: the scale bar and the measure tool of a map.
 *
 * Measure tool: a ruler button under the zoom control.  While it is on, clicks
 * on the map add the vertices of a polyline (map features stop taking the
 * pointer, so a click on a station or the lander measures to it), and the
 * running total is the sum of map.distance() over the segments, i.e. haversine
 * on the CRS sphere: lunar (Martian) metres with TraverseMap.bodyCrs.  Escape or
 * a second click on the button ends and clears the measurement.  The total is
 * shown unrounded in data-metres of .traverse-measure-total.
 */
(function (L, T) {
  'use strict';

  var RULER = '<svg width="18" height="18" viewBox="0 0 18 18" aria-hidden="true">' +
    '<g transform="rotate(-45 9 9)"><rect x="0.5" y="5.5" width="17" height="7" rx="1" ' +
    'fill="#fff" stroke="#333"/><path d="M3.5 5.5v3M6.5 5.5v2M9 5.5v3M11.5 5.5v2M14.5 5.5v3" ' +
    'stroke="#333"/></g></svg>';

  function formatMetres(m) {
    return m < 1000 ? m.toFixed(1) + ' m' : (m / 1000).toFixed(3) + ' km';
  }

  T.Measure = L.Control.extend({
    options: {position: 'topleft', adjective: 'lunar'},

    onAdd: function (map) {
      var div = L.DomUtil.create('div', 'traverse-measure leaflet-bar');
      var button = this._button = L.DomUtil.create('a', 'traverse-measure-toggle', div);
      button.href = '#';
      button.innerHTML = RULER;
      button.title = 'Measure distance (' + this.options.adjective + ' metres)';
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

    _setActive: function (on) {
      var map = this._map, cls = on ? L.DomUtil.addClass : L.DomUtil.removeClass;
      this._active = on;
      cls(map.getContainer(), 'traverse-measuring');
      cls(this._button, 'active');
      this._button.setAttribute('aria-pressed', String(on));
      map[on ? 'on' : 'off']('click', this._onClick, this);
      map[on ? 'on' : 'off']('mousemove', this._onMove, this);
      L.DomEvent[on ? 'on' : 'off'](document, 'keydown', this._onKey, this);
      this._total.hidden = !on;
    },

    start: function () {
      var map = this._map;
      this._points = [];
      this._metres = 0;
      map.closePopup();
      this._dblZoom = map.doubleClickZoom.enabled();
      map.doubleClickZoom.disable();
      this._line = L.polyline([], {color: '#ff00ff', weight: 3, interactive: false,
        className: 'traverse-measure-line'}).addTo(this._layer);
      this._rubber = L.polyline([], {color: '#ff00ff', weight: 2, dashArray: '4 6',
        interactive: false}).addTo(this._layer);
      this._setActive(true);
      this._update(null);
    },

    stop: function () {
      if (!this._active) { return; }
      this._setActive(false);
      if (this._dblZoom) { this._map.doubleClickZoom.enable(); }
      this._layer.clearLayers();
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
      el.innerHTML = head + more + '<br><small>' + this.options.adjective +
        ' metres · Esc or ruler to clear</small>';
    }
  });

  T.addMeasure = function (tm) {
    new T.Measure({adjective: tm.body.adjective}).addTo(tm.map);
  };

  T.addScale = function (tm) {
    L.control.scale({metric: true, imperial: false, maxWidth: 300}).addTo(tm.map);
  };
})(window.L, window.TraverseMap);
