/* traverse: draw a map from its payload (layers/payload.py map_payloads).
 *
 * TraverseMap.create(element, payload) makes the map's own state object `tm`
 * ({map, body, site, products, timed, stations, dayLines, days, onTime, now, hovered, overlays}), draws
 * payload.layers in order with TraverseMap.layerBuilders[kind] (one feature
 * group each, listed in the layer control: `base` layers as radio buttons, the
 * first shown; overlays shown when `show`), adds payload.controls and fits the
 * view.  Two maps on one page share nothing but these functions.
 *
 * To add a map control: a module with T.addSomething(tm, spec), a field in
 * map_payloads' controls, and a line in CONTROLS below.
 */
(function (L, T) {
  'use strict';

  /* Controls in the order they are added (it decides their stacking in a corner). */
  var CONTROLS = [
    ['panel', function (tm, spec) { T.addPanel(tm, spec); }],
    ['timeline', function (tm, spec) { T.addTimeline(tm, spec); }],
    ['chart', function (tm, spec) { T.addChart(tm, spec); }],
    ['scale', function (tm) { T.addScale(tm); }],
    ['measure', function (tm) { T.addMeasure(tm); }],
    ['spectra', function (tm, spec) { T.addSpectra(tm, spec); }],
    ['readout', function (tm, spec) { T.addReadout(tm, spec); }],
    ['export', function (tm, spec) { T.addExport(tm, spec); }]
  ];

  function addLayers(tm, entries) {
    var base = {}, overlays = {}, nBase = 0;
    entries.forEach(function (entry) {
      var build = T.layerBuilders[entry.kind];
      if (!build) { throw new Error('traverse map: no builder for layer kind ' + entry.kind); }
      var group = L.featureGroup();
      build(tm, group, entry.data);
      if (entry.base) {
        base[entry.name] = group;
        if (nBase++ === 0) { group.addTo(tm.map); }
      } else {
        overlays[entry.name] = group;
        if (entry.show) { group.addTo(tm.map); }
      }
    });
    tm.overlays = overlays;
    L.control.layers(base, overlays, {position: 'topright', collapsed: false, autoZIndex: true})
      .addTo(tm.map);
  }

  T.create = function (element, payload) {
    var view = payload.view;
    var map = L.map(element, {center: view.center, zoom: view.zoom, crs: T.bodyCrs(payload.body),
                              zoomControl: true, preferCanvas: false});
    var tm = {map: map, body: payload.body, site: null, products: payload.products, timed: [], stations: [],
              dayLines: [], days: [], onTime: [], now: null, hovered: null, overlays: {}};
    tm.exportGeoJSON = function () { return T.visibleGeoJSON(tm); };
    tm.exportPng = function () { return T.viewPng(tm); };
    tm.setTime = function (t) { return T.setTime(tm, t); };
    tm.visibleStations = function () { return T.visibleStations(tm); };
    T.addLightbox(tm);
    T.addProductLinks(tm);
    addLayers(tm, payload.layers);
    CONTROLS.forEach(function (c) {
      var spec = payload.controls[c[0]];
      if (spec) { c[1](tm, spec); }
    });
    T.fitView(tm, view);
    return tm;
  };

  Object.freeze(T.layerBuilders);
  Object.freeze(T);  // modules hold no state here: each map's lives in its `tm`
})(window.L, window.TraverseMap);
