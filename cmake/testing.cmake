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

# navette_test_proto(TARGET PROTO): a library of the C++ code protoc generates
# for a test-only .proto (PROTO relative to the source root), so that only the
# tests that link it carry its messages. Generated code is kept apart from
# navette_options' warnings.
function(navette_test_proto target proto)
  if(NOT NAVETTE_BUILD_TESTS)
    return()
  endif()
  string(REGEX REPLACE "\\.proto$" "" stem ${proto})
  set(generated_h ${PROJECT_BINARY_DIR}/${stem}.pb.h)
  set(generated_cc ${PROJECT_BINARY_DIR}/${stem}.pb.cc)
  add_custom_command(
    OUTPUT ${generated_h} ${generated_cc}
    COMMAND protobuf::protoc --cpp_out=${PROJECT_BINARY_DIR} -I${PROJECT_SOURCE_DIR} ${proto}
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    DEPENDS ${PROJECT_SOURCE_DIR}/${proto} protobuf::protoc
    COMMENT "protoc ${proto}"
    VERBATIM)
  add_library(${target} STATIC ${generated_cc})
  target_include_directories(${target} PUBLIC ${PROJECT_BINARY_DIR})
  target_link_libraries(${target} PUBLIC protobuf::libprotobuf)
endfunction()
