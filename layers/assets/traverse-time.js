/* traverse: the time control of a map: what is shown at a moment, the slider, the day jump,
 * play/pause, and under them the search box (traverse-search.js).
 *
 * Features register with T.timed (traverse-features.js); the spec comes from
 * layers/timeline.py timeline_spec: {start, end, days: [{day, t0, t1, color}]}, ms UTC.
 */
(function (L, T) {
  'use strict';

  /* Show or hide one timed layer: an SVG path by a class, a canvas path (no element) by its
   * style and hit testing; applied again whenever the layer is (re)added to the map. */
  T.showLayer = function (layer, on) {
    layer._traverseHidden = !on;
    var el = layer.getElement && layer.getElement(), r = layer._renderer || layer.options.renderer;
    if (el) {
      if (on) { L.DomUtil.removeClass(el, 'traverse-hidden'); } else { L.DomUtil.addClass(el, 'traverse-hidden'); }
    } else if (r instanceof L.Canvas && layer._traverseOn !== on) {
      var o = layer._traverseStyle = layer._traverseStyle || {opacity: layer.options.opacity,
        fillOpacity: layer.options.fillOpacity, interactive: layer.options.interactive};
      layer.options.interactive = on && o.interactive;
      layer.setStyle(on ? {opacity: o.opacity, fillOpacity: o.fillOpacity} : {opacity: 0, fillOpacity: 0});
      layer._traverseOn = on;
    }
  };
  var setVisible = T.showLayer;

  /* Show map tm's traverse as it was at time t (ms UTC); the local day (lunar day, sol) of t is highlighted.
   * Returns that day (null before the first). */
  T.setTime = function (tm, t) {
    tm.now = t;
    var day = null;
    tm.days.forEach(function (d) {
      if (d.t0 !== null && d.t0 <= t) { day = d.day; }
    });
    tm.timed.forEach(function (e) { setVisible(e.layer, e.t <= t); });
    tm.dayLines.forEach(function (line) {
      var el = line.getElement && line.getElement();
      if (el) {
        if (line._day === day) { L.DomUtil.addClass(el, 'traverse-current-day'); } else { L.DomUtil.removeClass(el, 'traverse-current-day'); }
      }
    });
    tm.onTime.forEach(function (f) { f(t, day); });
    return day;
  };

  /* The ids of map tm's stations visible at the current time (for the search and tests). */
  T.visibleStations = function (tm) {
    return tm.stations.filter(function (m) { return !m._traverseHidden; })
      .map(function (m) { return m._info.id; });
  };

  function playButton(tm, play, slider, spec) {
    var timer = null;
    function stop() { clearInterval(timer); timer = null; play.textContent = '▶'; }
    play.addEventListener('click', function () {
      if (timer) { stop(); return; }
      var t = Number(slider.value) >= spec.end ? spec.start : Number(slider.value);
      play.textContent = '❚❚';
      timer = setInterval(function () {
        t = Math.min(spec.end, t + (spec.end - spec.start) / 300);
        T.setTime(tm, t);
        if (t >= spec.end) { stop(); }
      }, 50);
    });
  }

  function timeControl(tm, div, spec) {
    var dayName = tm.body.day_name;
    var row = T.el('div', 'traverse-timeline-row', div);
    var play = T.el('button', 'traverse-play', row, '▶');
    play.type = 'button';
    play.title = 'play / pause';
    var slider = T.el('input', 'traverse-slider', row);
    slider.type = 'range';
    slider.min = spec.start;
    slider.max = spec.end;
    slider.step = 60000;  // one minute
    slider.value = spec.end;
    var select = T.el('select', 'traverse-day-select', row);
    T.el('option', '', select, 'all ' + dayName + 's').value = '';
    spec.days.forEach(function (d) { T.el('option', '', select, dayName + ' ' + d.day).value = d.day; });
    var label = T.el('div', 'traverse-time-label', div);
    tm.onTime.push(function (t, day) {
      slider.value = t;
      label.textContent = T.isoDate(t) + ' UTC' + (day !== null ? ' · ' + dayName + ' ' + day : '') +
        ' · ' + T.visibleStations(tm).length + ' stations';
    });
    slider.addEventListener('input', function () { T.setTime(tm, Number(slider.value)); });
    select.addEventListener('change', function () {
      var d = spec.days.filter(function (x) { return String(x.day) === select.value; })[0];
      T.setTime(tm, d ? d.t1 : spec.end);
    });
    playButton(tm, play, slider, spec);
  }

  /* The time control (bottom left): a slider over the mission (by date), a jump to a local day (lunar day or sol, tm.body.day_name),
   * play/pause, and the search box (T.searchBox: a station, a product or a position). */
  T.addTimeline = function (tm, spec) {
    tm.days = spec.days;
    T.panelControl(tm, 'bottomleft', 'traverse-timeline', function (div) {
      timeControl(tm, div, spec);
      T.searchBox(tm, div, spec);  // traverse-search.js
    });
    T.setTime(tm, spec.end);
  };
})(window.L, window.TraverseMap);
