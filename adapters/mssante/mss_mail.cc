#include "adapters/mssante/mss_mail.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include <charconv>
#include <memory>

#include <fmt/format.h>

#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "adapters/dmp/dmp_document.h"
#include "adapters/dmp/xds/cda_metadata.h"
#include "adapters/dmp/xds/xds_values.h"
#include "adapters/documents/base64.h"
#include "adapters/mssante/mime/mail_message.h"
#include "adapters/mssante/xdm/xdm_package.h"

namespace navette::adapters::mssante {
namespace {

using navette::document::Part;

constexpr char kMessageIdPrefix[] = "navette.";

std::string DomainOf(std::string_view mailbox) {
  const size_t at = mailbox.rfind('@');
  return at == std::string_view::npos ? std::string("navette.invalid")
                                      : std::string(mailbox.substr(at + 1));
}

// "19880912" -> "12/09/1988"; other forms as they are.
std::string FrenchDate(std::string_view yyyymmdd) {
  if (yyyymmdd.size() < 8) return std::string(yyyymmdd);
  return fmt::format("{}/{}/{}", yyyymmdd.substr(6, 2), yyyymmdd.substr(4, 2),
                     yyyymmdd.substr(0, 4));
}

std::string TitleOf(const navette::document::Document& record,
                    const dmp::xds::DocumentMetadata& metadata) {
  if (!record.title().empty()) return record.title();
  if (!metadata.title.empty()) return metadata.title;
  return record.type().display();
}

// The subject's text after XDM/1.0/DDM+: the document's title, then the
// patient as the volet's examples name them (birth name, first name, birth
// date).
std::string SubjectText(const navette::document::Document& record, std::string_view title) {
  std::vector<std::string> words = {std::string(title)};
  const navette::document::Patient& patient = record.patient();
  if (!patient.birth_name().empty()) words.push_back(patient.birth_name());
  if (!patient.given_name().empty()) words.push_back(patient.given_name());
  if (!patient.birth_date().empty()) words.push_back(FrenchDate(patient.birth_date()));
  return absl::StrJoin(words, " ");
}

bool IsInsOid(std::string_view oid) {
  return oid == "1.2.250.1.213.1.4.8" || oid == "1.2.250.1.213.1.4.9" ||
         oid == "1.2.250.1.213.1.4.10" || oid == "1.2.250.1.213.1.4.11";
}

// Debian's abseil has its own string_view.
absl::string_view Absl(std::string_view text) { return {text.data(), text.size()}; }

std::string FillTemplate(std::string_view text, std::string_view title, std::string_view hospital) {
  return absl::StrReplaceAll(Absl(text),
                             {{"${title}", Absl(title)}, {"${hospital}", Absl(hospital)}});
}

dmp::xds::SubmissionSet SubmissionSetFor(const MssSettings& settings, absl::Time now) {
  dmp::DmpSettings dmp;  // only what a submission set needs
  dmp.source_id = settings.source_id;
  dmp.content_type = settings.content_type;
  dmp.allow_test_ins = settings.allow_test_ins;
  return dmp::NewSubmissionSet(dmp, now);
}

}  // namespace

std::string NewMailMessageId(uint64_t message_id, std::string_view destination, Audience audience,
                             std::string_view mailbox) {
  // 32 random hex digits, from the entryUUID generator (RAND_bytes).
  const std::string uuid = dmp::xds::NewEntryUuid();
  const std::string nonce =
      absl::StrReplaceAll(Absl(uuid).substr(sizeof("urn:uuid:") - 1), {{"-", ""}});
  return fmt::format("{}{}.{}.{}.{}@{}", kMessageIdPrefix, message_id, destination,
                     audience == Audience::kPatient ? 't' : 'p', nonce, DomainOf(mailbox));
}

std::optional<MailOrigin> ParseMailMessageId(std::string_view message_id) {
  if (!message_id.empty() && message_id.front() == '<') message_id.remove_prefix(1);
  if (!message_id.empty() && message_id.back() == '>') message_id.remove_suffix(1);
  const size_t at = message_id.rfind('@');
  if (at == std::string_view::npos || !message_id.starts_with(kMessageIdPrefix)) {
    return std::nullopt;
  }
  // navette.<id>.<destination>.<p|t>.<nonce>: the destination may hold dots.
  const std::string_view local =
      message_id.substr(sizeof(kMessageIdPrefix) - 1, at - (sizeof(kMessageIdPrefix) - 1));
  const size_t first = local.find('.');
  const size_t nonce = local.rfind('.');
  if (first == std::string_view::npos || nonce == first) return std::nullopt;
  const size_t audience = local.rfind('.', nonce - 1);
  if (audience == std::string_view::npos || audience <= first) return std::nullopt;
  MailOrigin origin;
  const std::string_view id = local.substr(0, first);
  auto [end, error] = std::from_chars(id.data(), id.data() + id.size(), origin.message_id);
  if (error != std::errc() || end != id.data() + id.size() || origin.message_id == 0) {
    return std::nullopt;
  }
  origin.destination = std::string(local.substr(first + 1, audience - first - 1));
  if (origin.destination.empty()) return std::nullopt;
  return origin;
}

std::string PdfCopyOf(const navette::document::Document& record, std::string_view cda) {
  for (const Part& part : record.parts()) {
    if (part.kind() == Part::PDF && !part.content().empty()) return part.content();
  }
  std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)> doc(
      xmlReadMemory(cda.data(), static_cast<int>(cda.size()), "cda.xml", nullptr,
                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING),
      xmlFreeDoc);
  if (doc == nullptr) return {};
  std::unique_ptr<xmlXPathContext, decltype(&xmlXPathFreeContext)> context(
      xmlXPathNewContext(doc.get()), xmlXPathFreeContext);
  xmlXPathRegisterNs(context.get(), BAD_CAST "h", BAD_CAST "urn:hl7-org:v3");
  std::unique_ptr<xmlXPathObject, decltype(&xmlXPathFreeObject)> found(
      xmlXPathEvalExpression(BAD_CAST "/h:ClinicalDocument/h:component/h:nonXMLBody/"
                                      "h:text[@mediaType='application/pdf']",
                             context.get()),
      xmlXPathFreeObject);
  if (found == nullptr || found->nodesetval == nullptr || found->nodesetval->nodeNr == 0) return {};
  xmlChar* text = xmlNodeGetContent(found->nodesetval->nodeTab[0]);
  std::string base64 = text == nullptr ? "" : reinterpret_cast<const char*>(text);
  xmlFree(text);
  std::erase_if(base64, [](char c) { return c == '\n' || c == '\r' || c == ' ' || c == '\t'; });
  return documents::DecodeBase64(base64).value_or("");
}

absl::StatusOr<MailContent> ReadMailContent(const MailInput& input) {
  const navette::document::Document& record = *input.record;
  const MssSettings& settings = *input.settings;
  if (input.cda.empty()) {
    return absl::InvalidArgumentError(
        "the route must build the CDA (build_cda) before an mssante destination: the message "
        "carries no CDA to pack in IHE_XDM.ZIP");
  }
  auto metadata = dmp::xds::ReadCdaMetadata(input.cda);
  if (!metadata.ok()) return metadata.status();
  dmp::xds::ApplyHospitalDefaults(settings.hospital, &*metadata);
  dmp::xds::ApplyDocumentRecord(record, &*metadata);

  xdm::XdmInput package_input;
  package_input.set = SubmissionSetFor(settings, input.now);
  package_input.sender = fmt::format("{} <{}>", settings.sender_label, settings.mailbox);
  package_input.software = "navette";
  package_input.documents.push_back({*metadata, std::string(input.cda)});
  auto package = xdm::BuildXdmPackage(package_input);
  if (!package.ok()) return package.status();

  MailContent content;
  content.title = TitleOf(record, *metadata);
  content.type_code = metadata->type.code;
  content.has_ins = !metadata->patient.ins.empty() && IsInsOid(metadata->patient.ins_oid);
  content.attachments.push_back({"IHE_XDM.ZIP", "application/zip", std::move(package->zip)});
  if (std::string pdf = PdfCopyOf(record, input.cda); !pdf.empty()) {
    // Beside the archive's document, under its 8.3 name.
    const std::string& name = package->file_names.front();
    content.attachments.push_back(
        {name.substr(0, name.find('.')) + ".PDF", "application/pdf", std::move(pdf)});
  }
  return content;
}

absl::StatusOr<OutgoingMail> BuildMail(const MailInput& input, const MailContent& content,
                                       Audience audience, std::vector<MailRecipient> recipients,
                                       bool no_reply) {
  const navette::document::Document& record = *input.record;
  const MssSettings& settings = *input.settings;
  mime::MailMessage mail;
  mail.from = settings.mailbox;
  for (const MailRecipient& recipient : recipients) mail.to.push_back(recipient.address);
  for (const auto& participant : record.participants()) {
    if (participant.role() == navette::document::Participant::REPLY_TO &&
        !participant.address().empty()) {
      mail.reply_to = participant.address();
      break;
    }
  }
  mail.subject = mime::XdmSubject(SubjectText(record, content.title));
  const bool patient = audience == Audience::kPatient;
  const std::string& body = patient ? record.mail_body_patient() : record.mail_body_ps();
  mail.body_text = !body.empty() ? body
                                 : FillTemplate(patient ? settings.body_patient : settings.body_ps,
                                                content.title, settings.sender_label);
  mail.message_id =
      NewMailMessageId(input.message_id, input.destination, audience, settings.mailbox);
  mail.date = input.now;
  mail.headers.emplace_back("X-MSS-NIL", settings.product_reference);
  mail.headers.emplace_back("X-MSS-CODECDA", content.type_code);
  mail.headers.emplace_back("X-MSS-INS", content.has_ins ? "O" : "N");
  if (patient && no_reply) mail.headers.emplace_back("X-MSS-MES", "FIN");
  if (record.flags().ack_lecture_mss()) mail.disposition_notification_to = settings.mailbox;
  mail.attachments = content.attachments;
  auto rendered = mime::RenderMessage(mail);
  if (!rendered.ok()) return rendered.status();
  return OutgoingMail{audience, std::move(recipients), std::move(mail.message_id),
                      std::move(*rendered)};
}

}  // namespace navette::adapters::mssante
