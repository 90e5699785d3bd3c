#include "adapters/documents/meta_flags.h"

#include <fmt/format.h>

#include "adapters/documents/base64.h"
#include "adapters/documents/hl7_fields.h"

namespace navette::adapters::documents {
namespace {

using navette::document::Flags;

struct FlagField {
  std::string_view name;
  bool (Flags::*get)() const;
  void (Flags::*set)(bool);
};

constexpr FlagField kFlags[] = {
    {"MASQUE_PS", &Flags::masque_ps, &Flags::set_masque_ps},
    {"INVISIBLE_PATIENT", &Flags::invisible_patient, &Flags::set_invisible_patient},
    {"INVISIBLE_REP_LEGAUX", &Flags::invisible_rep_legaux, &Flags::set_invisible_rep_legaux},
    {"CONNEXION_SECRETE", &Flags::connexion_secrete, &Flags::set_connexion_secrete},
    {"MODIF_CONF_CODE", &Flags::modif_conf_code, &Flags::set_modif_conf_code},
    {"DESTDMP", &Flags::dest_dmp, &Flags::set_dest_dmp},
    {"DESTMSSANTEPS", &Flags::dest_mssante_ps, &Flags::set_dest_mssante_ps},
    {"DESTMSSANTEPAT", &Flags::dest_mssante_pat, &Flags::set_dest_mssante_pat},
    {"ACK_RECEPTION", &Flags::ack_reception, &Flags::set_ack_reception},
    {"ACK_LECTURE_MSS", &Flags::ack_lecture_mss, &Flags::set_ack_lecture_mss},
};

const FlagField* FindFlag(std::string_view name) {
  for (const FlagField& flag : kFlags) {
    if (SameText(flag.name, name)) return &flag;
  }
  return nullptr;
}

// The segment right after OBX `occurrence`, when it is an NTE: its
// occurrence among the NTE segments; 0 otherwise.
int NteAfter(const hl7v2::Message& message, int occurrence) {
  int obx = 0;
  int nte = 0;
  for (size_t i = 0; i < message.segment_count(); ++i) {
    if (message.segment_id(i) == "NTE") ++nte;
    if (message.segment_id(i) != "OBX" || ++obx != occurrence) continue;
    if (i + 1 < message.segment_count() && message.segment_id(i + 1) == "NTE") return nte + 1;
    return 0;
  }
  return 0;
}

void ReadMailBody(const hl7v2::Message& message, int occurrence, std::string_view code,
                  std::string* body, Reading& reading) {
  std::string data = FieldValue(message, "OBX", occurrence, 5, 1, 5);
  if (std::optional<std::string> bytes = DecodeBase64(data)) {
    *body = *std::move(bytes);
    return;
  }
  // The ORU samples' CORPSMAIL_PS is cut (93 characters): keep what decodes
  // and the message with it, as a mail body is no reason to refuse a document.
  *body = DecodeBase64Prefix(data);
  reading.record.add_notes(
      fmt::format("OBX[{}]-5.5 ({}): base64 is cut or invalid; {} bytes decoded of the mail body",
                  occurrence, code, body->size()));
}

}  // namespace

bool IsMetaObx(const hl7v2::Message& message, int occurrence) {
  return SameText(FieldValue(message, "OBX", occurrence, 3, 1, 3), "MetaDMPMSS");
}

void ReadMetaObx(const hl7v2::Message& message, int occurrence, Reading& reading) {
  std::string code = FieldValue(message, "OBX", occurrence, 3, 1, 1);
  const std::string location = Location("OBX", occurrence, 5);
  if (SameText(code, "CORPSMAIL_PS")) {
    reading.flag_locations["CORPSMAIL_PS"] = location;
    ReadMailBody(message, occurrence, "CORPSMAIL_PS", reading.record.mutable_mail_body_ps(),
                 reading);
    return;
  }
  if (SameText(code, "CORPSMAIL_PATIENT")) {
    reading.flag_locations["CORPSMAIL_PATIENT"] = location;
    ReadMailBody(message, occurrence, "CORPSMAIL_PATIENT",
                 reading.record.mutable_mail_body_patient(), reading);
    return;
  }
  const FlagField* flag = FindFlag(code);
  if (flag == nullptr) {
    // The code is the producer's vocabulary, not patient data.
    reading.record.add_notes(
        fmt::format("OBX[{}]-3.1: MetaDMPMSS code not in the contract, ignored", occurrence));
    return;
  }
  reading.flag_locations[std::string(flag->name)] = location;
  std::string value = FieldValue(message, "OBX", occurrence, 5, 1, 1);
  Flags* flags = reading.record.mutable_flags();
  if (SameText(value, "Y")) {
    (flags->*flag->set)(true);
  } else if (!SameText(value, "N")) {
    reading.violations.push_back(
        Refuse(kTableValueNotFound, location,
               fmt::format("OBX[{}]-5.1 ({}) must be Y or N", occurrence, flag->name)));
  }
  if (flag->name == "DESTMSSANTEPAT") {
    if (int nte = NteAfter(message, occurrence); nte != 0) {
      // NTE-4 (comment type), "FIN" in the volet; else the comment itself.
      std::string note = FieldValue(message, "NTE", nte, 4, 1, 1);
      if (note.empty()) note = FieldValue(message, "NTE", nte, 3);
      flags->set_dest_mssante_pat_note(note);
    }
  }
}

bool FlagByName(const navette::document::Flags& flags, std::string_view name, bool* value) {
  const FlagField* flag = FindFlag(name);
  if (flag == nullptr) return false;
  *value = (flags.*flag->get)();
  return true;
}

}  // namespace navette::adapters::documents
