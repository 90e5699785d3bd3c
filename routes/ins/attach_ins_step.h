// The attach_ins step: resolves a document's patient through the identity
// store and, when the identity may carry the INS, writes the INS and the
// strict traits into the document's PID (document_patient.h). A document
// that already carries an INS is checked against the store first.
//
// The outcome is a pure function of the document and the identity store, so
// that routing again after a crash decides the same.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "proto/envelope.pb.h"
#include "proto/identity.pb.h"
#include "routes/ins/identity_reader.h"

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
  // document's IPP); empty when the document names no patient.
  std::string patient;
  // kAttached: the document with the INS, in its own charset.
  std::string payload;
  identity::Identity identity;
  // kMissing: the document with any INS it carried removed, in its own
  // charset, for continue_without_ins (an INS is never sent for an identity
  // that may not carry it); empty when it carried none (send it as it is).
  std::string payload_without_ins;
};

// InvalidArgument when the document cannot be read (charset, HL7 syntax, no
// PID) or the INS cannot be written into it: the document is dead with that
// reason. Any other error is the identity store's (the router retries).
absl::StatusOr<AttachInsOutcome> AttachIns(const navette::Envelope& envelope,
                                           const IdentityReader& reader);

}  // namespace navette::routes::ins
