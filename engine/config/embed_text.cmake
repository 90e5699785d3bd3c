# Writes OUTPUT from TEMPLATE with the content of INPUT embedded in a C++
# raw string literal. Run at build time (cmake -P) so that editing INPUT
# regenerates OUTPUT without re-running the configure step.
#   cmake -DINPUT=... -DTEMPLATE=... -DOUTPUT=... -DSOURCE_NAME=... -P embed_text.cmake
cmake_minimum_required(VERSION 3.25)
foreach(var INPUT TEMPLATE OUTPUT SOURCE_NAME)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "embed_text.cmake: ${var} is not set")
  endif()
endforeach()

set(EMBED_DELIMITER "navette_embed")
file(READ "${INPUT}" EMBED_CONTENT)
string(FIND "${EMBED_CONTENT}" ")${EMBED_DELIMITER}\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw string delimiter )${EMBED_DELIMITER}\"")
endif()
set(EMBED_SOURCE_NAME "${SOURCE_NAME}")
# @ONLY: the YAML may contain ${...}, which must stay as written.
configure_file("${TEMPLATE}" "${OUTPUT}" @ONLY)
