// Shared by the store's tests: a fresh directory per test and a minimal
// envelope to commit.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "proto/envelope.pb.h"

namespace navette::store {

// An empty directory named after `suite`, the process and the running test.
inline std::filesystem::path FreshStoreDir(std::string_view suite) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      (std::string(suite) + "-" + std::to_string(::getpid()) + "-" +
       ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  return dir;
}

// An ORU from source "sgl" with `control_id` as MSH-10.
inline navette::Envelope MakeTestEnvelope(const std::string& control_id) {
  navette::Envelope envelope;
  envelope.set_source("sgl");
  envelope.set_received_at_us(1700000000000000);
  envelope.set_raw("MSH|^~\\&|A|B|C|D|20240101||ORU^R01|" + control_id + "|P|2.5\r");
  envelope.mutable_hl7()->set_control_id(control_id);
  envelope.mutable_hl7()->set_message_type("ORU^R01");
  return envelope;
}

}  // namespace navette::store
