// The document pipeline of a PFI, measured per document for the documents
// benchmark (documents_bench.cc): the contract mapping a profiled source
// runs on each message (adapters/documents/contract.h), build_cda (build or
// complete, routes/cda/build_cda_step.h) and the XSD validation it ends
// with, on the same inputs as the engine sees them.
#pragma once

#include <string>
#include <vector>

namespace navette::bench {

struct PipelineInput {
  std::string name;     // "PDF letter (MDM^T02)", "CR-BIO N3 (ORU^R01)"
  std::string message;  // the HL7 v2 message, UTF-8
  bool dpi = false;     // read under the dpi profile, else sgl
};

// The MDM^T02 of a discharge letter whose OBX-5 carries `pdf` alone, and
// an ORU^R01 made from the ANS sample that carries `cda` (a CR-BIO N3)
// with its INS removed from the recordTarget, so that build_cda completes
// it.
PipelineInput PdfLetterMessage(const std::string& pdf);
PipelineInput CrBioMessage(const std::string& sample_oru, std::string cda);

// Each stage's result for one run, for the bench's note column: empty when
// every stage did its job.
struct PipelineStages {
  std::string contract_error;
  std::string build_error;
  std::string validation_error;
  size_t cda_bytes = 0;
};

// Contract mapping only.
std::string RunContract(const PipelineInput& input);
// Contract mapping, build_cda and validation (schemas in `schema_dir`).
PipelineStages RunPipeline(const PipelineInput& input, const std::string& schema_dir);

}  // namespace navette::bench
