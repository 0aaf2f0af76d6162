/* traverse: the per-day panel of a map (bottom right): legend, per-day table and total, already
 * escaped HTML from layers/daypanel.py; collapsible, it starts collapsed for long missions
 * (spec.collapsed) and in a window smaller than SMALL_SCREEN (the path keeps the room). */
(function (L, T) {
  'use strict';

  var SMALL_SCREEN = {x: 1200, y: 800};

  T.addPanel = function (tm, spec) {
    var size = tm.map.getSize(), small = size.x < SMALL_SCREEN.x || size.y < SMALL_SCREEN.y;
    var Panel = L.Control.extend({
      onAdd: function () {
        var div = L.DomUtil.create('div', 'traverse-panel traverse-days-panel');
        var toggle = T.el('a', 'traverse-toggle', div, '');
        toggle.href = '#';
        var body = T.el('div', 'traverse-panel-body', div);
        body.innerHTML = spec.html;
        function show(open) {
          body.style.display = open ? '' : 'none';
          toggle.textContent = (spec.title || 'Days') + (open ? ' ▾' : ' ▸');
        }
        show(!spec.collapsed && !small);
        toggle.addEventListener('click', function (e) {
          e.preventDefault();
          show(body.style.display === 'none');
        });
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
      }
    });
    new Panel({position: spec.position || 'bottomright'}).addTo(tm.map);
  };
})(window.L, window.TraverseMap);
