#include "adapters/mssante/xdm/xdm_package.h"

#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "adapters/dmp/xds/ebrim_writer.h"
#include "adapters/dmp/xds/registry_objects.h"
#include "adapters/dmp/xds/xds_codes.h"
#include "adapters/dmp/xds/xds_values.h"
#include "adapters/mssante/xdm/xdm_media_files.h"
#include "adapters/mssante/xdm/xdm_zip.h"

namespace navette::adapters::mssante::xdm {
namespace {

namespace xds = ::navette::adapters::dmp::xds;

constexpr char kSubset[] = "IHE_XDM/SUBSET01/";
constexpr char kMetadataName[] = "METADATA.XML";

absl::Status DocumentError(size_t index, const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat("XDM document ", index + 1, ": ", why));
}

// The DMP's rules (an MSSanté receiver may feed the DMP from this package),
// and those of one submission set: one patient, distinct uniqueIds.
absl::Status CheckInput(const XdmInput& input) {
  if (input.documents.empty()) return absl::InvalidArgumentError("XDM package: no document");
  std::map<std::string, size_t> unique_ids;
  const xds::PatientIdentity& patient = input.documents.front().metadata.patient;
  for (size_t i = 0; i < input.documents.size(); ++i) {
    const XdmDocument& document = input.documents[i];
    const xds::DocumentMetadata& metadata = document.metadata;
    if (absl::Status status = xds::CheckSubmissionSet(input.set, metadata.patient, metadata.author);
        !status.ok()) {
      return DocumentError(i, std::string(status.message()));
    }
    if (absl::Status status = xds::CheckDocument(metadata); !status.ok()) {
      return DocumentError(i, std::string(status.message()));
    }
    if (metadata.patient.ins != patient.ins || metadata.patient.ins_oid != patient.ins_oid) {
      return DocumentError(i,
                           "XDS patientId differs from document 1's (a submission set has one "
                           "patient)");
    }
    if (auto [it, inserted] = unique_ids.emplace(metadata.unique_id, i); !inserted) {
      return DocumentError(i, absl::StrCat("XDS XDSDocumentEntry.uniqueId \"", metadata.unique_id,
                                           "\" is also document ", it->second + 1, "'s"));
    }
    if (document.bytes.empty()) return DocumentError(i, "no bytes");
    // dmp-mss-notes.md §6.10: RPLC names the entryUUID, never the uniqueId.
    if (!document.replaced_entry_uuid.empty() && !xds::IsEntryUuid(document.replaced_entry_uuid)) {
      return DocumentError(
          i, absl::StrCat("XDS RPLC target \"", document.replaced_entry_uuid,
                          "\" is not an entryUUID (urn:uuid:...); the replaced version's "
                          "uniqueId cannot be used"));
    }
  }
  return absl::OkStatus();
}

// The extension a receiver's viewer goes by.
std::string ExtensionFor(std::string_view mime_type) {
  const std::string type = absl::AsciiStrToLower(std::string(mime_type));
  if (type == "application/pdf") return "PDF";
  if (type == "text/plain") return "TXT";
  if (type == "text/html") return "HTM";
  if (type == "text/rtf" || type == "application/rtf") return "RTF";
  if (type == "image/jpeg") return "JPG";
  if (type == "image/png") return "PNG";
  if (type == "image/tiff") return "TIF";
  if (absl::EndsWith(type, "/xml") || absl::EndsWith(type, "+xml")) return "XML";
  return "BIN";
}

std::string MetadataXml(const XdmInput& input, const XdmPackage& package) {
  const xds::DocumentMetadata& first = input.documents.front().metadata;
  xds::RimWriter writer(xds::kLcmNamespace, "lcm", "SubmitObjectsRequest");
  xmlNode* list = writer.Element(writer.root(), writer.rim(), "RegistryObjectList");
  const std::string set_uuid = xds::NewEntryUuid();
  xds::WriteSubmissionSet(&writer, list, set_uuid, input.set, first.patient, first.author);
  for (size_t i = 0; i < input.documents.size(); ++i) {
    const XdmDocument& document = input.documents[i];
    xds::EntryIdentity entry;
    entry.id = package.entry_uuids[i];
    entry.hash = xds::Sha1Hex(document.bytes);
    entry.size = document.bytes.size();
    entry.uri = package.file_names[i];
    xds::WriteDocumentEntry(&writer, list, entry, document.metadata);
  }
  for (size_t i = 0; i < input.documents.size(); ++i) {
    xmlNode* member = writer.Association(list, xds::kHasMember, set_uuid, package.entry_uuids[i]);
    writer.Slot(member, "SubmissionSetStatus", {"Original"});
  }
  for (size_t i = 0; i < input.documents.size(); ++i) {
    const std::string& replaced = input.documents[i].replaced_entry_uuid;
    if (!replaced.empty()) {
      writer.Association(list, xds::kReplaces, package.entry_uuids[i], replaced);
    }
  }
  return writer.Serialize();
}

}  // namespace

absl::StatusOr<XdmPackage> BuildXdmPackage(const XdmInput& input) {
  if (absl::Status status = CheckInput(input); !status.ok()) return status;

  XdmPackage package;
  std::set<std::string> taken = {kMetadataName};
  std::vector<IndexLine> index;
  for (size_t i = 0; i < input.documents.size(); ++i) {
    const xds::DocumentMetadata& metadata = input.documents[i].metadata;
    const std::string hint =
        metadata.title.empty() ? absl::StrFormat("DOC%04d", i + 1) : metadata.title;
    package.file_names.push_back(EightDotThreeName(hint, ExtensionFor(metadata.mime_type), &taken));
    package.entry_uuids.push_back(xds::NewEntryUuid());
    index.push_back({metadata.title, kSubset + package.file_names.back(), metadata.mime_type});
  }
  package.metadata_xml = MetadataXml(input, package);

  const std::string index_htm = IndexHtm(index);
  const std::string readme_txt =
      ReadmeTxt(input.sender, input.software, input.set.time, input.documents.size());
  std::vector<ZipEntry> entries = {{"INDEX.HTM", index_htm},
                                   {"README.TXT", readme_txt},
                                   {"IHE_XDM/"},
                                   {kSubset},
                                   {absl::StrCat(kSubset, kMetadataName), package.metadata_xml}};
  for (size_t i = 0; i < input.documents.size(); ++i) {
    entries.push_back({index[i].path, input.documents[i].bytes});
  }
  absl::StatusOr<std::string> zip = WriteZip(entries, input.set.time);
  if (!zip.ok()) return zip.status();
  package.zip = *std::move(zip);
  return package;
}

}  // namespace navette::adapters::mssante::xdm
