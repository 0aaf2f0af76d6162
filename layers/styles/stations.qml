<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<!-- Stations (rover stops): white dots with a dark ring, labelled with station_id. -->
<qgis version="3.22.0" styleCategories="Symbology|Labeling|MapTips" labelsEnabled="1">
 <renderer-v2 type="singleSymbol" symbollevels="0" forceraster="0" enableorderby="0" referencescale="-1">
  <symbols>
   <symbol type="marker" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
    <layer class="SimpleMarker" enabled="1" locked="0" pass="0">
     <prop k="name" v="circle"/>
     <prop k="color" v="255,255,255,255"/>
     <prop k="outline_color" v="30,30,30,255"/>
     <prop k="outline_style" v="solid"/>
     <prop k="outline_width" v="0.4"/>
     <prop k="outline_width_unit" v="MM"/>
     <prop k="size" v="2.6"/>
     <prop k="size_unit" v="MM"/>
    </layer>
   </symbol>
  </symbols>
 </renderer-v2>
 <labeling type="simple">
  <settings calloutType="simple">
   <text-style fieldName="station_id" isExpression="0" fontSize="8" fontSizeUnit="Point" textColor="20,20,20,255">
    <text-buffer bufferDraw="1" bufferSize="0.8" bufferSizeUnits="MM" bufferColor="255,255,255,255" bufferOpacity="0.8"/>
   </text-style>
   <placement placement="6" dist="1" distUnits="MM" predefinedPositionOrder="TR,TL,BR,BL,R,L,TSR,BSR"/>
   <rendering drawLabels="1" obstacle="1" displayAll="0"/>
  </settings>
 </labeling>
 <blendMode>0</blendMode>
 <featureBlendMode>0</featureBlendMode>
 <layerGeometryType>0</layerGeometryType>
 <mapTip>&lt;b>Station [% "station_id" %]&lt;/b>, $day_title [% "$day_column" %]&lt;br>[% format_date("first_utc", 'yyyy-MM-dd hh:mm') %] to [% format_date("last_utc", 'yyyy-MM-dd hh:mm') %] UTC, [% "n_frames" %] frames ([% "instruments" %])[% CASE WHEN "n_frames" > 0 THEN '&lt;br>' || array_to_string(array_slice(aggregate('frames', 'array_agg', '&lt;img src="file://' || file_path(layer_property('frames', 'path')) || '/' || "thumbnail" || '" height="96">', filter:="thumbnail" IS NOT NULL AND "time_utc" >= attribute(@parent, 'first_utc') AND "time_utc" &lt;= attribute(@parent, 'last_utc')), 0, 5), ' ') END %]</mapTip>
</qgis>
