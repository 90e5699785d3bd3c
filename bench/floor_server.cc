#include "bench/floor_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "adapters/mllp/frame.h"
#include "adapters/mllp/frame_decoder.h"
#include "bench/floor_files.h"

namespace navette::bench {
namespace {

std::atomic<bool> stopping{false};
void OnSignal(int) { stopping = true; }

// epoll tags: connections are numbered from kFirstConnection, never reused,
// so that an ACK computed for a connection that closed meanwhile finds
// nothing rather than another connection on the same descriptor.
constexpr uint64_t kListener = 0, kWakeUp = 1, kFirstConnection = 2;

struct Connection {
  int fd = -1;
  adapters::mllp::FrameDecoder decoder{1 << 20};
  std::string out;  // framed ACKs not yet written
  size_t out_sent = 0;
  bool want_write = false;
};

struct Received {
  uint64_t connection;
  std::string content;
};

struct Answer {
  uint64_t connection;
  std::string frame;
};

// MSH-10: the field after the ninth separator of the MSH segment.
std::string_view ControlId(std::string_view content) {
  if (content.size() < 4) return {};
  const char separator = content[3];
  size_t at = 0;
  for (int field = 0; field < 9; ++field) {
    at = content.find(separator, at);
    if (at == std::string_view::npos) return {};
    ++at;
  }
  size_t end = at;
  while (end < content.size() && content[end] != separator && content[end] != '\r') ++end;
  return content.substr(at, end - at);
}

class Floor {
 public:
  // `files`: where acknowledged messages go next; null: nowhere.
  Floor(rocksdb::DB* db, FloorFiles* files) : db_(db), files_(files) {}

  // The committer: what arrived while the last write synced is the next
  // batch, one synced write, then the ACKs.
  void Commit() {
    std::vector<Received> batch;
    uint64_t key = 0;
    while (true) {
      {
        std::unique_lock lock(mu_);
        arrived_.wait(lock, [&] { return stopping || !incoming_.empty(); });
        if (incoming_.empty()) return;
        batch.swap(incoming_);
      }
      rocksdb::WriteBatch write;
      const uint64_t first_key = key;
      for (const Received& message : batch) {
        char big_endian[8];
        for (int i = 0; i < 8; ++i) big_endian[i] = static_cast<char>(key >> (56 - 8 * i));
        ++key;
        write.Put(rocksdb::Slice(big_endian, 8), message.content);
      }
      rocksdb::WriteOptions options;
      options.sync = true;
      const rocksdb::Status written = db_->Write(options, &write);
      if (!written.ok()) {
        std::cerr << "floor: write failed: " << written.ToString() << "\n";
        stopping = true;
        return;
      }
      ++batches_;
      messages_ += batch.size();
      std::vector<Answer> answers;
      answers.reserve(batch.size());
      for (const Received& message : batch) {
        const std::string_view id = ControlId(message.content);
        answers.push_back(
            {message.connection,
             adapters::mllp::EncodeFrame(fmt::format(
                 "MSH|^~\\&|FLOOR|BENCH|||20260101000000||ACK|{}|P|2.5\rMSA|AA|{}\r", id, id))});
      }
      {
        std::lock_guard lock(mu_);
        for (Answer& answer : answers) answers_.push_back(std::move(answer));
      }
      const uint64_t one = 1;
      (void)!::write(wake_fd_, &one, sizeof one);
      // After the ACKs are on their way, as the engine routes after it
      // confirms.
      if (files_ != nullptr) {
        std::vector<std::pair<uint64_t, std::string>> committed;
        committed.reserve(batch.size());
        for (size_t i = 0; i < batch.size(); ++i) {
          committed.emplace_back(first_key + i, std::move(batch[i].content));
        }
        files_->Add(std::move(committed));
      }
      batch.clear();
    }
  }

  int Serve(int listener) {
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    Watch(listener, kListener, EPOLLIN);
    Watch(wake_fd_, kWakeUp, EPOLLIN);
    // Named, so that bench/run.sh can count each one's CPU.
    pthread_setname_np(pthread_self(), "floor-io");
    std::thread committer([this] {
      pthread_setname_np(pthread_self(), "floor-commit");
      Commit();
    });
    std::vector<epoll_event> events(256);
    std::string buffer(256 * 1024, '\0');
    std::vector<adapters::mllp::DecoderEvent> frames;
    while (!stopping) {
      const int n = ::epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), 200);
      for (int i = 0; i < n; ++i) {
        const uint64_t tag = events[i].data.u64;
        if (tag == kListener) {
          Accept(listener);
        } else if (tag == kWakeUp) {
          uint64_t count;
          (void)!::read(wake_fd_, &count, sizeof count);
          SendAnswers();
        } else {
          auto found = connections_.find(tag);
          if (found == connections_.end()) continue;
          Connection& connection = *found->second;
          if (events[i].events & EPOLLOUT) Flush(tag, connection);
          if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
            Read(tag, connection, buffer, frames);
          }
        }
      }
    }
    arrived_.notify_all();
    committer.join();
    for (auto& [tag, connection] : connections_) ::close(connection->fd);
    ::close(wake_fd_);
    ::close(epoll_);
    std::cout << fmt::format(
        "floor: {} messages acknowledged in {} synced writes ({:.1f} a write)\n", messages_,
        batches_, batches_ ? static_cast<double>(messages_) / batches_ : 0.0);
    return 0;
  }

 private:
  void Watch(int fd, uint64_t tag, uint32_t events, int op = EPOLL_CTL_ADD) {
    epoll_event event{};
    event.events = events;
    event.data.u64 = tag;
    ::epoll_ctl(epoll_, op, fd, &event);
  }

  void Accept(int listener) {
    while (true) {
      const int fd = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      const uint64_t tag = next_tag_++;
      auto connection = std::make_unique<Connection>();
      connection->fd = fd;
      connections_.emplace(tag, std::move(connection));
      Watch(fd, tag, EPOLLIN);
    }
  }

  void Read(uint64_t tag, Connection& connection, std::string& buffer,
            std::vector<adapters::mllp::DecoderEvent>& frames) {
    bool any = false;
    while (true) {
      const ssize_t n = ::recv(connection.fd, buffer.data(), buffer.size(), 0);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        Close(tag);
        break;
      }
      if (n < 0) break;
      frames.clear();
      connection.decoder.Feed(std::string_view(buffer.data(), static_cast<size_t>(n)), frames);
      std::lock_guard lock(mu_);
      for (auto& frame : frames) {
        if (frame.kind != adapters::mllp::DecoderEvent::kFrame) continue;
        incoming_.push_back({tag, std::move(frame.content)});
        any = true;
      }
    }
    if (any) arrived_.notify_one();
  }

  void SendAnswers() {
    std::vector<Answer> answers;
    {
      std::lock_guard lock(mu_);
      answers.swap(answers_);
    }
    for (Answer& answer : answers) {
      auto found = connections_.find(answer.connection);
      if (found == connections_.end()) continue;  // closed meanwhile
      found->second->out += answer.frame;
    }
    for (auto& [tag, connection] : connections_) {
      if (connection->out_sent < connection->out.size()) Flush(tag, *connection);
    }
  }

  void Flush(uint64_t tag, Connection& connection) {
    while (connection.out_sent < connection.out.size()) {
      const ssize_t n = ::send(connection.fd, connection.out.data() + connection.out_sent,
                               connection.out.size() - connection.out_sent, MSG_NOSIGNAL);
      if (n < 0) break;
      connection.out_sent += static_cast<size_t>(n);
    }
    const bool pending = connection.out_sent < connection.out.size();
    if (!pending) {
      connection.out.clear();
      connection.out_sent = 0;
    }
    if (pending != connection.want_write) {
      connection.want_write = pending;
      Watch(connection.fd, tag, pending ? uint32_t{EPOLLIN | EPOLLOUT} : uint32_t{EPOLLIN},
            EPOLL_CTL_MOD);
    }
  }

  void Close(uint64_t tag) {
    auto found = connections_.find(tag);
    if (found == connections_.end()) return;
    ::close(found->second->fd);  // also leaves the epoll set
    connections_.erase(found);
  }

  rocksdb::DB* db_;
  FloorFiles* files_;
  int epoll_ = -1, wake_fd_ = -1;
  uint64_t next_tag_ = kFirstConnection;
  std::map<uint64_t, std::unique_ptr<Connection>> connections_;
  std::mutex mu_;
  std::condition_variable arrived_;
  std::vector<Received> incoming_;
  std::vector<Answer> answers_;
  uint64_t batches_ = 0, messages_ = 0;
};

}  // namespace

int RunFloor(const FloorOptions& options) {
  std::filesystem::remove_all(options.dir);
  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  const rocksdb::Status opened = rocksdb::DB::Open(db_options, options.dir, &raw);
  if (!opened.ok()) {
    std::cerr << "floor: " << opened.ToString() << "\n";
    return 1;
  }
  std::unique_ptr<rocksdb::DB> db(raw);

  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const int one = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(options.port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listener, 512) != 0) {
    std::cerr << fmt::format("floor: cannot listen on 127.0.0.1:{}: {}\n", options.port,
                             std::strerror(errno));
    return 1;
  }
  std::unique_ptr<FloorFiles> files;
  if (!options.files.empty()) {
    std::filesystem::remove_all(options.files);
    auto started = FloorFiles::Start(options.files, options.files + ".delivered");
    if (!started.ok()) {
      std::cerr << "floor: " << started.status().message() << "\n";
      return 1;
    }
    files = std::move(*started);
  }
  ::signal(SIGINT, OnSignal);
  ::signal(SIGTERM, OnSignal);
  std::cout << fmt::format("floor: listening on 127.0.0.1:{}\n", options.port) << std::flush;
  Floor floor(db.get(), files.get());
  const int status = floor.Serve(listener);
  ::close(listener);
  if (files != nullptr) {
    std::cout << fmt::format("floor: {} messages written to files\n", files->delivered());
    // The files stay for the caller to delete: on ext4 without a journal,
    // files created in the next ~30 s would pay for each inode deleted now
    // (bench/run.sh), and the next server measured would be charged for it.
    files.reset();
  }
  db.reset();
  std::filesystem::remove_all(options.dir);
  return status;
}

}  // namespace navette::bench
