// The IHE XDM package an MSSanté message carries (IHE ITI XDM, ZIP over
// e-mail; fr-specs.md §4.3): one archive IHE_XDM.ZIP laid out as a media,
// its entries always in this order:
//
//   INDEX.HTM                        HTML index: each document's title, linked
//   README.TXT                       sender, software, date (CRLF lines)
//   IHE_XDM/                         (directory entries, as on a media)
//   IHE_XDM/SUBSET01/
//   IHE_XDM/SUBSET01/METADATA.XML    lcm:SubmitObjectsRequest (ebRIM 3.0)
//   IHE_XDM/SUBSET01/<8.3 name>      each document's exact bytes, in input order
//
// METADATA.XML is the ITI-41 metadata without the ITI-41 envelope, written
// by the same code (adapters/dmp/xds/registry_objects.h), so the DMP's
// rules apply to it too:
//
//   rim:RegistryPackage    the SubmissionSet (patient and author of the first document)
//   rim:ExtrinsicObject    one DocumentEntry per document, id a fresh urn:uuid, with the
//                          slots hash (SHA-1 hex), size and URI (the file's 8.3 name,
//                          relative to SUBSET01) of its bytes
//   rim:Association        HasMember SubmissionSet -> entry (SubmissionSetStatus Original)
//   rim:Association        RPLC entry -> replaced entryUUID, for a replacement
//
// File names are ISO 9660 level 1 (what XDM asks of a media): upper case,
// A-Z 0-9 _, a stem of at most 8 and an extension of at most 3 characters,
// derived from the document's title so that a person opening the archive
// sees what is inside. METADATA.XML is never a document's name.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "adapters/dmp/xds/document_metadata.h"

namespace navette::adapters::mssante::xdm {

struct XdmDocument {
  dmp::xds::DocumentMetadata metadata;
  std::string bytes;  // the exact file bytes (CDA XML, or PDF); hashed and stored as given
  // urn:uuid of the DocumentEntry this one replaces (an RPLC association);
  // the replaced version's uniqueId (an OID) is refused.
  std::string replaced_entry_uuid = {};
};

struct XdmInput {
  std::vector<XdmDocument> documents;  // at least one, all for the same patient
  dmp::xds::SubmissionSet set;         // sourceId, uniqueId, time, contentType
  std::string sender = {};             // README.TXT: the establishment / applicative mailbox
  std::string software = {};           // README.TXT: "navette <version>"
};

struct XdmPackage {
  std::string zip;                       // IHE_XDM.ZIP bytes
  std::string metadata_xml;              // METADATA.XML as written in the zip
  std::vector<std::string> file_names;   // the documents' 8.3 names, in input order
  std::vector<std::string> entry_uuids;  // each DocumentEntry's urn:uuid, in input order
};

// InvalidArgument, naming the document ("XDM document 2: ...") and the XDS
// field, when the metadata breaks a rule the DMP applies (registry_objects.h
// CheckSubmissionSet / CheckDocument), when the documents name different
// patients or repeat a uniqueId, or when a document has no bytes. Internal
// when libzip fails.
absl::StatusOr<XdmPackage> BuildXdmPackage(const XdmInput& input);

// An ISO 9660 level-1 file name "STEM.EXT" (or "STEM" for an empty
// extension): UTF-8 folded to upper-case ASCII with the diacritics of the
// Latin letters stripped (É -> E, œ -> OE, decomposed accents dropped),
// every other run of characters turned into one '_', the stem cut to 8
// characters and the extension to 3; "DOC" when nothing is left of the
// stem. If the name is already in `taken` (names as this function returns
// them), the stem's end gives way to the smallest numeric suffix that makes
// it unique ("COMPTE_R.XML", "COMPTE_1.XML", ..., "COMPTE10.XML"). The name
// returned is added to `taken`.
std::string EightDotThreeName(std::string_view stem_hint, std::string_view extension,
                              std::set<std::string>* taken);

}  // namespace navette::adapters::mssante::xdm
