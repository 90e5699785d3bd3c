// The attach_ins step: resolves a document's patient through the identity
// store and, when the identity may carry the INS, writes the INS and the
// strict traits into the document's PID (document_patient.h). A document
// that already carries an INS is checked against the store first.
//
// The patient is the one PID-3's IPP names (following merges). A document
// without an IPP but with an INS (the ANS sample ORUs) is resolved by that
// INS, once it passes its checks (ins_number.h: key, OID for the
// environment), through the store's INS index; while its identity cannot
// carry the INS it waits under the INS itself (store::InsParkKey), and the
// identity update that lets an identity with that INS carry it releases it.
//
//   PID-3 holds                  resolved by   unknown / not qualified   key to park under
//   an IPP (and maybe an INS)    IPP           kMissing                  the identity's key
//   a valid INS, no IPP          INS           kMissing                  InsParkKey(INS)
//   an invalid INS, no IPP       -             InvalidArgument (dead)    -
//   neither                      -             kMissing                  none (cannot park)
//
// The outcome is a pure function of the document and the identity store, so
// that routing again after a crash decides the same.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/envelope.pb.h"
#include "proto/identity.pb.h"
#include "routes/ins/identity_reader.h"
#include "routes/ins/ins_number.h"

namespace navette::routes::ins {

struct AttachInsOutcome {
  enum class Kind {
    kAttached,  // payload and identity are set
    kMissing,   // no identity that may carry the INS: the route's on_missing decides
    kMismatch,  // the document's INS or traits disagree with the store: dead
  };
  Kind kind = Kind::kMissing;
  // kMissing, kMismatch: why, naming the item, never patient data.
  std::string reason;
  // kMissing: the key to park under (the identity that stands for the
  // document's IPP, or InsParkKey for a document named by its INS alone);
  // empty when the document names no patient.
  std::string patient;
  // The patient was found (or is awaited) by the document's INS, PID-3 having
  // no IPP.
  bool by_ins = false;
  // kAttached: the document with the INS, in its own charset.
  std::string payload;
  identity::Identity identity;
  // kAttached: the PID fields the step changed ("PID-3", "PID-5", ...), in
  // order; empty when the document already said all the store says.
  std::vector<std::string> written_fields;
  // kMissing: the document with any INS it carried removed, in its own
  // charset, for continue_without_ins (an INS is never sent for an identity
  // that may not carry it); empty when it carried none (send it as it is).
  std::string payload_without_ins;
};

// InvalidArgument when the document cannot be read (charset, HL7 syntax, no
// PID), names its patient by an INS that fails its checks in `environment`,
// or the INS cannot be written into it: the document is dead with that
// reason. Any other error is the identity store's (the router retries).
// `raw` is the document as earlier steps left it, in `charset` (the
// envelope's: MSH-18's, or the source's default when MSH-18 is empty).
absl::StatusOr<AttachInsOutcome> AttachIns(std::string_view raw, std::string_view charset,
                                           const IdentityReader& reader, Environment environment);
// The envelope's own document.
inline absl::StatusOr<AttachInsOutcome> AttachIns(const navette::Envelope& envelope,
                                                  const IdentityReader& reader,
                                                  Environment environment) {
  return AttachIns(envelope.raw(), envelope.charset(), reader, environment);
}

// What the step did to the document, for its history: which fields, never
// their values, e.g. "patient found by its INS; INS and traits written into
// PID-3, PID-5". For a kAttached outcome.
std::string DescribeAttached(const AttachInsOutcome& outcome);

}  // namespace navette::routes::ins
