// Small HL7 v2 messages for end-to-end tests, CR-terminated as sent on the
// wire. Only test identities appear here (the ANS test patient PAT-TROIS).
#pragma once

#include <string>

#include <fmt/format.h>

namespace navette::testing {

// MSH-10 of a message written with '|' as field separator ("" if none).
inline std::string ControlIdOf(const std::string& message) {
  // MSH|^~\&|f3|f4|f5|f6|f7|f8|f9|f10: the ninth '|' starts MSH-10.
  size_t at = 0;
  for (int i = 0; i < 9 && at != std::string::npos; ++i) at = message.find('|', at + 1);
  if (at == std::string::npos) return "";
  return message.substr(at + 1, message.find('|', at + 1) - at - 1);
}

inline std::string MakeOru(const std::string& control_id, const std::string& ipp = "000123") {
  return fmt::format(
      "MSH|^~\\&|SIL-Y|labo|PFI-X|Organisation-X|20260101120000||ORU^R01^ORU_R01|{}|P|2.5|||||"
      "FRA|UNICODE UTF-8|||2.1^CISIS_CDA_HL7_V2\r"
      "PID|||{}^^^CHU-X&1.2.250.1.71.4.2.2&ISO^PI||PAT-TROIS^DOMINIQUE^DOMINIQUE^^^^L||19790328|F\r"
      "OBR|1|98765431^Nephro|1001-E1^labo|11502-2^CR d'examens biologiques^LN\r"
      "OBX|1|ED|11502-2^CR d'examens "
      "biologiques^LN||^TEXT^XML^Base64^PENsaW5pY2FsRG9jdW1lbnQvPg==||||||F\r",
      control_id, ipp);
}

inline std::string MakeAdt(const std::string& control_id, const std::string& event = "A28") {
  return fmt::format(
      "MSH|^~\\&|DPI|CHU-X|PFI-X|CHU-X|20260101120000||ADT^{}^ADT_A05|{}|P|2.5^FRA^2.11|||||"
      "FRA|UNICODE UTF-8|||2.11^IHE_FRANCE-2.11-PAM\r"
      "EVN||20260101120000\r"
      "PID|||000123^^^CHU-X&1.2.250.1.71.4.2.2&ISO^PI||PAT-TROIS^DOMINIQUE^DOMINIQUE^^^^L||"
      "19790328|F\r",
      event, control_id);
}

// A PAM-FR identity ADT (A28 create, A31 update) for PAT-TROIS under `ipp`,
// with the PID-32 reliability code `status` ("PROV", "QUAL") and, when
// `with_ins`, the INS with the test OID (the engine must run with
// `identity: { environment: test }`). With routes `identity_feed` for ADTs
// and `attach_ins` for ORUs: an A28 "PROV" makes MakeOru(…, ipp) park, an A31
// "QUAL" with the INS releases it.
inline std::string MakeIdentityAdt(const std::string& control_id, const std::string& event,
                                   const std::string& status, bool with_ins,
                                   const std::string& ipp = "000123") {
  std::string ids = ipp + "^^^CHU-X&1.2.250.1.71.4.2.2&ISO^PI";
  if (with_ins) ids += "~279035121518989^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO^INS";
  return fmt::format(
             "MSH|^~\\&|DPI|CHU-X|PFI-X|CHU-X|20260101120000||ADT^{}^ADT_A05|{}|P|2.5^FRA^2.11|||"
             "||FRA|UNICODE UTF-8|||2.11^IHE_FRANCE-2.11-PAM\r"
             "EVN||20260101120000\r"
             "PID|1||{}||PAT-TROIS^DOMINIQUE^DOMINIQUE^^^^L||19790328|F|||^^^^^^BDL^^63220",
             event, control_id, ids) +
         std::string(21, '|') + status + "\r";  // PID-12 … PID-31 empty, PID-32
}

}  // namespace navette::testing
