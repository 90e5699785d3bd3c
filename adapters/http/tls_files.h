// The TLS files of an http destination, opened and parsed the way libcurl
// will use them, so that a file that could never work is refused before the
// first delivery, at its key, with the same words by `navette check` (in a
// dry run) and by `serve`:
//
//   setting        refused when                              message
//   -------------  ----------------------------------------  ----------------------------------
//   tls.ca_file    cannot be read                            "cannot read F: No such file or
//                                                             directory"
//                  holds no PEM certificate                  "F holds no PEM certificate"
//   tls.cert_file  cannot be read / holds no PEM certificate  as ca_file
//                  set without key_file                      "a client certificate needs its
//                                                             key (tls.key_file)"
//   tls.key_file   cannot be read                            as ca_file
//                  holds no PEM private key (or one under a  "F holds no PEM private key (an
//                  passphrase)                                encrypted key is not supported)"
//                  set without cert_file                     "a client key needs its
//                                                             certificate (tls.cert_file)"
//                  not the certificate's key                 "F is not the key of the
//                                                             certificate in C"
//
// Each error is a kinds::SettingError naming the field ("tls.ca_file"), so
// that the caller reports it at that key's file:line:col.
#pragma once

#include "absl/status/status.h"
#include "proto/config.pb.h"

namespace navette::adapters::http {

// OK when every file set in `tls` is usable (unset ones are not checked).
absl::Status CheckTlsFiles(const navette::config::Tls& tls);

}  // namespace navette::adapters::http
