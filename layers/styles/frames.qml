<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<!-- Frames (one per product or LPR record): small, faint grey dots, context only.
     The map tip shows the product, its time and view azimuth and, where the build wrote one, its
     thumbnail: "thumbnail" is relative to the GeoPackage's folder, found with layer_property. -->
<qgis version="3.22.0" styleCategories="Symbology|Labeling|MapTips" labelsEnabled="0">
 <renderer-v2 type="singleSymbol" symbollevels="0" forceraster="0" enableorderby="0" referencescale="-1">
  <symbols>
   <symbol type="marker" name="0" alpha="0.35" clip_to_extent="1" force_rhr="0">
    <layer class="SimpleMarker" enabled="1" locked="0" pass="0">
     <prop k="name" v="circle"/>
     <prop k="color" v="110,110,110,255"/>
     <prop k="outline_style" v="no"/>
     <prop k="size" v="1"/>
     <prop k="size_unit" v="MM"/>
    </layer>
   </symbol>
  </symbols>
 </renderer-v2>
 <blendMode>0</blendMode>
 <featureBlendMode>0</featureBlendMode>
 <layerGeometryType>0</layerGeometryType>
 <mapTip>&lt;b>[% "product_id" %]&lt;/b>&lt;br>[% format_date("time_utc", 'yyyy-MM-dd hh:mm:ss') %] UTC[% CASE WHEN "view_azimuth_deg" IS NOT NULL THEN ', azimuth ' || round("view_azimuth_deg", 1) || '°' END %][% CASE WHEN "thumbnail" IS NOT NULL THEN '&lt;br>&lt;img src="file://' || file_path(layer_property(@layer, 'path')) || '/' || "thumbnail" || '" width="256">' END %]</mapTip>
</qgis>
