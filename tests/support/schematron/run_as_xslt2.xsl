<?xml version="1.0" encoding="UTF-8"?>
<!-- Step 4 of compile_schematron.sh: the generated stylesheet is marked
     XSLT 2.0 (see xslt1_binding.xsl), and given the .sch's own location as
     its base URI, because the ANS rules read their value sets with
     document('../jeuxDeValeurs/...') and doc('include/voc-...'), paths relative
     to the schematron, while the compiled stylesheet lives in the build tree. -->
<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:param name="base" required="yes"/>
  <xsl:template match="@* | node()">
    <xsl:copy><xsl:apply-templates select="@* | node()"/></xsl:copy>
  </xsl:template>
  <xsl:template match="/xsl:stylesheet">
    <xsl:copy>
      <xsl:apply-templates select="@* except @version"/>
      <xsl:attribute name="version">2.0</xsl:attribute>
      <xsl:attribute name="xml:base" select="$base"/>
      <xsl:apply-templates select="node()"/>
    </xsl:copy>
  </xsl:template>
</xsl:stylesheet>
