#include "routes/ins/identity_feed.h"

#include <optional>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "adapters/hl7v2/charset.h"
#include "adapters/hl7v2/message_view.h"
#include "routes/patient_key.h"

namespace navette::routes::ins {
namespace {

using adapters::hl7v2::FieldPath;
using adapters::hl7v2::Message;

// A patient has a handful of identifiers, names and addresses; the bound
// guards against a pathological message, not a real one.
constexpr int kMostRepetitions = 32;

// SEG[1]-field[repetition].component.subcomponent; 0 leaves a level whole.
FieldPath At(std::string segment, int field, int repetition = 1, int component = 0,
             int subcomponent = 0) {
  return FieldPath::Of(std::move(segment), field, repetition, component, subcomponent);
}

std::string Value(const Message& message, const FieldPath& path) {
  return message.Get(path).value_or("");
}

bool Exists(const Message& message, const FieldPath& path) { return message.Get(path).has_value(); }

// The first repetition of SEG-field whose component `component` is `value`;
// 0 when there is none.
int RepetitionWhere(const Message& message, const std::string& segment, int field, int component,
                    std::string_view value) {
  for (int repetition = 1; repetition <= kMostRepetitions; ++repetition) {
    if (!Exists(message, At(segment, field, repetition, 1))) break;
    if (Value(message, At(segment, field, repetition, component)) == value) return repetition;
  }
  return 0;
}

int CountSegments(const Message& message, std::string_view id) {
  int count = 0;
  for (size_t i = 0; i < message.segment_count(); ++i) {
    if (message.segment_id(i) == id) ++count;
  }
  return count;
}

IdentityFeedEvent::Kind KindOf(std::string_view trigger) {
  using Kind = IdentityFeedEvent::Kind;
  for (std::string_view update : {"A28", "A31", "A08", "A01", "A04", "A05"}) {
    if (trigger == update) return Kind::kUpdate;
  }
  if (trigger == "A40") return Kind::kMerge;
  if (trigger == "A47") return Kind::kChangeId;
  return Kind::kIgnored;
}

const ReliabilityTable& TableOf(const IdentityFeedOptions& options) {
  static const ReliabilityTable kDefault = ReliabilityTable::Default();
  return options.table != nullptr ? *options.table : kDefault;
}

// PID-3: the IPP and, when there is one, the INS, checked.
absl::Status ReadIdentifiers(const Message& message, Environment environment,
                             identity::Identity& identity) {
  // The caller has checked that PID-3 gives a patient key: this is the
  // repetition it was read from.
  int ipp = PatientKeyRepetition(message, "PID", 3);
  identity.set_ipp(Value(message, At("PID", 3, ipp, 1)));
  identity.set_authority(Value(message, At("PID", 3, ipp, 4)));

  int ins = InsRepetition(message);
  if (ins == 0) return absl::OkStatus();
  std::string matricule = Value(message, At("PID", 3, ins, 1));
  std::string oid = Value(message, At("PID", 3, ins, 4, 2));
  if (auto checked = CheckIns(matricule, oid, environment); !checked.ok()) {
    // CheckIns never quotes the matricule; most of its messages start with
    // "INS", the one for a foreign OID does not.
    absl::string_view said = checked.status().message();
    std::string_view rule(said.data(), said.size());
    return absl::InvalidArgumentError(
        fmt::format("PID-3[{}]: {}{}", ins, rule.starts_with("INS") ? "" : "INS: ", rule));
  }
  identity.mutable_ins()->set_matricule(std::move(matricule));
  identity.mutable_ins()->set_oid(std::move(oid));
  return absl::OkStatus();
}

void ReadUsedNames(const Message& message, identity::Identity& identity) {
  for (int repetition = 1; repetition <= kMostRepetitions; ++repetition) {
    if (!Exists(message, At("PID", 5, repetition, 1))) break;
    if (Value(message, At("PID", 5, repetition, 7)) != "D") continue;
    identity::UsedName* used = identity.add_used_names();
    used->set_family(Value(message, At("PID", 5, repetition, 1, 1)));
    used->set_given(Value(message, At("PID", 5, repetition, 2)));
  }
}

void ReadReliability(const Message& message, const ReliabilityTable& table,
                     identity::Identity& identity) {
  std::vector<std::string> codes;
  for (int repetition = 1; repetition <= kMostRepetitions; ++repetition) {
    std::optional<std::string> code = message.Get(At("PID", 32, repetition));
    if (!code) break;
    codes.push_back(*std::move(code));
  }
  Reliability reliability = table.Lookup(codes);
  identity.set_status(reliability.status);
  identity.set_doubtful(reliability.doubtful);
  identity.set_fictitious(reliability.fictitious);
  std::string as_sent;
  for (size_t i = 0; i < codes.size(); ++i) {
    if (i > 0) as_sent.push_back('~');
    as_sent += codes[i];
  }
  identity.set_reliability_code(std::move(as_sent));
}

void ReadDmpConsent(const Message& message, identity::Identity& identity) {
  if (CountSegments(message, "ZFA") == 0) return;
  identity::DmpConsent* dmp = identity.mutable_dmp();
  dmp->set_dmp_status(Value(message, At("ZFA", 1, 1, 1)));
  dmp->set_feeding(Value(message, At("ZFA", 9, 1, 1)));
  dmp->set_feeding_date(Value(message, At("ZFA", 10, 1, 1)));
  dmp->set_consultation(Value(message, At("ZFA", 11, 1, 1)));
  dmp->set_consultation_date(Value(message, At("ZFA", 12, 1, 1)));
}

// A40 and A47: the record MRG-1 names, which must be another one.
absl::StatusOr<std::string> ReadPriorKey(const adapters::hl7v2::MessageView& view,
                                         std::string_view trigger, std::string_view patient_key) {
  int merges = 0;
  for (size_t i = 0; i < view.segment_count(); ++i) {
    if (view.segment(i).id == "MRG") ++merges;
  }
  if (merges == 0) {
    return absl::InvalidArgumentError(fmt::format(
        "MRG-1: missing: an {} names the prior patient identifier in an MRG segment", trigger));
  }
  if (merges > 1) {
    // IHE PAM allows one patient per A40/A47; reading only the first would
    // silently drop the others.
    return absl::InvalidArgumentError(
        fmt::format("MRG: {} segments: IHE PAM allows one per {} message", merges, trigger));
  }
  std::string prior_key = PatientKeyOf(view, "MRG", 1);
  if (prior_key.empty()) {
    return absl::InvalidArgumentError("MRG-1: no prior patient identifier (IPP)");
  }
  if (prior_key == patient_key) {
    return absl::InvalidArgumentError(fmt::format(
        "MRG-1: the prior identifier is PID-3's own: an {} needs two patients", trigger));
  }
  return prior_key;
}

}  // namespace

int InsRepetition(const Message& message) {
  for (int repetition = 1; repetition <= kMostRepetitions; ++repetition) {
    if (!Exists(message, At("PID", 3, repetition, 1))) break;
    std::string type = Value(message, At("PID", 3, repetition, 5));
    if (type == "INS" || type == "NH") return repetition;
  }
  return 0;
}

identity::StrictTraits ReadStrictTraits(const Message& message) {
  identity::StrictTraits traits;
  int name = RepetitionWhere(message, "PID", 5, 7, "L");
  if (name == 0 && Exists(message, At("PID", 5, 1, 1))) name = 1;
  if (name != 0) {
    traits.set_birth_name(Value(message, At("PID", 5, name, 1, 1)));
    traits.set_first_birth_given_name(Value(message, At("PID", 5, name, 2)));
    std::string given_names = Value(message, At("PID", 5, name, 3));
    traits.set_birth_given_names(given_names.empty() ? traits.first_birth_given_name()
                                                     : std::move(given_names));
  }
  traits.set_birth_date(Value(message, At("PID", 7, 1, 1)).substr(0, 8));
  traits.set_sex(Value(message, At("PID", 8, 1, 1)));
  if (int birthplace = RepetitionWhere(message, "PID", 11, 7, "BDL"); birthplace != 0) {
    traits.set_birthplace_code(Value(message, At("PID", 11, birthplace, 9)));
  }
  return traits;
}

absl::StatusOr<IdentityFeedEvent> ReadIdentityFeed(std::string_view raw,
                                                   const IdentityFeedOptions& options) {
  auto decoded = adapters::hl7v2::DecodeMessage(raw, options.default_charset);
  if (!decoded.ok()) return decoded.status();
  // The view reads the same text as the message: the keys are taken on it,
  // as delivery ordering takes them (routes/patient_key.h).
  auto view = adapters::hl7v2::MessageView::Parse(decoded->text);
  if (!view.ok()) return view.status();
  auto message = Message::Parse(decoded->text);
  if (!message.ok()) return message.status();

  std::string type = Value(*message, At("MSH", 9, 1, 1));
  if (type != "ADT") {
    return absl::InvalidArgumentError(fmt::format(
        "MSH-9.1: message type {:?}, expected ADT: the identity feed reads PAM-FR ADT messages",
        type));
  }
  IdentityFeedEvent event;
  event.trigger = Value(*message, At("MSH", 9, 1, 2));
  if (event.trigger.empty()) return absl::InvalidArgumentError("MSH-9.2: no trigger event");
  event.kind = KindOf(event.trigger);
  event.patient_key = PatientKey(*view);
  if (event.kind == IdentityFeedEvent::Kind::kIgnored) return event;

  if (CountSegments(*message, "PID") == 0) {
    return absl::InvalidArgumentError(fmt::format(
        "PID: missing: an ADT {} carries the patient's identity in PID", event.trigger));
  }
  if (event.patient_key.empty()) {
    return absl::InvalidArgumentError("PID-3: no patient identifier (IPP)");
  }
  if (absl::Status read = ReadIdentifiers(*message, options.environment, event.identity);
      !read.ok()) {
    return read;
  }
  *event.identity.mutable_traits() = ReadStrictTraits(*message);
  ReadUsedNames(*message, event.identity);
  ReadReliability(*message, TableOf(options), event.identity);
  ReadDmpConsent(*message, event.identity);

  if (event.kind == IdentityFeedEvent::Kind::kMerge ||
      event.kind == IdentityFeedEvent::Kind::kChangeId) {
    auto prior_key = ReadPriorKey(*view, event.trigger, event.patient_key);
    if (!prior_key.ok()) return prior_key.status();
    event.prior_key = *std::move(prior_key);
  }
  return event;
}

}  // namespace navette::routes::ins
