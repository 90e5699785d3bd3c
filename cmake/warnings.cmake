# Compiler warnings and sanitizers, applied to navette's own targets through
# the navette_options interface library (never to third-party code).
add_library(navette_options INTERFACE)
# clang (the fuzz build) spells GCC's -Wshadow=local differently.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  set(navette_shadow_warning -Wshadow=local)
else()
  set(navette_shadow_warning -Wshadow-uncaptured-local)
endif()
target_compile_options(navette_options INTERFACE
  -Wall -Wextra -Wpedantic ${navette_shadow_warning} -Wnon-virtual-dtor -Wimplicit-fallthrough)
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
if(NAVETTE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "NAVETTE_FUZZ needs clang: CXX=clang++ (scripts/fuzz sets it)")
  endif()
  # Coverage for the fuzzer and the sanitizers on every object the targets
  # link; each target adds -fsanitize=fuzzer (libFuzzer's main) itself.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
