# One precompiled header for every test executable. Parsing GoogleTest,
# GoogleMock, protobuf's generated messages, RocksDB and abseil took about
# half of a test file's compile time (7 s of 14), over some 400 test files,
# in each of CI's two builds. It holds only third-party and generated
# headers, which no test changes; the tests' own defines (NAVETTE_BINARY,
# fixture directories) are used by none of them, so GCC takes the one
# header for all (-Winvalid-pch, on with -Werror, would say otherwise).
if(NAVETTE_BUILD_TESTS)
  add_library(navette_test_pch OBJECT ${PROJECT_SOURCE_DIR}/tests/support/precompiled.cc)
  target_link_libraries(navette_test_pch PRIVATE navette_proto GTest::gtest GTest::gmock fmt::fmt
                                                 absl::status absl::statusor navette_options)
  target_precompile_headers(navette_test_pch PRIVATE
    <algorithm> <chrono> <filesystem> <functional> <map> <memory> <optional> <set> <string>
    <string_view> <thread> <vector>
    <gmock/gmock.h> <gtest/gtest.h> <fmt/format.h>
    <absl/status/status.h> <absl/status/statusor.h>
    <google/protobuf/message.h> <google/protobuf/util/json_util.h>
    <rocksdb/db.h>
    "${PROJECT_BINARY_DIR}/proto/config.pb.h" "${PROJECT_BINARY_DIR}/proto/envelope.pb.h"
    "${PROJECT_BINARY_DIR}/proto/document.pb.h")
endif()

# navette_add_test(NAME SOURCES a.cc b.cc LIBS lib1 lib2 LABELS unit [TIMEOUT s]
#                  [ONE_PROCESS])
# Builds one GoogleTest executable and registers its tests with CTest.
# One label per test: unit, e2e or slow (gtest_discover_tests cannot carry a
# list of labels). `ctest -LE slow` is the quick run; CI runs everything.
# ONE_PROCESS registers the executable as a single CTest test, so that a
# suite which starts its peers once (an engine, a browser driver) in
# SetUpTestSuite starts them once, not once per test; TIMEOUT is then the
# whole suite's.
function(navette_add_test name)
  cmake_parse_arguments(T "ONE_PROCESS" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  if(NOT NAVETTE_BUILD_TESTS)
    return()
  endif()
  add_executable(${name} ${T_SOURCES})
  # fmt::fmt for its FMT_SHARED, which the precompiled header was built with.
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main GTest::gmock
                                        fmt::fmt navette_options)
  target_precompile_headers(${name} REUSE_FROM navette_test_pch)
  # With the precompiled header, GCC 12 inlines libstdc++'s string
  # concatenation where its middle-end warns falsely that a memcpy overflows
  # or overlaps (GCC bugs 105651, 105329); these warnings stay on for
  # navette's own code.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${name} PRIVATE -Wno-array-bounds -Wno-stringop-overflow
                                           -Wno-stringop-overread -Wno-restrict)
  endif()
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  if(T_ONE_PROCESS)
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT})
    return()
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
