// `navette identities show IPP|INS`: the identity records the PAM-FR feed
// wrote (GET /v1/identities), for an analyst asking why a patient's
// documents wait. Everything shown came from a peer: it goes through
// navette::Printable before it reaches the terminal.
#include <iostream>
#include <vector>

#include <fmt/format.h>
#include <google/protobuf/util/time_util.h>

#include "common/printable.h"
#include "engine/admin_views.h"
#include "engine/cli/admin_client.h"
#include "engine/cli/commands.h"
#include "proto/admin.pb.h"

namespace navette::engine::cli {
namespace {

using google::protobuf::util::TimeUtil;

std::string P(const std::string& text) { return Printable(text); }

// YYYYMMDD as YYYY-MM-DD; anything else as sent.
std::string Date(const std::string& hl7_date) {
  if (hl7_date.size() != 8) return P(hl7_date);
  return fmt::format("{}-{}-{}", hl7_date.substr(0, 4), hl7_date.substr(4, 2),
                     hl7_date.substr(6, 2));
}

std::string OrDash(const std::string& text) { return text.empty() ? "-" : P(text); }

void PrintParked(const google::protobuf::RepeatedPtrField<admin::MessageSummary>& parked) {
  for (const admin::MessageSummary& message : parked) {
    std::cout << fmt::format("    {}  {}  {}  received {}\n", P(message.id()),
                             P(message.message_type()), P(message.control_id()),
                             TimeUtil::ToString(message.received_at()));
    for (const admin::RouteHoldSummary& hold : message.holds()) {
      std::cout << fmt::format("      route {} {}: {}\n", P(hold.route()), hold.state(),
                               P(hold.reason()));
    }
  }
}

void PrintIdentity(const admin::IdentityDetail& identity) {
  std::cout << fmt::format("Identity IPP {} ({}), found by {}\n", P(identity.ipp()),
                           OrDash(identity.authority()), identity.matched_by());
  std::cout << fmt::format("  status:       {}\n", identity.status());
  std::vector<std::string> attributes;
  if (identity.doubtful()) attributes.emplace_back("doubtful");
  if (identity.fictitious()) attributes.emplace_back("fictitious");
  if (!attributes.empty()) {
    std::cout << fmt::format("  attributes:   {}\n", attributes.size() == 1
                                                         ? attributes[0]
                                                         : attributes[0] + ", " + attributes[1]);
  }
  std::cout << fmt::format("  reliability:  {} (PID-32)\n", OrDash(identity.reliability_code()));
  if (identity.ins_matricule().empty()) {
    std::cout << "  INS:          - (none recorded)\n";
  } else {
    std::cout << fmt::format("  INS:          {} (OID {})\n", P(identity.ins_matricule()),
                             P(identity.ins_oid()));
  }
  const identity::StrictTraits& traits = identity.traits();
  std::cout << fmt::format("  birth name:   {}\n", OrDash(traits.birth_name()));
  std::cout << fmt::format("  given names:  {} (first: {})\n", OrDash(traits.birth_given_names()),
                           OrDash(traits.first_birth_given_name()));
  std::cout << fmt::format("  born:         {}   sex: {}   birthplace: {}\n",
                           traits.birth_date().empty() ? "-" : Date(traits.birth_date()),
                           OrDash(traits.sex()), OrDash(traits.birthplace_code()));
  for (const identity::UsedName& used : identity.used_names()) {
    std::cout << fmt::format("  used name:    {} {}\n", OrDash(used.family()), P(used.given()));
  }
  const identity::DmpConsent& dmp = identity.dmp();
  if (!dmp.dmp_status().empty() || !dmp.feeding().empty()) {
    std::cout << fmt::format("  DMP:          {}; feeding {}; consultation {}\n",
                             OrDash(dmp.dmp_status()), OrDash(dmp.feeding()),
                             OrDash(dmp.consultation()));
  }
  if (!identity.merged_into_ipp().empty()) {
    std::cout << fmt::format("  merged into:  IPP {} ({}): lookups follow it\n",
                             P(identity.merged_into_ipp()),
                             OrDash(identity.merged_into_authority()));
  }
  std::cout << fmt::format("  updated:      {} by message {}\n",
                           TimeUtil::ToString(identity.updated_at()),
                           OrDash(identity.updated_by()));
  std::cout << "  History:\n";
  for (const admin::IdentityEvent& event : identity.history()) {
    std::cout << fmt::format("    {}  {:<4}  {}  {}\n", TimeUtil::ToString(event.at()),
                             P(event.trigger()), P(event.message_id()), P(event.summary()));
  }
  if (identity.parked().empty()) {
    std::cout << "  Parked documents: none\n";
  } else {
    std::cout << fmt::format("  Parked documents ({}):\n", identity.parked_size());
    PrintParked(identity.parked());
  }
}

}  // namespace

int RunIdentitiesShow(const IdentitiesShowOptions& options) {
  // Both by default. An INS has 15 characters (spaces aside): any other
  // value can only be an IPP, and the engine would refuse it as an INS.
  std::string compact = options.patient;
  std::erase(compact, ' ');
  const bool ask_ipp = !options.ins_only;
  const bool ask_ins = options.ins_only || (!options.ipp_only && compact.size() == 15);
  std::vector<std::string> params;
  if (ask_ipp) params.push_back("ipp=" + UrlEncode(options.patient));
  if (ask_ins) params.push_back("ins=" + UrlEncode(compact));
  std::string query = "/v1/identities?" + params[0];
  if (params.size() > 1) query += "&" + params[1];
  admin::IdentitiesResponse response;
  absl::Status status = AdminClient::FromOptions(options.admin).Get(query, response);
  if (!status.ok()) {
    std::cerr << "navette identities show: " << status.message() << "\n";
    return 1;
  }
  if (options.json) {
    std::cout << ToJson(response) << "\n";
  } else {
    for (int i = 0; i < response.identities_size(); ++i) {
      if (i > 0) std::cout << "\n";
      PrintIdentity(response.identities(i));
    }
    if (!response.parked_without_identity().empty()) {
      if (!response.identities().empty()) std::cout << "\n";
      std::cout << fmt::format(
          "Documents naming this INS alone, parked: no identity record carries it ({}):\n",
          response.parked_without_identity_size());
      PrintParked(response.parked_without_identity());
    }
  }
  if (response.identities().empty() && response.parked_without_identity().empty()) {
    std::cerr << "navette identities show: no identity recorded under this "
              << (!ask_ipp   ? "INS"
                  : !ask_ins ? "IPP"
                             : "IPP or INS")
              << ", and no document parked under it\n";
    return 1;
  }
  return 0;
}

}  // namespace navette::engine::cli
