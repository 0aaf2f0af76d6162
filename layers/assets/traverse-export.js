/* traverse: export from the page, no server, no network: the visible layers as GeoJSON and
 * the map view as PNG, downloaded through a Blob.
 *
 * GeoJSON: every feature of every overlay switched on in the layer control and shown at the
 * control's time (the time control hides the rest), as Leaflet's toGeoJSON gives it
 * (lon/lat degrees on the map's body: the file's `crs_note` names its CRS), with `layer`,
 * its overlay's name, and `time_ms` where the feature has a time.
 * PNG: the map as drawn, at the window's size: raster overlays (warped basemaps), the canvas
 * layers and the SVG of the traverse, in that order, and the lander.  Limits: tiles of tile
 * services are left out (another origin: they would taint the canvas), as are the controls,
 * popups and tooltips.
 */
(function (L, T) {
  'use strict';

  function download(blob, name) {
    var a = T.el('a', '', document.body);
    a.href = URL.createObjectURL(blob);
    a.download = name;
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  /* {type: 'FeatureCollection', ...} of the visible features of map tm. */
  T.visibleGeoJSON = function (tm) {
    var features = [], times = new Map();
    tm.timed.forEach(function (e) { times.set(e.layer, e.t); });
    Object.keys(tm.overlays).forEach(function (name) {
      var group = tm.overlays[name];
      if (!tm.map.hasLayer(group)) { return; }
      group.eachLayer(function (l) {
        if (l._traverseHidden || !l.toGeoJSON) { return; }
        var f = l.toGeoJSON(7), t = times.get(l);
        f.properties = {layer: name.replace(/<[^>]*>/g, '')};
        if (t !== undefined && isFinite(t)) { f.properties.time_ms = t; f.properties.time_utc = T.isoDate(t); }
        features.push(f);
      });
    });
    return {type: 'FeatureCollection', crs_note: 'lon/lat degrees on ' + tm.body.name + ' (' + tm.body.crs + ')',
            features: features};
  };

  function loaded(src) {
    return new Promise(function (resolve, reject) {
      var img = new Image();
      img.onload = function () { resolve(img); };
      img.onerror = reject;
      img.src = src;
    });
  }

  /* The SVG of the overlay pane without the hidden paths, as an image source. */
  function svgSource(svg) {
    var copy = svg.cloneNode(true);
    Array.prototype.forEach.call(copy.querySelectorAll('.traverse-hidden'), function (e) { e.remove(); });
    copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
    copy.removeAttribute('style');  // Leaflet's CSS transform places the element, not its drawing
    return 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(new XMLSerializer().serializeToString(copy));
  }

  /* A Promise of a canvas of map tm's view (see the limits above). */
  T.viewCanvas = function (tm) {
    var box = tm.map.getContainer().getBoundingClientRect(), size = tm.map.getSize();
    var canvas = document.createElement('canvas'), ctx = canvas.getContext('2d');
    canvas.width = size.x;
    canvas.height = size.y;
    ctx.fillStyle = '#808080';
    ctx.fillRect(0, 0, size.x, size.y);
    var pane = tm.map.getPanes().overlayPane, parts = [];
    pane.querySelectorAll('img.leaflet-image-layer').forEach(function (e) { parts.push([e, e.src]); });
    pane.querySelectorAll('canvas').forEach(function (e) { parts.push([e, null]); });
    pane.querySelectorAll('svg').forEach(function (e) { parts.push([e, svgSource(e)]); });
    return Promise.all(parts.map(function (p) { return p[1] ? loaded(p[1]) : Promise.resolve(p[0]); }))
      .then(function (images) {
        images.forEach(function (img, k) {
          var r = parts[k][0].getBoundingClientRect();
          ctx.drawImage(img, r.left - box.left, r.top - box.top, r.width, r.height);
        });
        document.querySelectorAll('.traverse-lander-icon').forEach(function (e) {
          var r = e.getBoundingClientRect(), x = (r.left + r.right) / 2 - box.left, y = (r.top + r.bottom) / 2 - box.top;
          ctx.fillStyle = '#ffd700';
          ctx.strokeStyle = '#000';
          ctx.lineWidth = 2;
          ctx.beginPath();
          ctx.moveTo(x, y - 10); ctx.lineTo(x + 10, y); ctx.lineTo(x, y + 10); ctx.lineTo(x - 10, y); ctx.closePath();
          ctx.fill();
          ctx.stroke();
        });
        return canvas;
      });
  };

  /* A Promise of the PNG data URL of map tm's view. */
  T.viewPng = function (tm) {
    return T.viewCanvas(tm).then(function (canvas) { return canvas.toDataURL('image/png'); });
  };

  /* The export buttons (top left): GeoJSON of the visible layers, PNG of the view. */
  T.addExport = function (tm, spec) {
    var stem = spec.file_stem || 'traverse';
    var Export = L.Control.extend({
      options: {position: 'topleft'},
      onAdd: function () {
        var div = L.DomUtil.create('div', 'traverse-panel traverse-export');
        L.DomEvent.disableClickPropagation(div);
        T.el('span', '', div, 'Export: ');
        var geo = T.el('a', 'traverse-export-geojson', div, 'GeoJSON');
        T.el('span', '', div, ' · ');
        var png = T.el('a', 'traverse-export-png', div, 'PNG');
        geo.href = png.href = '#';
        geo.title = 'the layers shown, at the time shown, as GeoJSON (lon/lat on ' + tm.body.name + ')';
        png.title = 'the map view as PNG (without online tiles, controls and popups)';
        geo.addEventListener('click', function (e) {
          e.preventDefault();
          download(new Blob([JSON.stringify(T.visibleGeoJSON(tm))], {type: 'application/geo+json'}),
                   stem + '.geojson');
        });
        png.addEventListener('click', function (e) {
          e.preventDefault();
          T.viewCanvas(tm).then(function (canvas) {
            canvas.toBlob(function (blob) { download(blob, stem + '.png'); }, 'image/png');
          });
        });
        return div;
      }
    });
    new Export().addTo(tm.map);
  };
})(window.L, window.TraverseMap);
