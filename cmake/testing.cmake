# navette_add_test(NAME SOURCES a.cc b.cc LIBS lib1 lib2 LABELS unit [TIMEOUT s])
# Builds one GoogleTest executable and registers its tests with CTest.
# One label per test: unit, e2e or slow (gtest_discover_tests cannot carry a
# list of labels). `ctest -LE slow` is the quick run; CI runs everything.
function(navette_add_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  if(NOT NAVETTE_BUILD_TESTS)
    return()
  endif()
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main GTest::gmock navette_options)
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  gtest_discover_tests(${name}
    PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT}
    DISCOVERY_TIMEOUT 30)
endfunction()
