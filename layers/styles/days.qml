<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<!-- Path of each lunar day, one colour per day present ($n_days days); filled in by layers/styles.py. -->
<qgis version="3.22.0" styleCategories="Symbology|Labeling" labelsEnabled="0">
 <renderer-v2 type="categorizedSymbol" attr="$day_column" symbollevels="0" forceraster="0" enableorderby="0" referencescale="-1">
  <categories>
$categories
  </categories>
  <symbols>
$symbols
  </symbols>
 </renderer-v2>
 <blendMode>0</blendMode>
 <featureBlendMode>0</featureBlendMode>
 <layerGeometryType>1</layerGeometryType>
</qgis>
