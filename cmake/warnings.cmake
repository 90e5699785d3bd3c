# Compiler warnings and sanitizers, applied to navette's own targets through
# the navette_options interface library (never to third-party code).
add_library(navette_options INTERFACE)
target_compile_options(navette_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow=local -Wnon-virtual-dtor -Wimplicit-fallthrough)
if(NAVETTE_WERROR)
  target_compile_options(navette_options INTERFACE -Werror)
endif()
if(NAVETTE_SANITIZE)
  # Sanitizers must be on every object, including generated protobuf code, so
  # they are set globally rather than on navette_options.
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  # GCC 12 reports false maybe-uninitialized warnings inside libstdc++
  # (std::regex, std::function) once ASan instruments the code; the release
  # build keeps the warning, and there it has found real bugs.
  target_compile_options(navette_options INTERFACE -Wno-maybe-uninitialized)
  add_link_options(-fsanitize=address,undefined)
endif()
