// HL7 v2 original-mode acknowledgements: the ACK a receiver sends back, and
// the reading of one by a sender.
//
// Layout BuildAck writes (delimiters of the original message, CR after each
// segment; [..] only for AE/AR with an error):
//
//   MSH|^~\&|<orig MSH-5>|<orig MSH-6>|<orig MSH-3>|<orig MSH-4>|<now>||ACK^<trigger>^ACK|<ack
//   id>|<orig MSH-11 or P>|<orig MSH-12 or 2.5> MSA|<AA|AE|AR>|<orig MSH-10>[|<text>]
//   [ERR||<location>|<condition>^<table 0357 name>^HL70357|<severity>|<application error>|||<text>]
//
// MSA-3 carries the text for v2.3 receivers, ERR (v2.5 layout) for the others:
// ERR-2 location, ERR-3 condition code, ERR-4 severity (E unless set), ERR-5
// application error code (the CI-SIS 900..906, when set), ERR-8 user message.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "proto/envelope.pb.h"

namespace navette::adapters::hl7v2 {

enum class AckCode { kAA, kAE, kAR };

// "AA", "AE" or "AR".
std::string_view AckCodeName(AckCode code);

struct AckError {
  // HL7 table 0357: 100 segment sequence error, 101 required field missing,
  // 102 data type error, 103 table value not found, 200 unsupported message
  // type, 201 unsupported event code, 203 unsupported version id, 207
  // application internal error, ...
  int condition_code = 0;
  // Human readable, never health data: it ends up in the sender's logs.
  std::string text;
  // ERR-2, components separated by '^' whatever the message's delimiters,
  // e.g. "MSH^1^10". May be empty.
  std::string location;
  // ERR-4, HL7 table 0516: E error, F fatal, W warning, I information.
  char severity = 'E';
  // ERR-5, components separated by '^' as for location, e.g.
  // "906^Autre erreur^applicationErrorCondition". Empty leaves ERR-5 empty.
  std::string application_error = {};
};

// The table 0357 name of a condition code ("Required field missing"), or an
// empty string for a code the table does not define.
std::string_view ConditionCodeName(int condition_code);

// Builds the ACK of `original` (nullptr when the message could not be read:
// the ACK then uses the default delimiters and empty original fields). The
// original's values are copied raw: they are already escaped for the same
// delimiters. `error` is used for AE and AR only; MSA-3 and ERR are left out
// when it is null. MSH-7 is `now` in local time, as HL7 timestamps without an
// offset are read by receivers.
std::string BuildAck(const navette::Hl7Header* original, AckCode code, const AckError* error,
                     std::string_view ack_control_id, std::chrono::system_clock::time_point now);

struct AckResult {
  std::string code;              // MSA-1
  std::string control_id;        // MSA-2
  std::string text;              // MSA-3, else ERR-8; unescaped
  int condition_code = 0;        // ERR-3.1 (or v2.3 ERR-1.4.1); 0 when absent
  std::string location;          // ERR-2 as on the wire ("OBX^1^11")
  std::string severity;          // ERR-4
  std::string application_code;  // ERR-5.1 ("906")
};

// Reads an acknowledgement: any message with an MSA segment whose MSA-1 is
// set (ACK, and application acknowledgements such as ORL that carry MSA).
absl::StatusOr<AckResult> ParseAck(std::string_view raw);

}  // namespace navette::adapters::hl7v2
