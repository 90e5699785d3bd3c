// What goes into navette's VIHF (the DMP's SAML 2.0 assertion, fr-specs §3.3):
// the values an establishment configures once (VihfSettings) and the values
// that change with every request (VihfRequest).
//
// navette feeds the DMP as an integration platform, so it always builds the
// assertion in *indirect* mode: the establishment vouches for the request
// with its signing ("cachet", IGC-Santé ORG-SIGN) certificate, never with the
// TLS (ORG-AUTH_CLI) one (dmp-mss-notes §6.8).
//
// Where the two public models disagree (dmp-mss-notes §2 and §6.5: the CNAM
// sample kit v02.05.00 and the ANS HL7v2 transmission IG), the defaults follow
// the CNAM kit — the DMP service's own samples — and every disputed value is a
// setting, so that homologation can change it without a release.
#pragma once

#include <chrono>
#include <string>

namespace navette::adapters::dmp::vihf {

// SHA-256 by default (ANS IG example, 2024). The CNAM samples are all
// rsa-sha1/sha1; which one the production DMP requires is unverified
// (fr-specs §7), hence the switch.
enum class DigestAlgorithm { kSha256, kSha1 };

struct VihfSettings {
  // The mode attribute's name is spelt `Authentification_mode` in every CNAM
  // sample and `Authentification_Mode` in the ANS IG. SAML compares attribute
  // names as exact strings, so this is configurable; CNAM spelling by default.
  std::string authentication_mode_attribute = "Authentification_mode";
  // `INDIRECTE` for an integration platform (`DIRECTE` = CPS card,
  // `INDIRECTE_RENFORCEE` also appears in the CNAM samples).
  std::string authentication_mode = "INDIRECTE";
  // `3.0` in all 19 CNAM occurrences and in the ANS IG's own example; the
  // ANS mapping table says `4.0` (fr-specs §3.3, unresolved).
  std::string vihf_version = "3.0";

  // First value of urn:oasis:names:tc:xacml:2.0:subject:role. For automated
  // processing the JDV_J65 value is AUTOMATE in TRE_A00 (ANS IG example).
  std::string role_code = "AUTOMATE";
  std::string role_code_system = "1.2.250.1.213.1.1.4.6";
  std::string role_display_name = "AUTOMATE";

  // Secteur_Activite, `<code>^<codeSystem>` from JDV_J61 (TRE_R02). The code
  // is the establishment's own sector: SA07 is the CNAM samples' value, not
  // a value right for every hospital (SA01 = public hospital, fr-specs §3.4).
  std::string activity_sector_code = "SA07";
  std::string activity_sector_code_system = "1.2.250.1.71.4.2.4";

  // Software identification. LPS_ID is optional (left out when empty); the
  // homologation number is given by the DMP at homologation and has no
  // sensible default, so the builder refuses an empty one.
  std::string software_id;
  std::string software_name = "navette";
  std::string software_version = "0.1.0";
  std::string homologation_number;

  // urn:oasis:names:tc:xspa:1.0:subject:purposeofuse, "Accès normal". The
  // code system name is "mode acces VIHF 2.0" in the CNAM samples and
  // "… 1.0" in the ANS IG; CNAM by default.
  std::string purpose_of_use_code = "normal";
  std::string purpose_of_use_code_system = "1.2.250.1.213.1.1.4.248";
  std::string purpose_of_use_code_system_name = "mode acces VIHF 2.0";
  std::string purpose_of_use_display_name = "Accès normal";

  // `unspecified` is the ANS IG's class for an automated flow ("consistent
  // with the local login"); the CNAM samples use
  // urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI, which is a CPS login.
  std::string authn_context_class = "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified";

  DigestAlgorithm digest = DigestAlgorithm::kSha256;

  // Conditions/@NotOnOrAfter = issue instant + validity; zero leaves the
  // optional Conditions element out (none of the samples has it). NotBefore
  // is set `clock_skew` before the issue instant so that a DMP whose clock
  // is a little behind ours does not see an assertion from the future.
  std::chrono::seconds validity = std::chrono::minutes(10);
  std::chrono::seconds clock_skew = std::chrono::minutes(1);
};

// One request's values; every field but `access_reason` is required.
struct VihfRequest {
  // Assertion/@ID: an NCName (the samples use `_` + a UUID), also the
  // signature's reference URI `#<id>`.
  std::string assertion_id;
  std::chrono::system_clock::time_point issue_instant;

  // Issuer: the subject DN of the signing certificate (VihfSigner::IssuerDn()
  // gives it in the samples' RFC 2253 form).
  std::string issuer_dn;

  // Identifiant_Structure: the structure's Struct_IdNat, `1` + FINESS for
  // an establishment (StructureIdFromFiness). In indirect mode it must equal
  // the id in the documents' authorInstitution (dmp-mss-notes §6.9).
  std::string structure_id;

  // The person responsible for the processing, from the sender (PRT-5 of the
  // SB participation): Subject/NameID ← PRT-5.1, subject-id ← "Nom Prénom"
  // (PRT-5.2/5.3) or the software/model/service for automated flows.
  std::string responsible_id;
  std::string responsible_name;

  // The patient's INS: the 15-character matricule and its OID (.8 NIR,
  // .9 NIA, .10/.11 test/demo), written as resource-id `<ins>^^^&<oid>&ISO^NH`.
  std::string patient_ins;
  std::string patient_ins_oid;

  // Mode_Acces_Raison, the reason given with an exceptional access mode; left
  // out when empty. Feeding the DMP uses the normal mode, so navette
  // normally leaves it empty (the attribute is not in our sources' samples).
  std::string access_reason;
};

}  // namespace navette::adapters::dmp::vihf
