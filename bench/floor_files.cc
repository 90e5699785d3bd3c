#include "bench/floor_files.h"

#include <pthread.h>

#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "adapters/destination.h"
#include "adapters/file/file_destination.h"
#include "proto/config.pb.h"
#include "proto/store.pb.h"

namespace navette::bench {
namespace {

// The default configuration's file destination: its batch size and the
// batches it keeps out at once (adapters/file/file_kind.cc).
constexpr size_t kBatchSize = 256;
constexpr int kBatchesInFlight = 2;

}  // namespace

absl::StatusOr<std::unique_ptr<FloorFiles>> FloorFiles::Start(
    const std::filesystem::path& directory, std::filesystem::path counter_path) {
  navette::config::FileDestination config;
  config.set_directory(directory.string());
  config.set_suffix(".hl7");
  auto destination = adapters::file::FileDestination::Create(config, directory, "floor");
  if (!destination.ok()) return destination.status();
  std::unique_ptr<FloorFiles> files(
      new FloorFiles(std::move(*destination), std::move(counter_path)));
  files->WriteCounter();
  for (int i = 0; i < kBatchesInFlight; ++i) {
    files->threads_.emplace_back([raw = files.get()] {
      pthread_setname_np(pthread_self(), "floor-files");
      raw->Deliver();
    });
  }
  return files;
}

FloorFiles::FloorFiles(std::unique_ptr<adapters::file::FileDestination> destination,
                       std::filesystem::path counter_path)
    : destination_(std::move(destination)), counter_path_(std::move(counter_path)) {}

FloorFiles::~FloorFiles() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  arrived_.notify_all();
  for (std::thread& thread : threads_) thread.join();
}

void FloorFiles::Add(std::vector<std::pair<uint64_t, std::string>> committed) {
  {
    std::lock_guard lock(mu_);
    for (auto& message : committed) queue_.push_back(std::move(message));
  }
  arrived_.notify_one();
}

void FloorFiles::Deliver() {
  std::vector<navette::store::StoredMessage> messages;
  std::vector<adapters::DeliveryRequest> requests;
  while (true) {
    messages.clear();
    {
      std::unique_lock lock(mu_);
      arrived_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      while (!queue_.empty() && messages.size() < kBatchSize) {
        navette::store::StoredMessage& message = messages.emplace_back();
        message.set_id(queue_.front().first);
        message.mutable_envelope()->set_raw(std::move(queue_.front().second));
        queue_.pop_front();
      }
    }
    // The other thread may take what is left while this batch is written.
    arrived_.notify_one();
    requests.clear();
    for (const navette::store::StoredMessage& message : messages) {
      adapters::DeliveryRequest& request = requests.emplace_back();
      request.message_id = message.id();
      request.message = &message;
    }
    uint64_t written = 0;
    for (const adapters::DeliveryResult& result : destination_->DeliverBatch(requests)) {
      if (result.outcome == adapters::DeliveryResult::Outcome::kDelivered) {
        ++written;
      } else {
        std::cerr << "floor: a file was not written: " << result.detail << "\n";
      }
    }
    delivered_ += written;
    WriteCounter();
  }
}

void FloorFiles::WriteCounter() {
  // Written aside and renamed: the script polling it never reads half a number.
  std::lock_guard lock(counter_mu_);
  const std::filesystem::path aside = counter_path_.string() + ".new";
  std::ofstream(aside, std::ios::trunc) << delivered_.load() << "\n";
  std::error_code ignored;
  std::filesystem::rename(aside, counter_path_, ignored);
}

}  // namespace navette::bench
