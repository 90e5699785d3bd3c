#include "tests/dmp-sim/dmp_server.h"

#include <httplib.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <csignal>
#include <thread>

#include "absl/strings/str_cat.h"
#include "tests/dmp-sim/dmp_responses.h"
#include "tests/dmp-sim/dmp_transactions.h"
#include "tests/dmp-sim/serving_thread.h"

namespace navette::testing::dmp_sim {
namespace {

std::string SoapContentType(const std::string& action) {
  return absl::StrCat("application/soap+xml; charset=UTF-8; action=\"", action, "\"");
}

const char* ResponseAction(Transaction transaction) {
  return transaction == Transaction::kProvideAndRegister ? kProvideAndRegisterResponseAction
                                                         : kUpdateDocumentSetResponseAction;
}

void AnswerRegistry(Transaction transaction, std::string_view relates_to,
                    const std::vector<XdsError>& errors, httplib::Response& response,
                    const std::vector<XdsError>& warnings = {}) {
  response.status = 200;
  response.set_content(
      WriteRegistryResponse(ResponseAction(transaction), relates_to, errors, warnings),
      SoapContentType(ResponseAction(transaction)));
}

// "ITI-41 Failure: XDSRegistryMetadataError (…)" and the warnings, for
// DmpServerOptions::on_answer.
std::string AnswerLine(Transaction transaction, const CheckedRequest& checked,
                       const std::vector<XdsError>& errors) {
  std::string line = transaction == Transaction::kProvideAndRegister ? "ITI-41 " : "ITI-57 ";
  if (checked.fault.has_value()) {
    absl::StrAppend(&line, "Fault ", checked.fault->code, "/", checked.fault->subcode, ": ",
                    checked.fault->reason);
  } else if (!errors.empty()) {
    absl::StrAppend(&line, "Failure");
    for (const XdsError& error : errors) {
      absl::StrAppend(&line, "; ", error.code, ": ", error.context);
    }
  } else {
    absl::StrAppend(&line, "Success");
  }
  for (const XdsError& warning : checked.warnings) {
    absl::StrAppend(&line, "\n  warning ", warning.code, ": ", warning.context);
  }
  return line;
}

}  // namespace

DmpServer::DmpServer(DmpServerOptions options) : options_(std::move(options)) {}

DmpServer::~DmpServer() { Stop(); }

absl::Status DmpServer::Start() {
  if (server_ != nullptr) return absl::FailedPreconditionError("the DMP simulator is started");
  // A client that hangs up while we write must not kill the test process
  // with SIGPIPE (OpenSSL writes with plain send()); `drop` does it on
  // purpose.
  std::signal(SIGPIPE, SIG_IGN);
  std::string setup_error;
  server_ = std::make_unique<httplib::SSLServer>([this, &setup_error](SSL_CTX& context) {
    SSL_CTX_set_min_proto_version(&context, TLS1_2_VERSION);
    const DmpServerOptions& o = options_;
    if (SSL_CTX_use_certificate_chain_file(&context, o.certificate_path.c_str()) != 1) {
      setup_error = absl::StrCat("server certificate ", o.certificate_path, " cannot be used");
    } else if (SSL_CTX_use_PrivateKey_file(&context, o.key_path.c_str(), SSL_FILETYPE_PEM) != 1 ||
               SSL_CTX_check_private_key(&context) != 1) {
      setup_error = absl::StrCat("server key ", o.key_path, " cannot be used with the certificate");
    } else if (SSL_CTX_load_verify_locations(&context, o.client_ca_path.c_str(), nullptr) != 1) {
      setup_error = absl::StrCat("client CA ", o.client_ca_path, " cannot be read");
    }
    if (!setup_error.empty()) return false;
    SSL_CTX_set_client_CA_list(&context, SSL_load_client_CA_file(o.client_ca_path.c_str()));
    // The client certificate is mandatory: no certificate, no handshake.
    SSL_CTX_set_verify(&context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    // A server that verifies clients must name its session cache, or
    // OpenSSL refuses every resumed session with an internal-error alert.
    static constexpr unsigned char kSessionContext[] = "navette-dmp-sim";
    SSL_CTX_set_session_id_context(&context, kSessionContext, sizeof(kSessionContext) - 1);
    return true;
  });
  if (!server_->is_valid()) {
    server_.reset();
    return absl::FailedPreconditionError(
        absl::StrCat("DMP simulator TLS setup: ", setup_error.empty() ? "failed" : setup_error));
  }
  server_->Post(kRepositoryPath,
                [this](const httplib::Request& request, httplib::Response& response) {
                  Handle(Transaction::kProvideAndRegister, request, response);
                });
  server_->Post(kRegistryPath,
                [this](const httplib::Request& request, httplib::Response& response) {
                  Handle(Transaction::kUpdateDocumentSet, request, response);
                });
  absl::StatusOr<int> bound =
      serving_.Start(*server_, options_.host, options_.port, "DMP simulator");
  if (!bound.ok()) {
    server_.reset();
    return bound.status();
  }
  port_ = *bound;
  return absl::OkStatus();
}

void DmpServer::Stop() {
  if (server_ == nullptr) return;
  serving_.Stop(*server_);
  server_.reset();
}

void DmpServer::Handle(Transaction transaction, const httplib::Request& request,
                       httplib::Response& response) {
  ++requests_;
  const std::string content_type = request.get_header_value("Content-Type");
  std::chrono::milliseconds hold{0};
  if (std::optional<CannedAnswer> canned = faults_.Pop()) {
    switch (canned->kind) {
      case CannedAnswer::Kind::kHold:
        hold = canned->delay;
        break;
      case CannedAnswer::Kind::kBusy:
        AnswerRegistry(transaction, MessageIdOf(content_type, request.body),
                       {{"XDSRegistryBusy", "canned answer: busy", ""}}, response);
        return;
      case CannedAnswer::Kind::kHttp503:
        response.status = 503;
        response.set_content("Service Unavailable (canned answer)", "text/plain");
        return;
      case CannedAnswer::Kind::kSlow:
        // The delay is the behaviour under test (a slow DMP), not a wait
        // for something to happen.
        std::this_thread::sleep_for(canned->delay);
        break;
      case CannedAnswer::Kind::kError:
        AnswerRegistry(transaction, MessageIdOf(content_type, request.body),
                       {{canned->error_code, "canned answer", ""}}, response);
        return;
      case CannedAnswer::Kind::kDrop:
        // Closing the socket under httplib: the client sees the connection
        // end with no HTTP answer; httplib's own write then fails quietly.
        ::shutdown(SSL_get_fd(request.ssl), SHUT_RDWR);
        return;
    }
  }
  X509* peer = request.ssl != nullptr ? SSL_get1_peer_certificate(request.ssl) : nullptr;
  CheckedRequest checked =
      CheckRequest(transaction, content_type, request.body, peer, options_.policy);
  X509_free(peer);
  if (checked.fault.has_value()) {
    response.status = checked.fault->code == "Receiver" ? 500 : 400;
    response.set_content(WriteSoapFault(checked.message_id, *checked.fault),
                         SoapContentType(kSoapFaultAction));
    if (options_.on_answer) options_.on_answer(AnswerLine(transaction, checked, {}));
    return;
  }
  const std::vector<XdsError> errors = !checked.errors.empty() ? checked.errors
                                       : transaction == Transaction::kProvideAndRegister
                                           ? ApplyProvideAndRegister(checked, &registry_)
                                           : ApplyUpdateDocumentSet(checked, &registry_);
  AnswerRegistry(transaction, checked.message_id, errors, response, checked.warnings);
  if (options_.on_answer) options_.on_answer(AnswerLine(transaction, checked, errors));
  // Applied, not yet answered: the behaviour under test (an answer the
  // client never gets), not a wait for something to happen.
  if (hold.count() > 0) std::this_thread::sleep_for(hold);
}

}  // namespace navette::testing::dmp_sim
