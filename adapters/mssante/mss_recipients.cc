#include "adapters/mssante/mss_recipients.h"

#include <algorithm>
#include <array>
#include <string_view>

#include <fmt/format.h>

namespace navette::adapters::mssante {
namespace {

using navette::document::Participant;

// INS-NIR, INS-NIA (production), and their test / demonstration OIDs.
constexpr std::array<std::string_view, 2> kProductionInsOids = {"1.2.250.1.213.1.4.8",
                                                                "1.2.250.1.213.1.4.9"};
constexpr std::array<std::string_view, 2> kTestInsOids = {"1.2.250.1.213.1.4.10",
                                                          "1.2.250.1.213.1.4.11"};

bool OneOf(std::string_view value, const auto& values) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

PlanOrRefusal Refuse(std::string rule, std::string reason) {
  return {std::nullopt, RecipientRefusal{std::move(rule), std::move(reason)}};
}

}  // namespace

PlanOrRefusal PlanRecipients(const navette::document::Document& record,
                             const navette::identity::Identity* identity,
                             std::string_view patient_domain, bool allow_test_ins) {
  const navette::document::Flags& flags = record.flags();
  if (!flags.dest_mssante_ps() && !flags.dest_mssante_pat()) {
    return Refuse("DESTINATAIRE_ABSENT",
                  "the message asks for no MSSanté recipient (DESTMSSANTEPS and DESTMSSANTEPAT "
                  "are N or absent): route it to this destination only when one is Y");
  }
  if (flags.dest_mssante_ps() && flags.masque_ps()) {
    return Refuse("MASQUE_PS",
                  "the volet's rule: MSSanté to professionals (DESTMSSANTEPS=Y) requires "
                  "MASQUE_PS=N, and the document is masked from professionals: nothing sent");
  }
  if (flags.dest_mssante_pat() && flags.invisible_patient()) {
    return Refuse("INVISIBLE_PATIENT",
                  "the volet's rule: MSSanté to the patient (DESTMSSANTEPAT=Y) requires "
                  "INVISIBLE_PATIENT=N, and the document is invisible to the patient: "
                  "nothing sent");
  }
  if (flags.dest_mssante_pat() && flags.connexion_secrete()) {
    return Refuse("CONNEXION_SECRETE",
                  "the volet's rule: MSSanté to the patient (DESTMSSANTEPAT=Y) requires "
                  "CONNEXION_SECRETE=N, and the stay is confidential: nothing sent");
  }
  RecipientPlan plan;
  if (flags.dest_mssante_ps()) {
    for (const Participant& participant : record.participants()) {
      if (participant.role() != Participant::RECIPIENT || participant.is_patient()) continue;
      if (participant.address().empty()) continue;
      plan.professionals.push_back({participant.address(), participant.person().id().id(), false});
    }
    if (plan.professionals.empty()) {
      return Refuse("DESTINATAIRE_ABSENT",
                    "DESTMSSANTEPS=Y but no PRT RCT names a professional's MSSanté address "
                    "(PRT-15)");
    }
  }
  if (flags.dest_mssante_pat()) {
    if (identity == nullptr) {
      return Refuse("INS_ABSENT",
                    "DESTMSSANTEPAT=Y needs the patient's qualified INS: run attach_ins before "
                    "an mssante destination");
    }
    if (identity->status() != navette::identity::QUALIFIED || identity->ins().matricule().empty()) {
      return Refuse("INS_NON_QUALIFIEE",
                    "DESTMSSANTEPAT=Y: the patient's identity is not qualified, so their "
                    "MSSanté address (their INS) may not be used");
    }
    const std::string& oid = identity->ins().oid();
    if (OneOf(oid, kTestInsOids) && !allow_test_ins) {
      return Refuse("INS_OID_TEST",
                    fmt::format("the INS is under the test OID {}, refused in production "
                                "(identity.environment: test accepts it)",
                                oid));
    }
    if (!OneOf(oid, kTestInsOids) && !OneOf(oid, kProductionInsOids)) {
      return Refuse("INS_OID", fmt::format("{} is not an INS authority OID", oid));
    }
    plan.patient = MailRecipient{fmt::format("{}@{}", identity->ins().matricule(), patient_domain),
                                 identity->ins().matricule(), true};
    plan.patient_no_reply = flags.dest_mssante_pat_note() == "FIN";
  }
  return {std::move(plan), std::nullopt};
}

}  // namespace navette::adapters::mssante
