// Who may receive a document by MSSanté, under the volet's rules
// (« Transmission de document(s) CDA-R2 en HL7v2 », règles de gestion
// MSSanté; fr-specs.md §4.3):
//
//   DESTMSSANTEPS=Y    the RCT professionals        requires MASQUE_PS=N
//   DESTMSSANTEPAT=Y   <INS>@patient.mssante.fr     requires INVISIBLE_PATIENT=N,
//                                                   CONNEXION_SECRETE=N and a
//                                                   qualified INS
//
// A combination the rules forbid refuses the whole message (nothing is
// sent), naming the rule: the producer asked for something the volet does
// not allow, and sending part of it would hide that.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "proto/document.pb.h"
#include "proto/identity.pb.h"

namespace navette::adapters::mssante {

struct MailRecipient {
  std::string address;
  std::string id;        // national id (RPPS, INS) for the business acknowledgement
  bool patient = false;  // the patient's own mailbox: its address is health data
};

// The mails a document makes: one for the professionals, one for the
// patient (their bodies and headers differ), each with its recipients.
struct RecipientPlan {
  std::vector<MailRecipient> professionals;
  std::optional<MailRecipient> patient;
  bool patient_no_reply = false;  // NTE-4 FIN under DESTMSSANTEPAT: X-MSS-MES: FIN
};

struct RecipientRefusal {
  std::string rule;    // short code for the acknowledgement: MASQUE_PS, INVISIBLE_PATIENT...
  std::string reason;  // for the history: the rule, in words; never an address
};

// `identity` is what attach_ins found (null without attach_ins);
// `patient_domain` the patients' mail domain; `allow_test_ins` whether the
// INS test OIDs may be used (identity.environment: test).
struct PlanOrRefusal {
  std::optional<RecipientPlan> plan;
  std::optional<RecipientRefusal> refusal;
};
PlanOrRefusal PlanRecipients(const navette::document::Document& record,
                             const navette::identity::Identity* identity,
                             std::string_view patient_domain, bool allow_test_ins);

// What a history line or a log says instead of the patient's address
// (their INS).
inline constexpr char kPatientAddressText[] = "the patient's address";

}  // namespace navette::adapters::mssante
