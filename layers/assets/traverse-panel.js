/* traverse: the per-day panel of a map (bottom right): legend, per-day table and total, already
 * escaped HTML from layers/daypanel.py; collapsible, it starts collapsed for long missions
 * (spec.collapsed) and in a window smaller than SMALL_SCREEN (the path keeps the room). */
(function (L, T) {
  'use strict';

  var SMALL_SCREEN = {x: 1200, y: 800};

  T.addPanel = function (tm, spec) {
    var size = tm.map.getSize(), small = size.x < SMALL_SCREEN.x || size.y < SMALL_SCREEN.y;
    T.panelControl(tm, spec.position || 'bottomright', 'traverse-days-panel', function (div) {
      T.foldable(div, spec.title || 'Days', 'traverse-panel-body', !spec.collapsed && !small).innerHTML = spec.html;
    });
  };
})(window.L, window.TraverseMap);
