#include "routes/ins/document_patient.h"

#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "common/fmt_absl.h"
#include "routes/ins/identity_feed.h"
#include "routes/ins/ins_number.h"
#include "routes/patient_key.h"

namespace navette::routes::ins {
namespace {

using adapters::hl7v2::FieldPath;
using adapters::hl7v2::Message;

// A patient has a handful of names and addresses; the bound guards against a
// pathological message, not a real one.
constexpr int kMostRepetitions = 32;

// PID[1]-field[repetition].component.subcomponent; 0 leaves a level whole.
FieldPath Pid(int field, int repetition = 1, int component = 0, int subcomponent = 0) {
  return FieldPath::Of("PID", field, repetition, component, subcomponent);
}

std::string Value(const Message& message, const FieldPath& path) {
  return message.Get(path).value_or("");
}

// The index of the first PID (0-based, as Message counts), or 0 when there is
// none (index 0 is MSH).
size_t PidIndex(const Message& message) {
  for (size_t i = 1; i < message.segment_count(); ++i) {
    if (message.segment_id(i) == "PID") return i;
  }
  return 0;
}

bool HasPid(const Message& message) { return PidIndex(message) != 0; }

// The n-th (1-based) piece of `text` split on `separator`; empty when there
// are fewer pieces.
std::string_view Piece(std::string_view text, char separator, int n) {
  for (int i = 1; i < n; ++i) {
    size_t next = text.find(separator);
    if (next == std::string_view::npos) return "";
    text.remove_prefix(next + 1);
  }
  return text.substr(0, text.find(separator));
}

// PID field `field` as on the wire, every repetition; nullopt past the last
// field.
std::optional<std::string> PidFieldRaw(const Message& message, int field) {
  std::optional<std::string> raw;
  message.ForEach(Pid(field, 0), [&](std::string_view repetition) {
    if (raw) {
      raw->push_back(message.delimiters().repetition);
    } else {
      raw.emplace();
    }
    raw->append(repetition);
    return true;
  });
  return raw;
}

absl::Status NoPid() { return absl::InvalidArgumentError("PID: the message has no PID segment"); }

// The strict traits, each with the words and HL7 field that name it.
struct Trait {
  std::string_view words;
  std::string_view (*of)(const identity::StrictTraits&);
};
constexpr Trait kTraits[] = {
    {"birth name (PID-5.1)",
     [](const identity::StrictTraits& t) -> std::string_view { return t.birth_name(); }},
    {"first birth given name (PID-5.2)",
     [](const identity::StrictTraits& t) -> std::string_view {
       return t.first_birth_given_name();
     }},
    {"birth given names (PID-5.3)",
     [](const identity::StrictTraits& t) -> std::string_view { return t.birth_given_names(); }},
    {"birth date (PID-7)",
     [](const identity::StrictTraits& t) -> std::string_view { return t.birth_date(); }},
    {"sex (PID-8)", [](const identity::StrictTraits& t) -> std::string_view { return t.sex(); }},
    {"birthplace code (PID-11.9, BDL)",
     [](const identity::StrictTraits& t) -> std::string_view { return t.birthplace_code(); }},
};

// The repetitions of a PID field, every one, however many there are: a
// repetition is appended after the last.
int CountRepetitions(const Message& message, int field) {
  int count = 0;
  message.ForEach(Pid(field, 0), [&count](std::string_view) {
    ++count;
    return true;
  });
  return count;
}

// Where a new repetition of a PID field goes: in place of the field when it
// is empty, after the last repetition otherwise.
int NewRepetition(const Message& message, int field) {
  int count = CountRepetitions(message, field);
  if (count <= 1 && message.GetRaw(Pid(field, 1)).value_or("").empty()) return 1;
  return count + 1;
}

// The first repetition of a PID field whose component `component` is
// `value`; 0 when there is none.
int RepetitionWhere(const Message& message, int field, int component, std::string_view value) {
  for (int repetition = 1; repetition <= kMostRepetitions; ++repetition) {
    if (!message.Get(Pid(field, repetition, 1))) break;
    if (Value(message, Pid(field, repetition, component)) == value) return repetition;
  }
  return 0;
}

// The PID-3 repetitions that hold an INS, every one: none may be left stale.
std::vector<int> InsRepetitions(const Message& message) {
  std::vector<int> found;
  for (int repetition = 1; repetition <= kMostRepetitions; ++repetition) {
    if (!message.Get(Pid(3, repetition, 1))) break;
    std::string type = Value(message, Pid(3, repetition, 5));
    if (type == "INS" || type == "NH") found.push_back(repetition);
  }
  return found;
}

// Why the identity's INS may not be written into a document; OK if it may.
// `name_space` gets the CX.4.1 its OID goes with.
absl::Status CheckAttachable(const identity::Identity& identity, std::string& name_space) {
  if (!identity.has_ins() || identity.ins().matricule().empty()) {
    return absl::FailedPreconditionError("the identity has no INS: there is nothing to attach");
  }
  if (identity.status() != identity::QUALIFIED) {
    return absl::FailedPreconditionError(
        "the identity is not qualified: RNIV allows only a qualified identity's INS to be "
        "exchanged");
  }
  if (identity.doubtful() || identity.fictitious()) {
    return absl::FailedPreconditionError(
        "the identity is doubtful or fictitious: its INS may not be exchanged");
  }
  // The store holds only checked INS; the environment was checked then.
  auto oid = CheckInsOid(identity.ins().oid(), Environment::kTest);
  if (!oid.ok()) {
    return absl::FailedPreconditionError(
        fmt::format("the identity store's INS: {}", oid.status().message()));
  }
  name_space = oid->kind == InsKind::kNia ? "ASIP-SANTE-INS-NIA" : "ASIP-SANTE-INS-NIR";
  for (const Trait& trait : kTraits) {
    if (trait.of(identity.traits()).empty()) {
      return absl::FailedPreconditionError(fmt::format(
          "the identity store has no {}: an INS travels with its five strict traits", trait.words));
    }
  }
  return absl::OkStatus();
}

absl::Status WriteIns(Message& message, const identity::Ins& ins, std::string_view name_space) {
  std::vector<int> repetitions = InsRepetitions(message);
  if (repetitions.empty()) repetitions.push_back(NewRepetition(message, 3));
  for (int repetition : repetitions) {
    // Cleared first: what the old INS had beyond CX.5 (CX.7, its validity
    // start) belonged to it.
    for (const auto& [path, value] : std::vector<std::pair<FieldPath, std::string_view>>{
             {Pid(3, repetition), ""},
             {Pid(3, repetition, 1), ins.matricule()},
             {Pid(3, repetition, 4, 1), name_space},
             {Pid(3, repetition, 4, 2), ins.oid()},
             {Pid(3, repetition, 4, 3), "ISO"},
             {Pid(3, repetition, 5), "INS"},
         }) {
      if (absl::Status set = message.Set(path, value); !set.ok()) return set;
    }
  }
  return absl::OkStatus();
}

absl::Status WriteTraits(Message& message, const identity::StrictTraits& traits) {
  std::vector<std::pair<FieldPath, std::string_view>> writes;
  int name = RepetitionWhere(message, 5, 7, "L");
  if (name == 0) {
    name = NewRepetition(message, 5);
    writes.push_back({Pid(5, name, 7), "L"});
  }
  writes.push_back({Pid(5, name, 1), traits.birth_name()});
  writes.push_back({Pid(5, name, 2), traits.first_birth_given_name()});
  writes.push_back({Pid(5, name, 3), traits.birth_given_names()});
  // A time of birth the document carries is kept when its date is right.
  if (Value(message, Pid(7, 1, 1)).substr(0, 8) != traits.birth_date()) {
    writes.push_back({Pid(7, 1, 1), traits.birth_date()});
  }
  writes.push_back({Pid(8, 1), traits.sex()});
  int birthplace = RepetitionWhere(message, 11, 7, "BDL");
  if (birthplace == 0) {
    birthplace = NewRepetition(message, 11);
    writes.push_back({Pid(11, birthplace, 7), "BDL"});
  }
  writes.push_back({Pid(11, birthplace, 9), traits.birthplace_code()});
  for (const auto& [path, value] : writes) {
    if (absl::Status set = message.Set(path, value); !set.ok()) return set;
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status RemoveInsFromPid(Message& message) {
  const size_t index = PidIndex(message);
  if (index == 0) return NoPid();
  const adapters::hl7v2::Delimiters& delimiters = message.delimiters();
  std::string kept;
  int kept_count = 0;
  bool removed = false;
  message.ForEach(Pid(3, 0), [&](std::string_view repetition) {
    std::string_view type = Piece(repetition, delimiters.component, 5);
    if (type == "INS" || type == "NH") {
      removed = true;
      return true;
    }
    if (kept_count++ > 0) kept.push_back(delimiters.repetition);
    kept.append(repetition);
    return true;
  });
  if (!removed) return absl::OkStatus();
  // Message cannot drop a repetition: the PID is written again, each field
  // as it was on the wire but PID-3.
  std::string pid = "PID";
  for (int field = 1;; ++field) {
    std::optional<std::string> raw = field == 3 ? std::optional(kept) : PidFieldRaw(message, field);
    if (!raw && field > 3) break;
    pid.push_back(delimiters.field);
    pid.append(raw.value_or(""));
  }
  if (absl::Status removed_pid = message.RemoveSegment(index); !removed_pid.ok()) {
    return removed_pid;
  }
  return message.InsertSegment(index, pid);
}

std::vector<std::string> ChangedPidFields(const Message& before, const Message& after) {
  std::vector<std::string> changed;
  for (int field = 1;; ++field) {
    std::optional<std::string> old_text = PidFieldRaw(before, field);
    std::optional<std::string> new_text = PidFieldRaw(after, field);
    if (!old_text && !new_text) break;
    if (old_text.value_or("") != new_text.value_or("")) {
      changed.push_back(fmt::format("PID-{}", field));
    }
  }
  return changed;
}

absl::StatusOr<DocumentPatient> ReadDocumentPatient(const Message& message) {
  if (!HasPid(message)) return NoPid();
  DocumentPatient patient;
  patient.patient_key = PatientKey(message);
  if (int repetition = InsRepetition(message); repetition != 0) {
    identity::Ins ins;
    ins.set_matricule(Value(message, Pid(3, repetition, 1)));
    ins.set_oid(Value(message, Pid(3, repetition, 4, 2)));
    patient.ins = std::move(ins);
    patient.ins_field = fmt::format("PID-3[{}]", repetition);
  }
  patient.traits = ReadStrictTraits(message);
  return patient;
}

std::optional<std::string> FindDisagreement(const DocumentPatient& document,
                                            const identity::Identity& stored) {
  std::vector<std::string> differences;
  if (document.ins.has_value()) {
    if (!stored.has_ins() || stored.ins().matricule().empty()) {
      differences.push_back(fmt::format(
          "INS present in the document ({}) but not in the identity store", document.ins_field));
    } else {
      if (document.ins->matricule() != stored.ins().matricule()) {
        differences.push_back(fmt::format("INS matricule differs from the identity store ({}.1)",
                                          document.ins_field));
      }
      if (document.ins->oid() != stored.ins().oid()) {
        differences.push_back(
            fmt::format("INS OID differs from the identity store ({}.4.2)", document.ins_field));
      }
    }
  }
  for (const Trait& trait : kTraits) {
    std::string_view said = trait.of(document.traits);
    if (!said.empty() && said != trait.of(stored.traits())) {
      differences.push_back(fmt::format("{} differs from the identity store", trait.words));
    }
  }
  if (differences.empty()) return std::nullopt;
  std::string joined;
  for (size_t i = 0; i < differences.size(); ++i) {
    if (i > 0) joined += "; ";
    joined += differences[i];
  }
  return joined;
}

absl::Status AttachIdentityToPid(Message& message, const identity::Identity& identity) {
  std::string name_space;
  if (absl::Status attachable = CheckAttachable(identity, name_space); !attachable.ok()) {
    return attachable;
  }
  if (!HasPid(message)) return NoPid();
  // Set refuses only line breaks and missing segments: the PID is there, and
  // a value from the store with a line break must fail before anything is
  // written, so that the message is never left half changed.
  for (std::string_view value :
       {std::string_view(identity.ins().matricule()), std::string_view(identity.ins().oid())}) {
    if (value.find_first_of("\r\n") != std::string_view::npos) {
      return absl::FailedPreconditionError("the identity store's INS holds a line break");
    }
  }
  for (const Trait& trait : kTraits) {
    if (trait.of(identity.traits()).find_first_of("\r\n") != std::string_view::npos) {
      return absl::FailedPreconditionError(
          fmt::format("the identity store's {} holds a line break", trait.words));
    }
  }
  if (absl::Status written = WriteIns(message, identity.ins(), name_space); !written.ok()) {
    return written;
  }
  return WriteTraits(message, identity.traits());
}

}  // namespace navette::routes::ins
