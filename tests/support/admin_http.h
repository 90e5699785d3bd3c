// The admin API over plain HTTP on loopback, with cpp-httplib, for the
// end-to-end suites that check its answers' statuses and headers.
#pragma once

#include <httplib.h>

#include <cstdint>
#include <string>

namespace navette::testing {

inline httplib::Headers Bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

// A client of the admin API on 127.0.0.1:`port`, giving up after 5 s.
inline httplib::Client AdminClient(uint16_t port) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(5);
  client.set_read_timeout(5);
  return client;
}

}  // namespace navette::testing
