// The byte stream of one accepted MLLP connection: the TCP socket itself,
// or TLS over it (asio's ssl::stream), behind the few calls a Connection
// makes. Handlers are asio's (error_code, size_t) ones.
//
// Under TLS, a peer that ends its side with close_notify reads as eof, as a
// TCP half-close does; one that drops the TCP connection without it
// (stream_truncated) reads as eof too: MLLP's end block, not TLS, says
// whether a message was cut short.
#pragma once

#include <utility>
#include <variant>

#include <asio.hpp>
#include <asio/ssl.hpp>

namespace navette::adapters::mllp {

class MllpStream {
 public:
  using Tcp = asio::ip::tcp::socket;
  using Tls = asio::ssl::stream<asio::ip::tcp::socket>;

  explicit MllpStream(Tcp socket) : stream_(std::in_place_type<Tcp>, std::move(socket)) {}
  MllpStream(Tcp socket, asio::ssl::context& tls)
      : stream_(std::in_place_type<Tls>, std::move(socket), tls) {}

  bool tls() const { return std::holds_alternative<Tls>(stream_); }
  // The TLS connection, for its peer's certificate and errors; null on TCP.
  SSL* ssl() {
    Tls* stream = std::get_if<Tls>(&stream_);
    return stream == nullptr ? nullptr : stream->native_handle();
  }
  Tcp& socket() {
    if (Tls* stream = std::get_if<Tls>(&stream_)) return stream->next_layer();
    return std::get<Tcp>(stream_);
  }

  // The server's side of the TLS handshake; only on a TLS stream.
  template <class Handler>
  void AsyncHandshake(Handler&& handler) {
    std::get<Tls>(stream_).async_handshake(asio::ssl::stream_base::server,
                                           std::forward<Handler>(handler));
  }

  template <class Buffer, class Handler>
  void AsyncReadSome(const Buffer& buffer, Handler&& handler) {
    std::visit(
        [&](auto& stream) {
          stream.async_read_some(buffer, [handler = std::forward<Handler>(handler)](
                                             std::error_code error, size_t size) mutable {
            if (error == asio::ssl::error::stream_truncated) error = asio::error::eof;
            handler(error, size);
          });
        },
        stream_);
  }

  template <class Buffer, class Handler>
  void AsyncWrite(const Buffer& buffer, Handler&& handler) {
    std::visit(
        [&](auto& stream) { asio::async_write(stream, buffer, std::forward<Handler>(handler)); },
        stream_);
  }

  // Closes the TCP socket (without a TLS close_notify: the connection is
  // being dropped, not ended in agreement).
  void Close() {
    std::error_code ignored;
    socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
  }

 private:
  std::variant<Tcp, Tls> stream_;
};

}  // namespace navette::adapters::mllp
