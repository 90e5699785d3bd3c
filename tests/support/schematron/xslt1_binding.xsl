<?xml version="1.0" encoding="UTF-8"?>
<!-- Step 3a of compile_schematron.sh. The ANS schematrons declare
     queryBinding="xslt2"; the ISO skeleton python3-lxml ships only accepts the
     XSLT 1 binding and refuses any other. Their expressions are XPath 2.0: the
     skeleton copies them verbatim, and run_as_xslt2.xsl then marks the
     generated stylesheet as XSLT 2.0, so that Saxon evaluates them as such. -->
<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:sch="http://purl.oclc.org/dsdl/schematron">
  <xsl:template match="@* | node()">
    <xsl:copy><xsl:apply-templates select="@* | node()"/></xsl:copy>
  </xsl:template>
  <xsl:template match="/sch:schema/@queryBinding">
    <xsl:attribute name="queryBinding">xslt</xsl:attribute>
  </xsl:template>
</xsl:stylesheet>
