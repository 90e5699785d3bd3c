// The mssante destination's settings resolved for use: the configuration
// (config::MssanteDestination) with its defaults, the hospital's values it
// borrows, and the transport's form. Errors are kinds::SettingError naming
// the key at fault, so that `navette check` and `serve` place them.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "adapters/dmp/xds/document_metadata.h"
#include "adapters/mssante/transport/smtp_client.h"
#include "proto/config.pb.h"

namespace navette::adapters::mssante {

inline constexpr int kDefaultSubmissionPort = 587;
inline constexpr int64_t kDefaultConnectTimeoutSeconds = 10;
inline constexpr int64_t kDefaultTimeoutSeconds = 60;
// No official figure exists (dmp-mss-notes.md §5): 10 MB, the conservative
// end of what operators accept, configurable per operator.
inline constexpr uint64_t kDefaultMaxMessageBytes = 10 * 1024 * 1024;
inline constexpr char kDefaultPatientDomain[] = "patient.mssante.fr";
inline constexpr char kDefaultContentTypeCode[] = "04^1.2.250.1.213.2.2";
inline constexpr char kDefaultBodyPs[] =
    "Bonjour,\r\n\r\nVeuillez trouver ci-joint le document « ${title} » transmis par "
    "${hospital}.\r\n\r\nCe message a été envoyé automatiquement par le système "
    "d'information de l'établissement.";
inline constexpr char kDefaultBodyPatient[] =
    "Bonjour,\r\n\r\n${hospital} vous transmet le document « ${title} ». Vous le "
    "retrouverez aussi dans votre espace santé.\r\n\r\nCe message a été envoyé "
    "automatiquement.";

struct MssSettings {
  transport::SmtpServer smtp;
  std::string mailbox;            // From and envelope sender
  std::string product_reference;  // X-MSS-NIL
  std::string body_ps;
  std::string body_patient;
  uint64_t max_message_bytes = kDefaultMaxMessageBytes;
  std::string patient_domain;
  std::string source_id;
  dmp::xds::Code content_type;
  std::string sender_label;
  navette::config::Hospital hospital;
  // The identity environment is a test one: the INS test OIDs are accepted.
  bool allow_test_ins = false;
};

// host:port with the default port; InvalidArgument naming the text.
absl::StatusOr<std::pair<std::string, int>> ParseHostPort(std::string_view address,
                                                          int default_port);

// `config` with its defaults applied (mss_kind.cc). Opens no file.
absl::StatusOr<MssSettings> ResolveMssSettings(const navette::config::MssanteDestination& config,
                                               const navette::config::Hospital& hospital,
                                               const navette::config::IdentitySettings& identity);

}  // namespace navette::adapters::mssante
