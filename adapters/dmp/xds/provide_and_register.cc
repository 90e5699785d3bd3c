#include "adapters/dmp/xds/provide_and_register.h"

#include "absl/strings/str_cat.h"
#include "adapters/dmp/xds/ebrim_writer.h"
#include "adapters/dmp/xds/registry_objects.h"
#include "adapters/dmp/xds/xds_codes.h"
#include "adapters/dmp/xds/xds_values.h"

namespace navette::adapters::dmp::xds {

absl::StatusOr<ProvideAndRegisterRequest> BuildProvideAndRegister(
    const DocumentMetadata& document, std::string_view document_bytes, const SubmissionSet& set,
    std::string_view replaced_entry_uuid, std::string_view content_id) {
  if (absl::Status status = CheckSubmissionSet(set, document.patient, document.author);
      !status.ok()) {
    return status;
  }
  if (absl::Status status = CheckDocument(document); !status.ok()) return status;
  // The trap of dmp-mss-notes.md §6.10: RPLC names the entryUUID; the
  // uniqueId (an OID) would be refused by the registry.
  if (!replaced_entry_uuid.empty() && !IsEntryUuid(replaced_entry_uuid)) {
    return absl::InvalidArgumentError(
        absl::StrCat("XDS RPLC target \"", std::string(replaced_entry_uuid),
                     "\" is not an entryUUID (urn:uuid:...); the replaced version's uniqueId "
                     "cannot be used"));
  }

  ProvideAndRegisterRequest request;
  request.entry_uuid = NewEntryUuid();
  request.submission_set_uuid = NewEntryUuid();
  request.content_id = content_id.empty() ? absl::StrCat(request.entry_uuid.substr(9), "@navette")
                                          : std::string(content_id);
  request.hash = Sha1Hex(document_bytes);
  request.size = document_bytes.size();

  RimWriter writer(kXdsbNamespace, "xdsb", "ProvideAndRegisterDocumentSetRequest");
  xmlNode* submit = writer.Element(writer.root(), writer.lcm(), "SubmitObjectsRequest");
  xmlNode* list = writer.Element(submit, writer.rim(), "RegistryObjectList");
  WriteSubmissionSet(&writer, list, request.submission_set_uuid, set, document.patient,
                     document.author);
  EntryIdentity entry;
  entry.id = request.entry_uuid;
  entry.hash = request.hash;
  entry.size = request.size;
  WriteDocumentEntry(&writer, list, entry, document);
  xmlNode* member =
      writer.Association(list, kHasMember, request.submission_set_uuid, request.entry_uuid);
  writer.Slot(member, "SubmissionSetStatus", {"Original"});
  if (!replaced_entry_uuid.empty()) {
    writer.Association(list, kReplaces, request.entry_uuid, replaced_entry_uuid);
  }

  xmlNode* body = writer.Element(writer.root(), writer.root()->ns, "Document");
  RimWriter::SetAttribute(body, "id", request.entry_uuid);
  xmlNode* include =
      xmlNewChild(body, nullptr, reinterpret_cast<const xmlChar*>("Include"), nullptr);
  xmlSetNs(include, xmlNewNs(include, reinterpret_cast<const xmlChar*>(kXopNamespace),
                             reinterpret_cast<const xmlChar*>("xop")));
  RimWriter::SetAttribute(include, "href", absl::StrCat("cid:", request.content_id));

  request.xml = writer.Serialize();
  return request;
}

}  // namespace navette::adapters::dmp::xds
