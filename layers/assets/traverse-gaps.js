/* traverse: the gaps of the traverse web map.
 *
 * Needs Leaflet and traverse-map.js (window.TraverseMap: T.timed, the time control).
 * A gap is a jump of the rover no drive explains (layers/daypanel.py): a straight
 * segment whose length is a lower bound, never a drive.  Drawn dotted grey in its own
 * layer, with a tooltip saying which days have no data (already escaped HTML), and shown
 * by the time control from its arrival on, like the drives.
 */
(function (L, T) {
  'use strict';

  T.addGaps = function (group, gaps) {
    gaps.forEach(function (g, i) {
      T.timed(L.polyline(g.latlngs, {
        color: '#808080', weight: 3, opacity: 0.9, dashArray: '1 7', lineCap: 'round',
        className: 'traverse-gap traverse-gap-' + i
      }).bindTooltip(g.tooltip, {sticky: true}).addTo(group), g.t);
    });
  };
})(L, window.TraverseMap);
