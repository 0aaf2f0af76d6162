/* traverse: coordinates on the page: lon/lat text, lander ENU of a point, the cursor readout.
 *
 * T.lonLatText is the twin of layers/popups.py lonlat_text ("177.585544° E, 45.440391° S (Moon)").
 * T.enuAt gives lander ENU metres east/north of a lon/lat on the sphere through the lander
 * (body radius + lander height), the inverse of traverse.geodesy.enu_to_lonlat at the
 * lander's height.  The readout control's spec comes from layers/payload.py _controls
 * (`readout`: {lon, lat, height_m, name}, the lander site of the tables).
 */
(function (L, T) {
  'use strict';

  var RAD = Math.PI / 180;

  /* "177.585544° E, 45.440391° S (Moon)": six decimals (1e-6°, 3 cm on the Moon), W/S for negative, the body if given. */
  T.lonLatText = function (lat, lng, bodyName) {
    var lon = ((lng + 180) % 360 + 360) % 360 - 180;
    if (lon === -180) { lon = 180; }
    function part(v, pos, neg) {
      return Math.abs(v).toFixed(6) + '° ' + (Number(v.toFixed(6)) >= 0 ? pos : neg);
    }
    return part(lon, 'E', 'W') + ', ' + part(lat, 'N', 'S') + (bodyName ? ' (' + bodyName + ')' : '');
  };

  /* Body-fixed XYZ (metres) of lon/lat on a sphere of radius r. */
  function xyz(lat, lng, r) {
    var p = lat * RAD, l = lng * RAD;
    return [r * Math.cos(p) * Math.cos(l), r * Math.cos(p) * Math.sin(l), r * Math.sin(p)];
  }

  /* {e, n}: lander ENU metres of (lat, lng) on the sphere through the lander of map tm. */
  T.enuAt = function (tm, lat, lng) {
    var s = tm.site, r = tm.body.radius_m + s.height_m;
    var a = xyz(lat, lng, r), o = xyz(s.lat, s.lon, r);
    var d = [a[0] - o[0], a[1] - o[1], a[2] - o[2]], p = s.lat * RAD, l = s.lon * RAD;
    return {e: -Math.sin(l) * d[0] + Math.cos(l) * d[1],
            n: -Math.sin(p) * Math.cos(l) * d[0] - Math.sin(p) * Math.sin(l) * d[1] + Math.cos(p) * d[2]};
  };

  /* "lon/lat (body) · lander ENU 12.3 E, -4.5 N m" of a point, for popups (text, not HTML). */
  T.positionText = function (tm, lat, lng) {
    var text = T.lonLatText(lat, lng, tm.body.name);
    if (!tm.site) { return text; }
    var enu = T.enuAt(tm, lat, lng);
    return text + ' · lander ENU ' + enu.e.toFixed(1) + ' E, ' + enu.n.toFixed(1) + ' N m';
  };

  /* The cursor readout (top left): lon/lat of the mouse and its lander E/N metres. */
  T.addReadout = function (tm, spec) {
    tm.site = spec;
    var Readout = L.Control.extend({
      options: {position: 'topleft'},
      onAdd: function () {
        var div = L.DomUtil.create('div', 'traverse-panel traverse-readout');
        div.title = 'cursor: longitude/latitude, and metres east/north of the ' + spec.name;
        var ll = T.el('div', 'traverse-readout-lonlat', div, 'move the mouse over the map');
        var en = T.el('div', 'traverse-readout-enu', div);
        tm.map.on('mousemove', function (ev) {
          var enu = T.enuAt(tm, ev.latlng.lat, ev.latlng.lng);
          ll.textContent = T.lonLatText(ev.latlng.lat, ev.latlng.lng, tm.body.name);
          en.textContent = 'E ' + enu.e.toFixed(1) + ' m, N ' + enu.n.toFixed(1) + ' m from the ' + spec.name;
        });
        return div;
      }
    });
    new Readout().addTo(tm.map);
  };
})(window.L, window.TraverseMap);
