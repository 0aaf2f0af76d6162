/* traverse: popup helpers and the image strip's larger view (lightbox).
 *
 * Popup HTML of stations, drives and the lander comes escaped from layers/popups.py;
 * text the page writes itself from label fields goes through TraverseMap.escapeHtml.
 * Product ids reach the page once, in payload.products (ids, and each one's escaped
 * description as an index into notes): a station's popup lists its own by index.
 * A click on a thumbnail of a popup's strip (.traverse-strip img) opens its larger
 * view (data-full) over the whole page; a click or Escape closes it.
 */
(function (L, T) {
  'use strict';

  var ENTITIES = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'};

  T.escapeHtml = function (text) {
    return String(text).replace(/[&<>"']/g, function (c) { return ENTITIES[c]; });
  };

  /* The list under a station's popup: st.products index tm.products; st.more are not listed
   * (drawn by T.productListHtml, traverse-products.js). */
  T.productList = function (tm, st) {
    return T.productListHtml(T.productItems(tm, st.products), st.more);
  };

  /* Give map `tm` its lightbox: tm.openImage(src, caption) and tm.closeImage(). */
  T.addLightbox = function (tm) {
    var box = null;

    function close() {
      if (box) { box.remove(); box = null; }
    }

    function open(src, caption) {
      close();
      box = T.el('div', 'traverse-lightbox', document.body);
      var img = T.el('img', '', box);
      img.src = src;
      img.alt = caption || '';
      T.el('div', 'traverse-lightbox-caption', box, caption || '');
      box.addEventListener('click', close);
      return img;
    }

    /* Popups stop clicks from bubbling to the map, so listen in the capture phase. */
    tm.map.getContainer().addEventListener('click', function (e) {
      var img = e.target && e.target.closest ? e.target.closest('.traverse-strip img') : null;
      if (!img) { return; }
      e.preventDefault();
      open(img.getAttribute('data-full') || img.src, img.title);
    }, true);
    document.addEventListener('keydown', function (e) {
      if (e.key === 'Escape') { close(); }
    });
    tm.openImage = open;
    tm.closeImage = close;
  };
})(window.L, window.TraverseMap);
