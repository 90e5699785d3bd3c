#include "tests/e2e/dmp/dmp_tampering_proxy.h"

#include <openssl/ssl.h>

#include <utility>

#include <httplib.h>

#include "absl/strings/str_cat.h"
#include "adapters/dmp/transport/dmp_client.h"
#include "adapters/dmp/vihf/vihf_signer.h"
#include "adapters/dmp/vihf/vihf_xml.h"
#include "adapters/dmp/xds/xds_codes.h"

namespace navette::testing {

namespace transport = ::navette::adapters::dmp::transport;
namespace vihf = ::navette::adapters::dmp::vihf;

DmpTamperingProxy::DmpTamperingProxy(DmpProxyOptions options) : options_(std::move(options)) {}

DmpTamperingProxy::~DmpTamperingProxy() { Stop(); }

void DmpTamperingProxy::set_tamper(Tamper tamper) {
  std::lock_guard lock(mutex_);
  tamper_ = std::move(tamper);
}

absl::Status DmpTamperingProxy::Start() {
  const DmpProxyOptions& o = options_;
  bool loaded = true;
  server_ = std::make_unique<httplib::SSLServer>([&o, &loaded](SSL_CTX& context) {
    SSL_CTX_set_min_proto_version(&context, TLS1_2_VERSION);
    loaded = SSL_CTX_use_certificate_chain_file(&context, o.certificate_path.c_str()) == 1 &&
             SSL_CTX_use_PrivateKey_file(&context, o.key_path.c_str(), SSL_FILETYPE_PEM) == 1 &&
             SSL_CTX_load_verify_locations(&context, o.client_ca_path.c_str(), nullptr) == 1;
    SSL_CTX_set_verify(&context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    static const unsigned char kContext[] = "navette-dmp-proxy";
    SSL_CTX_set_session_id_context(&context, kContext, sizeof(kContext) - 1);
    return true;
  });
  if (!loaded || !server_->is_valid()) {
    return absl::FailedPreconditionError("the proxy's TLS files do not load");
  }
  auto forward = [this](const httplib::Request& request, httplib::Response& response) {
    Tamper tamper;
    {
      std::lock_guard lock(mutex_);
      tamper = tamper_;
    }
    // One client per request: the proxy serves the tests' few requests.
    auto client = transport::DmpClient::Create(absl::StrCat(options_.upstream, request.path),
                                               options_.upstream_tls);
    if (!client.ok()) {
      response.status = 502;
      response.set_content(std::string(client.status().message()), "text/plain");
      return;
    }
    std::string body = tamper ? tamper(request.body) : request.body;
    auto answer = (*client)->Post(request.get_header_value("Content-Type"), body);
    if (!answer.transport_error.empty()) {
      response.status = 502;
      response.set_content(answer.transport_error, "text/plain");
      return;
    }
    response.status = answer.http_status;
    response.set_content(answer.body, answer.content_type);
  };
  server_->Post(".*", forward);
  absl::StatusOr<int> bound = serving_.Start(*server_, "127.0.0.1", 0, "the proxy");
  if (!bound.ok()) return bound.status();
  port_ = *bound;
  return absl::OkStatus();
}

void DmpTamperingProxy::Stop() {
  if (server_) serving_.Stop(*server_);
}

namespace tamper {
namespace {

// The value of attribute `name` in the start tag that contains `at`.
bool ReplaceAttributeInTag(std::string& body, size_t at, std::string_view name,
                           std::string_view value) {
  const size_t start = body.rfind('<', at);
  const size_t end = body.find('>', at);
  if (start == std::string::npos || end == std::string::npos) return false;
  const std::string key = std::string(name) + "=\"";
  const size_t attribute = body.find(key, start);
  if (attribute == std::string::npos || attribute > end) return false;
  const size_t value_start = attribute + key.size();
  const size_t value_end = body.find('"', value_start);
  body.replace(value_start, value_end - value_start, value);
  return true;
}

}  // namespace

std::string AlterSignature(std::string body) {
  const size_t tag = body.find("SignatureValue>");
  if (tag == std::string::npos) return body;
  const size_t at = tag + sizeof("SignatureValue>") - 1 + 10;
  body[at] = body[at] == 'A' ? 'B' : 'A';
  return body;
}

std::string WrongInsKey(std::string body) {
  // patientId: <matricule>^^^&<OID>&ISO^NH (the & escaped in XML text); the
  // key is the matricule's last two digits, in the submission set's and the
  // entry's patientId alike, and in the VIHF's resource-id (whose signature
  // then needs remaking: see ResignVihfWith).
  const size_t suffix = body.find("^^^&amp;1.2.250.1.213.1.4.");
  if (suffix == std::string::npos || suffix < 15) return body;
  const std::string matricule = body.substr(suffix - 15, 15);
  std::string wrong = matricule;
  wrong[13] = wrong[13] == '0' ? '1' : '0';
  const std::string from = matricule + "^^^&amp;";
  for (size_t at = body.find(from); at != std::string::npos; at = body.find(from, at + 1)) {
    body.replace(at, matricule.size(), wrong);
  }
  return body;
}

std::string ClassCodeOutsideValueSet(std::string body) {
  const size_t scheme = body.find(
      absl::StrCat("classificationScheme=\"", adapters::dmp::xds::kClassCodeScheme, "\""));
  if (scheme != std::string::npos) ReplaceAttributeInTag(body, scheme, "nodeRepresentation", "99");
  return body;
}

DmpTamperingProxy::Tamper ResignVihfWith(std::string key_path, std::string certificate_path) {
  return [key_path, certificate_path](std::string body) {
    const size_t start = body.find("<saml2:Assertion");
    const std::string end_tag = "</saml2:Assertion>";
    const size_t end = body.find(end_tag, start);
    if (start == std::string::npos || end == std::string::npos) return body;
    auto signer = vihf::VihfSigner::FromPemFiles(key_path, certificate_path);
    auto doc = vihf::ParseXml(body.substr(start, end + end_tag.size() - start));
    if (!signer.ok() || !doc.ok()) return body;
    auto assertion = vihf::FindAssertion(doc->get());
    if (!assertion.ok()) return body;
    xmlNode* signature =
        vihf::FirstChildElement(*assertion, "http://www.w3.org/2000/09/xmldsig#", "Signature");
    if (signature == nullptr) return body;
    xmlUnlinkNode(signature);
    xmlFreeNode(signature);
    if (!signer->Sign(doc->get(), vihf::DigestAlgorithm::kSha256).ok()) return body;
    body.replace(start, end + end_tag.size() - start, vihf::SerializeElement(*assertion));
    return body;
  };
}

}  // namespace tamper
}  // namespace navette::testing
