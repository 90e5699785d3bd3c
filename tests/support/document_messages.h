// The producers' messages of the document end-to-end suites: the GAM's
// PAM-FR ADTs that make the ANS test patient PAT-TROIS qualified, the DPI's
// MDM carrying a PDF, the lab's ORU carrying a CDA, with the sender and the
// MetaDMPMSS flags of the CI-SIS volet. Only the ANS test identity appears
// (PAT-TROIS, test OID .10).
#pragma once

#include <set>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_join.h"
#include "tests/support/engine_process.h"

namespace navette::testing {

inline constexpr char kInsOid[] = "1.2.250.1.213.1.4.10";  // INS-NIR de test
inline constexpr char kMatricule[] = "279035121518989";    // PAT-TROIS
inline constexpr char kIpp[] = "000100^^^CHU-X&1.2.250.1.71.4.2.2&ISO^PI";
inline constexpr char kFiness[] = "010000001";

// ---- the producers' messages

// PID in the PAM-FR shape, fields up to PID-32 (the reliability code).
inline std::string Pid(const std::string& identifiers, const std::string& reliability) {
  std::vector<std::string> fields(33);
  fields[1] = "1";
  fields[3] = identifiers;
  fields[5] = "PAT-TROIS^DOMINIQUE^DOMINIQUE MARIE-LOUISE^^^^L";
  fields[7] = "19790328";
  fields[8] = "F";
  fields[11] = "^^^^^^BDL^^51215";
  fields[32] = reliability;
  return "PID|" + absl::StrJoin(fields.begin() + 1, fields.end(), "|") + "\r";
}

// The GAM's A28 (provisional, no INS) then A31 (VALI, with the INS; the
// configuration reads VALI as qualified, as the ANS samples use it).
inline std::string Adt(const std::string& event, const std::string& control_id, bool qualified) {
  const std::string ids =
      qualified ? fmt::format("{}~{}^^^ASIP-SANTE-INS-NIR&{}&ISO^INS", kIpp, kMatricule, kInsOid)
                : std::string(kIpp);
  return fmt::format(
             "MSH|^~\\&|GAM|CHU-X|PFI|CHU-X|20261203080000||ADT^{}^ADT_A05|{}|P|2.5^FRA^2.11|||||"
             "FRA|UNICODE UTF-8|FR\rEVN||20261203080000\r",
             event, control_id) +
         Pid(ids, qualified ? "VALI" : "PROV");
}

// PV1 with the stay's dates (PV1-44 admission, PV1-45 discharge).
inline std::string Pv1() {
  std::vector<std::string> fields(46);
  fields[1] = "1";
  fields[2] = "I";
  fields[3] = "CARDIO";
  fields[19] = "V0001^^^CHU-X&1.2.250.1.71.4.2.2&ISO^VN";
  fields[44] = "20261125080000";
  fields[45] = "20261203090000";
  return "PV1|" + absl::StrJoin(fields.begin() + 1, fields.end(), "|") + "\r";
}

// The sender (PRT SB: a PS and the hospital), then the MetaDMPMSS flags,
// those named in `yes` set to Y (by default: to the DMP, nowhere else, no
// acknowledgement asked).
inline std::string SenderAndFlags(int first_obx, const std::set<std::string>& yes = {"DESTDMP"}) {
  std::string segments =
      "PRT||UC||SB^^participation|801234564895^MARTIN^Paul^^^^^^ASIP-SANTE-PS&1.2.250.1.71.4.2.1&"
      "ISO^D^^^IDNPS|||CHU-X^^^^^ASIP-SANTE-ST&1.2.250.1.71.4.2.2&ISO^FINEG^^^" +
      std::string(kFiness) + "\r";
  int set_id = first_obx;
  for (const char* flag : {"MASQUE_PS", "INVISIBLE_PATIENT", "INVISIBLE_REP_LEGAUX",
                           "CONNEXION_SECRETE", "MODIF_CONF_CODE", "DESTDMP", "DESTMSSANTEPS",
                           "DESTMSSANTEPAT", "ACK_RECEPTION", "ACK_LECTURE_MSS"}) {
    segments += fmt::format("OBX|{}|CWE|{}^{}^MetaDMPMSS||{}^^expandedYes-NoIndicator||||||F|\r",
                            set_id++, flag, flag, yes.contains(flag) ? "Y" : "N");
  }
  return segments;
}

enum class Action { kCreate, kReplace, kDelete };

// ORC-1, OBX-11 and the MDM event of an action, as the volet ties them.
struct ActionCodes {
  const char* orc;
  const char* obx;
  const char* event;
};
inline ActionCodes CodesOf(Action action) {
  switch (action) {
    case Action::kReplace:
      return {"RO", "C", "T10"};
    case Action::kDelete:
      return {"CA", "D", "T04"};
    case Action::kCreate:
      break;
  }
  return {"NW", "F", "T02"};
}

// A DPI's MDM carrying a PDF alone (no CDA): `type` is "code^label^LN";
// `id` is TXA-12, `parent` TXA-13 (a replacement's).
inline std::string PdfMdm(const std::string& control_id, Action action, const std::string& type,
                          const std::string& pdf, const std::string& id,
                          const std::string& parent = "") {
  const ActionCodes codes = CodesOf(action);
  const std::string type_code = type.substr(0, type.find('^'));
  std::vector<std::string> txa(23);
  txa[1] = "1";
  txa[2] = type_code;
  txa[3] = "TEXT";
  txa[4] = "20261203095500";
  txa[12] = id;
  txa[13] = parent;
  txa[17] = "AU";
  txa[22] = "801234564895";
  return fmt::format(
             "MSH|^~\\&|DPI|CHU-X|PFI|CHU-X|20261203100000||MDM^{}^MDM_T02|{}|P|2.6|||||FRA|"
             "UNICODE UTF-8|||2.1^CISIS_CDA_HL7_V2\rEVN||20261203100000\r",
             codes.event, control_id) +
         Pid(kIpp, "VALI") + Pv1() + fmt::format("ORC|{}|\rOBR|1|||{}|\r", codes.orc, type) +
         "TXA|" + absl::StrJoin(txa.begin() + 1, txa.end(), "|") + "\r" +
         fmt::format("OBX|1|ED|{}||^Application^PDF^Base64^{}||||||{}|\r", type,
                     absl::Base64Escape(pdf), codes.obx) +
         SenderAndFlags(2);
}

// A lab's ORU carrying one CDA (base64 in OBX-5), for the qualified
// patient's IPP: PID-3 holds no INS.
inline std::string CdaOru(const std::string& control_id, Action action, const std::string& cda,
                          const std::set<std::string>& flags = {"DESTDMP"}) {
  const ActionCodes codes = CodesOf(action);
  const std::string type = "11502-2^CR d'examens biologiques^LN";
  return fmt::format(
             "MSH|^~\\&|SIL|LABO|PFI|CHU-X|20261203100000||ORU^R01^ORU_R01|{}|P|2.5|||||FRA|"
             "UNICODE UTF-8|||2.1^CISIS_CDA_HL7_V2\r",
             control_id) +
         Pid(kIpp, "VALI") + Pv1() +
         fmt::format("ORC|{}|98765431^Nephro|1001-E1^labo\r", codes.orc) +
         fmt::format("OBR|1|98765431^Nephro|1001-E1^labo|{}|||20261203080000\r", type) +
         fmt::format("OBX|1|ED|{}||^TEXT^XML^Base64^{}||||||{}|\r", type, absl::Base64Escape(cda),
                     codes.obx) +
         SenderAndFlags(2, flags);
}

// A one-page PDF saying `text`, with a correct cross-reference table: the
// smallest document a PDF reader opens.
inline std::string MinimalPdf(const std::string& text) {
  const std::string stream = fmt::format("BT /F1 18 Tf 72 720 Td ({}) Tj ET", text);
  const std::vector<std::string> objects = {
      "<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
      "/Resources << /Font << /F1 5 0 R >> >> >>",
      fmt::format("<< /Length {} >>\nstream\n{}\nendstream", stream.size(), stream),
      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"};
  std::string pdf = "%PDF-1.4\n";
  std::vector<size_t> offsets;
  for (size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += fmt::format("{} 0 obj\n{}\nendobj\n", i + 1, objects[i]);
  }
  const size_t xref = pdf.size();
  pdf += fmt::format("xref\n0 {}\n0000000000 65535 f \n", objects.size() + 1);
  for (size_t offset : offsets) pdf += fmt::format("{:010d} 00000 n \n", offset);
  pdf += fmt::format("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{}\n%%EOF\n",
                     objects.size() + 1, xref);
  return pdf;
}

// The ANS CR-BIO example (tests/fixtures/cda/MANIFEST.md) as a lab
// would send it before the identity was qualified: no INS in recordTarget.
inline std::string CrBioWithoutIns() {
  std::string xml = ReadFileBytes(std::filesystem::path(NAVETTE_FIXTURES_DIR) / "cda" / "corpus" /
                                  "BIO-CR-BIO_2024.01_TSH_1.xml");
  const std::string ins = fmt::format("<id extension=\"{}\" root=\"{}\"/>", kMatricule, kInsOid);
  const size_t at = xml.find(ins);
  EXPECT_NE(at, std::string::npos);
  if (at != std::string::npos) xml.erase(at, ins.size());
  // No other INS id (a comment names the OID).
  EXPECT_EQ(xml.find(fmt::format("root=\"{}\"", kInsOid)), std::string::npos);
  return xml;
}

// The lab's second version of the CR-BIO: a new id, the same setId,
// version 2, replacing the first (relatedDocument RPLC), no INS either.
inline std::string CrBioSecondVersion(const std::string& first) {
  std::string xml = first;
  const std::string id = "<id root=\"1.2.250.1.213.1.1.1.55.2024.9.1\"/>";
  const size_t at = xml.find(id);
  EXPECT_NE(at, std::string::npos);
  if (at != std::string::npos) {
    xml.replace(at, id.size(), "<id root=\"1.2.250.1.213.1.1.1.55.2024.9.2\"/>");
  }
  const std::string version = "<versionNumber value=\"1\"/>";
  const size_t version_at = xml.find(version);
  EXPECT_NE(version_at, std::string::npos);
  if (version_at != std::string::npos) {
    xml.replace(version_at, version.size(), "<versionNumber value=\"2\"/>");
  }
  // relatedDocument comes after the last documentationOf (CDA order).
  const size_t component_of = xml.find("<componentOf>");
  EXPECT_NE(component_of, std::string::npos);
  if (component_of != std::string::npos) {
    xml.insert(component_of,
               "<relatedDocument typeCode=\"RPLC\"><parentDocument>"
               "<id root=\"1.2.250.1.213.1.1.1.55.2024.9.1\"/></parentDocument>"
               "</relatedDocument>\n\t\t");
  }
  return xml;
}

}  // namespace navette::testing
