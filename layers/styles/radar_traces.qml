<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<!-- Radar traces (one per record drawn in a radargram): small dark-red dots on the drive line.
     The map tip shows the product, record, time, along-track metres and radargram column and, where
     the build wrote one, the radargram: "radargram" is relative to the GeoPackage's folder. -->
<qgis version="3.22.0" styleCategories="Symbology|Labeling|MapTips" labelsEnabled="0">
 <renderer-v2 type="singleSymbol" symbollevels="0" forceraster="0" enableorderby="0" referencescale="-1">
  <symbols>
   <symbol type="marker" name="0" alpha="0.8" clip_to_extent="1" force_rhr="0">
    <layer class="SimpleMarker" enabled="1" locked="0" pass="0">
     <prop k="name" v="circle"/>
     <prop k="color" v="150,30,30,255"/>
     <prop k="outline_style" v="no"/>
     <prop k="size" v="1.2"/>
     <prop k="size_unit" v="MM"/>
    </layer>
   </symbol>
  </symbols>
 </renderer-v2>
 <blendMode>0</blendMode>
 <featureBlendMode>0</featureBlendMode>
 <layerGeometryType>0</layerGeometryType>
 <mapTip>&lt;b>[% "product" %]&lt;/b> record [% "record" %]&lt;br>[% format_date("time_utc", 'yyyy-MM-dd hh:mm:ss') %] UTC, [% round("along_m", 2) %] m along drive [% "drive_id" %], column [% "column" %][% CASE WHEN "radargram" IS NOT NULL THEN '&lt;br>&lt;img src="file://' || file_path(layer_property(@layer, 'path')) || '/' || "radargram" || '" height="256">' END %]</mapTip>
</qgis>
