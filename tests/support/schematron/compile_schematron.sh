#!/bin/sh
# Compiles one ISO Schematron (queryBinding xslt2) into an XSLT 2.0 stylesheet
# that writes SVRL, with the ISO skeleton files python3-lxml ships
# (iso_dsdl_include -> iso_abstract_expand -> iso_svrl_for_xslt1), every step
# run by Saxon HE. See docs/cda-validation.md.
# Usage: compile_schematron.sh SAXON_JAR ISO_XSL_DIR SCHEMATRON.sch OUT.xsl
set -eu
saxon_jar=$1 iso=$2 sch=$3 out=$4
here=$(cd "$(dirname "$0")" && pwd)
sch_abs=$(cd "$(dirname "$sch")" && pwd)/$(basename "$sch")
work=$out.steps
mkdir -p "$work"
saxon() { java -cp "$saxon_jar" net.sf.saxon.Transform "$@"; }
saxon -s:"$sch_abs" -xsl:"$iso/iso_dsdl_include.xsl" -o:"$work/1-included.sch"
saxon -s:"$work/1-included.sch" -xsl:"$iso/iso_abstract_expand.xsl" -o:"$work/2-expanded.sch"
saxon -s:"$work/2-expanded.sch" -xsl:"$here/xslt1_binding.xsl" -o:"$work/3-binding.sch"
saxon -s:"$work/3-binding.sch" -xsl:"$iso/iso_svrl_for_xslt1.xsl" -o:"$work/4-svrl.xsl"
saxon -s:"$work/4-svrl.xsl" -xsl:"$here/run_as_xslt2.xsl" -o:"$out.tmp" base="file://$sch_abs"
mv "$out.tmp" "$out"
