<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<!-- Views (one wedge per camera frame): what the instrument saw, translucent, by instrument. -->
<qgis version="3.22.0" styleCategories="Symbology|Labeling|MapTips" labelsEnabled="0">
 <renderer-v2 type="categorizedSymbol" attr="instrument" symbollevels="0" forceraster="0" enableorderby="0" referencescale="-1">
  <categories>
   <category value="PCAM" symbol="0" label="PCAM (panoramic camera)" render="true"/>
   <category value="VNIS" symbol="1" label="VNIS (spectrometer)" render="true"/>
   <category value="TCAM" symbol="2" label="TCAM (lander terrain camera)" render="true"/>
  </categories>
  <symbols>
   <symbol type="fill" name="0" alpha="0.25" clip_to_extent="1" force_rhr="0">
    <layer class="SimpleFill" enabled="1" locked="0" pass="0">
     <prop k="color" v="31,119,180,255"/>
     <prop k="outline_color" v="31,119,180,255"/>
     <prop k="outline_width" v="0.2"/>
     <prop k="style" v="solid"/>
    </layer>
   </symbol>
   <symbol type="fill" name="1" alpha="0.35" clip_to_extent="1" force_rhr="0">
    <layer class="SimpleFill" enabled="1" locked="0" pass="0">
     <prop k="color" v="214,39,40,255"/>
     <prop k="outline_color" v="214,39,40,255"/>
     <prop k="outline_width" v="0.2"/>
     <prop k="style" v="solid"/>
    </layer>
   </symbol>
   <symbol type="fill" name="2" alpha="0.2" clip_to_extent="1" force_rhr="0">
    <layer class="SimpleFill" enabled="1" locked="0" pass="0">
     <prop k="color" v="255,215,0,255"/>
     <prop k="outline_color" v="150,120,0,255"/>
     <prop k="outline_width" v="0.2"/>
     <prop k="style" v="solid"/>
    </layer>
   </symbol>
  </symbols>
 </renderer-v2>
 <blendMode>0</blendMode>
 <featureBlendMode>0</featureBlendMode>
 <layerGeometryType>2</layerGeometryType>
 <mapTip>&lt;b>[% "product_id" %]&lt;/b>&lt;br>[% format_date("time_utc", 'yyyy-MM-dd hh:mm:ss') %] UTC, azimuth [% round("view_azimuth_deg", 1) %]°, field of view [% round("hfov_deg", 1) %]° ([% "view_source" %])[% with_variable('thumb', attribute(get_feature('frames', 'product_id', "product_id"), 'thumbnail'), CASE WHEN @thumb IS NOT NULL THEN '&lt;br>' || '&lt;img src="file://' || file_path(layer_property('frames', 'path')) || '/' || @thumb || '" height="160">' END) %]</mapTip>
</qgis>
