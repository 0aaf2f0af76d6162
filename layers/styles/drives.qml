<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<!-- Drives between stations: solid where the LPR track gives the path, dashed where inferred;
     gaps (kind "gap": no data, a straight lower bound, never a drive) dotted grey. -->
<qgis version="3.22.0" styleCategories="Symbology|Labeling|MapTips" labelsEnabled="0">
 <renderer-v2 type="categorizedSymbol" attr="if(&quot;kind&quot; = 'gap', 'gap', &quot;source&quot;)" symbollevels="0" forceraster="0" enableorderby="0" referencescale="-1">
  <categories>
   <category value="lpr" symbol="0" label="Drive (LPR track)" render="true"/>
   <category value="inferred" symbol="1" label="Drive (inferred, straight)" render="true"/>
   <category value="gap" symbol="3" label="Gap: no data (straight, at least)" render="true"/>
   <category value="" symbol="2" label="Drive (other source)" render="true"/>
  </categories>
  <symbols>
   <symbol type="line" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <prop k="line_color" v="35,35,35,255"/>
     <prop k="line_style" v="solid"/>
     <prop k="line_width" v="0.6"/>
     <prop k="line_width_unit" v="MM"/>
     <prop k="capstyle" v="round"/>
     <prop k="joinstyle" v="round"/>
    </layer>
   </symbol>
   <symbol type="line" name="1" alpha="1" clip_to_extent="1" force_rhr="0">
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <prop k="line_color" v="35,35,35,255"/>
     <prop k="line_style" v="dash"/>
     <prop k="line_width" v="0.6"/>
     <prop k="line_width_unit" v="MM"/>
     <prop k="capstyle" v="flat"/>
     <prop k="joinstyle" v="round"/>
    </layer>
   </symbol>
   <symbol type="line" name="2" alpha="1" clip_to_extent="1" force_rhr="0">
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <prop k="line_color" v="35,35,35,255"/>
     <prop k="line_style" v="dot"/>
     <prop k="line_width" v="0.6"/>
     <prop k="line_width_unit" v="MM"/>
    </layer>
   </symbol>
   <symbol type="line" name="3" alpha="0.9" clip_to_extent="1" force_rhr="0">
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <prop k="line_color" v="128,128,128,255"/>
     <prop k="line_style" v="dot"/>
     <prop k="line_width" v="0.8"/>
     <prop k="line_width_unit" v="MM"/>
     <prop k="capstyle" v="round"/>
     <prop k="joinstyle" v="round"/>
    </layer>
   </symbol>
  </symbols>
 </renderer-v2>
 <blendMode>0</blendMode>
 <featureBlendMode>0</featureBlendMode>
 <layerGeometryType>1</layerGeometryType>
 <mapTip>[% CASE WHEN "kind" = 'gap' THEN '&lt;b>Gap (no data)&lt;/b>: at least ' || round("length_2d_m", 1) || ' m, no drive known' ELSE '&lt;b>Drive ' || "drive_id" || '&lt;/b>: ' || round("length_2d_m", 2) || ' m (' || "source" || ')' END %], $day_title [% "$day_column" %]&lt;br>[% format_date("start_utc", 'yyyy-MM-dd hh:mm') %] to [% format_date("end_utc", 'yyyy-MM-dd hh:mm') %] UTC[% CASE WHEN attribute($currentfeature, 'radargrams') IS NOT NULL THEN array_to_string(array_foreach(string_to_array(attribute($currentfeature, 'radargrams'), ';'), '&lt;br>radargram (along-track metres across, two-way time down)&lt;br>&lt;img src="file://' || file_path(layer_property(@layer, 'path')) || '/' || @element || '" width="320" height="200">'), '') END %]</mapTip>
</qgis>
