<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<!-- Targets (VNIS observed points): a thin line from the rover ending in a red dot. -->
<qgis version="3.22.0" styleCategories="Symbology|Labeling|MapTips" labelsEnabled="0">
 <renderer-v2 type="singleSymbol" symbollevels="0" forceraster="0" enableorderby="0" referencescale="-1">
  <symbols>
   <symbol type="line" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <prop k="line_color" v="214,39,40,255"/>
     <prop k="line_style" v="dot"/>
     <prop k="line_width" v="0.4"/>
     <prop k="line_width_unit" v="MM"/>
    </layer>
    <layer class="MarkerLine" enabled="1" locked="0" pass="0">
     <prop k="placement" v="lastvertex"/>
     <prop k="rotate" v="0"/>
     <symbol type="marker" name="@0@1" alpha="1" clip_to_extent="1" force_rhr="0">
      <layer class="SimpleMarker" enabled="1" locked="0" pass="0">
       <prop k="name" v="circle"/>
       <prop k="color" v="214,39,40,255"/>
       <prop k="outline_color" v="0,0,0,255"/>
       <prop k="size" v="2"/>
       <prop k="size_unit" v="MM"/>
      </layer>
     </symbol>
    </layer>
   </symbol>
  </symbols>
 </renderer-v2>
 <blendMode>0</blendMode>
 <featureBlendMode>0</featureBlendMode>
 <layerGeometryType>1</layerGeometryType>
 <mapTip>&lt;b>[% "product_id" %]&lt;/b>&lt;br>[% format_date("time_utc", 'yyyy-MM-dd hh:mm:ss') %] UTC, observed point [% round("distance_m", 2) %] m away, azimuth [% round("view_azimuth_deg", 1) %]°[% with_variable('thumb', attribute(get_feature('frames', 'product_id', "product_id"), 'thumbnail'), CASE WHEN @thumb IS NOT NULL THEN '&lt;br>' || '&lt;img src="file://' || file_path(layer_property('frames', 'path')) || '/' || @thumb || '" height="160">' END) %]</mapTip>
</qgis>
