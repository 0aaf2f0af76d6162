<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<!-- Frames (one per product or LPR record): small, faint grey dots, context only. -->
<qgis version="3.22.0" styleCategories="Symbology|Labeling" labelsEnabled="0">
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
</qgis>
