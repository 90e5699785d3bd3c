// A code table file in a directory of the test's own, for the map_codes
// tests: written, rewritten with a later mtime, removed with the directory.
#pragma once

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

namespace navette::routes::codes {

class TableFile {
 public:
  TableFile() {
    dir_ = std::filesystem::temp_directory_path() /
           ("navette-codes-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = dir_ / "lab-codes.csv";
  }
  ~TableFile() { std::filesystem::remove_all(dir_); }
  TableFile(const TableFile&) = delete;
  TableFile& operator=(const TableFile&) = delete;

  // Writes `text`; each write's mtime is a second later than the previous
  // one's, so that a rewrite of the same size is seen as a change.
  void Write(std::string_view text) {
    {
      std::ofstream out(path_, std::ios::binary | std::ios::trunc);
      out << text;
    }
    mtime_ += std::chrono::seconds(1);
    std::filesystem::last_write_time(path_, mtime_);
  }
  const std::filesystem::path& path() const { return path_; }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  std::filesystem::path path_;
  std::filesystem::file_time_type mtime_ = std::filesystem::file_time_type::clock::now();
};

}  // namespace navette::routes::codes
