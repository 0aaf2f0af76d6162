/* traverse: base layers of the map: tile services and warped rasters (layer kinds 'tiles', 'image').
 *
 * Payload (layers/payload.py _base_layers): tiles {tiling: 'mercator' | 'equirectangular',
 * url, attribution, max_level}; image {url (PNG data URI on the Mercator grid), bounds
 * [[south, west], [north, east]] degrees, attribution (the raster's credit line, HTML-escaped)}.
 */
(function (L, T) {
  'use strict';

  /* Tiles of a plate-carree (equirectangular) WMTS such as NASA Moon Trek's
   * "EQ" sets, redrawn into the Mercator tile grid: level 0 is 2 x 1 tiles of
   * 256 px over 360 x 180 degrees, {z}/{y}/{x} = TileMatrix/TileRow/TileCol from
   * the north-west corner.  Each Mercator tile is filled in 4-px rows, each row
   * cut from the source tile at its exact latitude range, so the error is a
   * fraction of a pixel at every zoom. */
  T.EquirectTiles = L.GridLayer.extend({
    options: {url: '', maxLevel: 7, rowPx: 4},

    /* The source tiles {z, row, col, deg} covering Mercator tile `coords` (whose corners are
     * nwLL, seLL); level = zoom - 1 (a 256-px source tile spans 180 / 2^level degrees). */
    sourceTiles: function (nwLL, seLL, z) {
      var level = Math.max(0, Math.min(this.options.maxLevel, z - 1));
      var deg = 180 / Math.pow(2, level), ncol = 2 * Math.pow(2, level), out = [];
      var col0 = Math.floor((nwLL.lng + 180) / deg), col1 = Math.floor((seLL.lng + 180) / deg - 1e-9);
      var row0 = Math.max(0, Math.floor((90 - nwLL.lat) / deg));
      var row1 = Math.min(ncol / 2 - 1, Math.floor((90 - seLL.lat) / deg - 1e-9));
      for (var row = row0; row <= row1; row++) {
        for (var col = col0; col <= col1; col++) {
          out.push({z: level, row: row, col: col, x: ((col % ncol) + ncol) % ncol, deg: deg});
        }
      }
      return out;
    },

    createTile: function (coords, done) {
      var size = this.getTileSize();
      var canvas = L.DomUtil.create('canvas', 'leaflet-tile');
      canvas.width = size.x;
      canvas.height = size.y;
      var map = this._map, z = coords.z;
      var nw = coords.scaleBy(size), se = nw.add(size);
      var ctx = canvas.getContext('2d'), self = this, pending = 1;
      var finish = function () { if (--pending === 0) { done(null, canvas); } };
      this.sourceTiles(map.unproject(nw, z), map.unproject(se, z), z).forEach(function (src) {
        pending++;
        var img = new Image();
        img.onload = function () { self.drawSource(ctx, img, src, nw, z, size); finish(); };
        img.onerror = finish;
        img.src = L.Util.template(self.options.url, {z: src.z, y: src.row, x: src.x});
      });
      L.Util.requestAnimFrame(finish);
      return canvas;
    },

    /* Draw source tile `img` into the Mercator tile whose north-west pixel is `nw` at zoom z. */
    drawSource: function (ctx, img, src, nw, z, size) {
      var map = this._map, w = img.width, h = img.height, step = this.options.rowPx, deg = src.deg;
      var lon0 = src.col * deg - 180, lat0 = 90 - src.row * deg;
      var x0 = map.project([0, lon0], z).x - nw.x;
      var x1 = map.project([0, lon0 + deg], z).x - nw.x;
      for (var y = 0; y < size.y; y += step) {
        var latA = map.unproject([nw.x, nw.y + y], z).lat;
        var latB = map.unproject([nw.x, nw.y + y + step], z).lat;
        var vA = (lat0 - latA) / deg * h, vB = (lat0 - latB) / deg * h;
        if (vB <= 0 || vA >= h) { continue; }
        var cA = Math.max(vA, 0), cB = Math.min(vB, h);
        var yA = y + (cA - vA) / (vB - vA) * step, yB = y + (cB - vA) / (vB - vA) * step;
        ctx.drawImage(img, 0, cA, w, cB - cA, x0, yA, x1 - x0, yB - yA);
      }
    }
  });

  T.layerBuilders.tiles = function (tm, group, spec) {
    if (spec.tiling === 'mercator') {
      L.tileLayer(spec.url, {attribution: spec.attribution, maxNativeZoom: spec.max_level, maxZoom: 24})
        .addTo(group);
    } else {
      new T.EquirectTiles({url: spec.url, maxLevel: spec.max_level, attribution: spec.attribution,
                           maxZoom: 24}).addTo(group);
    }
  };

  T.layerBuilders.image = function (tm, group, spec) {
    // attribution: the raster's credit line (escaped in the payload), shown in the map's corner
    L.imageOverlay(spec.url, spec.bounds, {className: 'traverse-basemap', attribution: spec.attribution || ''})
      .addTo(group);
  };
})(window.L, window.TraverseMap);
