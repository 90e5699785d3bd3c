#include "tests/mail/loopback.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <random>

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "common/sigpipe_blocked.h"

namespace navette::testing::mail {
namespace {

// Binds 127.0.0.1:`port` and returns whether the bind succeeded.
bool CanBind(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  ::close(fd);
  return bound;
}

// Holds `port` for the rest of the process: the flock's descriptor is
// never closed. Another test process may have picked the same number
// between its own claim and its server's bind; the flock makes that
// impossible for processes that all claim first.
bool ClaimForThisProcess(int port) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "navette-test-ports";
  std::error_code ignored;
  std::filesystem::create_directories(dir, ignored);
  const std::string path = (dir / std::to_string(port)).string();
  const int fd = ::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0666);
  if (fd < 0) return false;
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return false;
  }
  return true;
}

struct SslCtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslFree {
  void operator()(SSL* s) const { SSL_free(s); }
};

std::string OpenSslErrors() {
  std::string text;
  while (const unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    text += (text.empty() ? "" : "; ") + std::string(buffer);
  }
  return text.empty() ? "no OpenSSL error" : text;
}

// Closes the socket whatever way the probe leaves.
struct Socket {
  int fd = -1;
  ~Socket() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

int ClaimFreePort() {
  static thread_local std::mt19937 random{std::random_device{}()};
  std::uniform_int_distribution<int> ports(20000, 32767);
  for (int attempt = 0; attempt < 200; ++attempt) {
    const int port = ports(random);
    if (ClaimForThisProcess(port) && CanBind(port)) return port;
  }
  return 0;
}

bool Greets(int port, Wire wire, std::string_view greeting, const TlsClientFiles& files,
            std::chrono::milliseconds timeout, std::string& detail) {
  const SigpipeBlocked no_sigpipe;
  Socket socket;
  socket.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (socket.fd < 0) {
    detail = fmt::format("socket: {}", std::strerror(errno));
    return false;
  }
  timeval limit{};
  limit.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  limit.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(socket.fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
  ::setsockopt(socket.fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof(limit));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(socket.fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    detail = fmt::format("connect to port {}: {}", port, std::strerror(errno));
    return false;
  }

  std::unique_ptr<SSL_CTX, SslCtxFree> context;
  std::unique_ptr<SSL, SslFree> ssl;
  if (wire == Wire::kTls) {
    context.reset(SSL_CTX_new(TLS_client_method()));
    if (!context || SSL_CTX_load_verify_locations(context.get(), files.ca.c_str(), nullptr) != 1 ||
        SSL_CTX_use_certificate_chain_file(context.get(), files.cert.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(context.get(), files.key.c_str(), SSL_FILETYPE_PEM) != 1) {
      detail = fmt::format("TLS client set-up: {}", OpenSslErrors());
      return false;
    }
    SSL_CTX_set_verify(context.get(), SSL_VERIFY_PEER, nullptr);
    ssl.reset(SSL_new(context.get()));
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl.get()), "127.0.0.1");
    SSL_set_fd(ssl.get(), socket.fd);
    if (SSL_connect(ssl.get()) != 1) {
      detail = fmt::format("TLS handshake on port {}: {}", port, OpenSslErrors());
      return false;
    }
  }

  std::string line;
  while (line.find('\n') == std::string::npos && line.size() < 512) {
    char buffer[256];
    const int n = ssl ? SSL_read(ssl.get(), buffer, sizeof(buffer))
                      : static_cast<int>(::recv(socket.fd, buffer, sizeof(buffer), 0));
    if (n <= 0) break;
    line.append(buffer, static_cast<size_t>(n));
  }
  if (line.rfind(greeting, 0) == 0) return true;
  detail = fmt::format("port {} said {:?} instead of a greeting starting with {:?}", port,
                       line.substr(0, line.find('\n')), greeting);
  return false;
}

}  // namespace navette::testing::mail
