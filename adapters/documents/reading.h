// What the readers of one message share while they read it (internal to the
// contract): the record being filled, the violations found while reading,
// and where each value came from, which the rules need for ERR-2.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "adapters/documents/contract.h"
#include "proto/document.pb.h"

namespace navette::adapters::documents {

// A document OBX (OBX-2 ED, not MetaDMPMSS), by its occurrence among the
// message's OBX segments.
struct DocumentObx {
  int occurrence = 0;
  std::string result_status;  // OBX-11 as sent
};

struct Reading {
  Profile profile = Profile::kDpi;
  navette::document::Document record;
  std::vector<Violation> violations;
  bool is_mdm = false;
  std::string event;          // MSH-9.2: R01, T02, T10, T04
  std::string order_control;  // ORC-1 as sent; empty without ORC
  bool has_txa = false;
  std::vector<DocumentObx> document_obx;
  // MetaDMPMSS code → ERR-2 location of its value ("OBX^8^5").
  std::map<std::string, std::string, std::less<>> flag_locations;
  // The type's ERR-2 location: OBR^1^4 (ORU) or TXA^1^2 (MDM).
  std::string type_location;
};

// A refusal: AR with `condition`, and an application code when one applies.
inline Violation Refuse(int condition, std::string location, std::string reason,
                        int application_code = 0) {
  return Violation{hl7v2::AckCode::kAR, condition, application_code, std::move(location),
                   std::move(reason)};
}

// HL7 table 0357 conditions the contract uses.
inline constexpr int kSegmentSequenceError = 100;
inline constexpr int kRequiredFieldMissing = 101;
inline constexpr int kDataTypeError = 102;
inline constexpr int kTableValueNotFound = 103;
inline constexpr int kNonConformantCardinality = 198;
inline constexpr int kUnsupportedMessageType = 200;
inline constexpr int kUnsupportedEventCode = 201;
inline constexpr int kApplicationError = 207;
// CI-SIS application error (ERR-5): "other".
inline constexpr int kOtherApplicationError = 906;

}  // namespace navette::adapters::documents
