#include "routes/cda/n1_document.h"

#include "absl/strings/escaping.h"
#include "routes/cda/xml_tree.h"

namespace navette::routes::cda {

N1Model N1ModelFor(std::string_view type_code) {
  if (type_code == "11490-0") {
    return {"LDL-SES", "Lettre de liaison à la sortie de l'établissement de santé"};
  }
  if (type_code == "34874-8") return {"CR-OP", "Compte rendu opératoire"};
  if (type_code == "57833-6") return {"PRESC", "Prescription de produits de santé"};
  return {"N1", ""};
}

std::vector<TemplateId> N1TemplateIds() {
  return {{"2.16.840.1.113883.2.8.2.1", ""},
          {"1.2.250.1.213.1.1.1.1", ""},
          {"1.3.6.1.4.1.19376.1.2.20", ""}};
}

absl::StatusOr<std::string> BuildN1(HeaderInput header, std::string_view pdf) {
  if (pdf.empty()) return absl::InvalidArgumentError("the PDF to carry is empty");
  header.template_ids = N1TemplateIds();
  if (header.title.empty()) {
    N1Model model = N1ModelFor(header.record->type().code());
    header.title =
        !model.title.empty() ? std::string(model.title) : header.record->type().display();
  }
  if (header.title.empty()) {
    return absl::InvalidArgumentError("the document has no title and its type no display name");
  }
  XmlDocPtr doc = NewClinicalDocument();
  xmlNode* root = xmlDocGetRootElement(doc.get());
  if (absl::Status built = AddHeader(root, header); !built.ok()) return built;
  xmlNode* body = Add(Add(root, "component"), "nonXMLBody");
  Add(body, "text", {{"mediaType", "application/pdf"}, {"representation", "B64"}},
      absl::Base64Escape(absl::string_view(pdf.data(), pdf.size())));
  return Serialize(doc.get(), /*indent=*/true);
}

}  // namespace navette::routes::cda
