// Business acknowledgements of the CI-SIS volet « Transmission de
// document(s) CDA-R2 en HL7v2 » v2.1 (fr-specs.md §5.4): what the platform
// (navette, the volet's PFI) sends back to the producer of a document once
// the DMP or MSSanté has answered. HL7 2.6, message structure ZAM_Z01:
//
//   MSH|^~\&|<orig MSH-5>|<orig MSH-6>|<orig MSH-3>|<orig MSH-4>|<now>||ZAM^Z0n^ZAM_Z01|<new id>
//      |<orig MSH-11 or P>|2.6|||||FRA|<orig MSH-18>|||2.1^CISIS_CDA_HL7_V2
//   EVN||<now>
//   OBX|1|CWE|<status code>^<label>^AckMetierZAM|<orig MSH-10>|Y or
//   N^^expandedYes-NoIndicator||||||F| [OBX|2|XTN|<party code>^<label>^AckMetierZAM|<party
//   id>|^^X.400^<address>||||||F|]  Z02, Z03 [ERR|||207^Application internal
//   error^messageErrorCondition|E|<code>^<label>^<table>]  N only
//
//   event  OBX-1 code          OBX-2 code        ERR-5.3 table
//   Z01    ACK_RECEPTION_DMP   -                 DMPERRORCODE (DMPClosed^DMP fermé)
//   Z02    ACK_RECEPTION_MSS   DESTINATAIRE_MSS  SMTPERRORCODE (550^...)
//   Z03    ACK_LECTURE_MSS     LECTEUR_MSS       applicationErrorCondition (900-906)
//
// The volet gives each Z02 and Z03 exactly one party OBX ([1..1]): one
// acknowledgement per recipient. The sender is the platform the producer
// addressed (the original's MSH-5/6), as in the ANS samples ("Message metier
// …"). Where the volet's text and its samples differ (ERR-3.2 "Application
// error" vs "Application internal error", ERR-5.3 "DMP_ERROR_CODE" vs
// "DMPERRORCODE"), the samples win: producers were tested against them.
//
// The message is written with the standard delimiters, each value escaped,
// CR after each segment, then encoded in the original's character set
// (charset.h): the producer reads its answers as it writes its messages.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "proto/document.pb.h"
#include "proto/envelope.pb.h"

namespace navette::adapters::hl7v2 {

enum class ZamEvent { kZ01, kZ02, kZ03 };

// "Z01", "Z02", "Z03".
std::string_view ZamEventName(ZamEvent event);

// The producer's message the acknowledgement answers.
struct ZamOriginal {
  // MSH-3/4/5/6 of the original as HD values: components separated by '^',
  // each unescaped. The original's MSH-5/6 (the platform) become the ZAM's
  // sender, its MSH-3/4 (the producer) the receiver.
  std::string sending_application;
  std::string sending_facility;
  std::string receiving_application;
  std::string receiving_facility;
  std::string control_id;     // MSH-10, quoted in OBX-4 (unescaped)
  std::string processing_id;  // MSH-11; empty: P
  std::string charset_name;   // MSH-18 as a table 0211 name; empty: UNICODE UTF-8
};

// What the acknowledgement says.
struct ZamAnswer {
  ZamEvent event = ZamEvent::kZ01;
  bool positive = true;
  // Z02: the recipient; Z03: the reader. OBX-4 (their national id, may be
  // empty) and OBX-5.4 (their MSSanté address).
  std::string party_id;
  std::string party_address;
  // Negative only: ERR-5.1 and ERR-5.2.
  std::string error_code;
  std::string error_label;
};

// The original as the source read it: the document record's control id and
// producer (Document.control_id, sending_application/facility), the rest of
// the header and the charset from the envelope (Envelope.hl7, .charset).
// Missing record fields fall back to the header's.
ZamOriginal ZamOriginalOf(const navette::Envelope& envelope);

// The answers a receipt makes (fr-specs.md §5.4).
ZamAnswer ZamAnswerOf(const navette::document::DmpReceipt& receipt);
ZamAnswer ZamAnswerOf(const navette::document::MssDeliveryReceipt::Recipient& recipient);
ZamAnswer ZamAnswerOf(const navette::document::MssReadReceipt& receipt);

// The ZAM message bytes, in the original's charset. MSH-7 and EVN-2 are
// `now` in local time (HL7 timestamps without offset), MSH-10 is
// `control_id`. Fails when the charset is not one navette supports or a
// value (an address) cannot be written in it.
absl::StatusOr<std::string> BuildZam(const ZamOriginal& original, const ZamAnswer& answer,
                                     std::string_view control_id,
                                     std::chrono::system_clock::time_point now);

}  // namespace navette::adapters::hl7v2
