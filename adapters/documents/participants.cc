#include "adapters/documents/participants.h"

#include <fmt/format.h>

#include "adapters/documents/hl7_fields.h"

namespace navette::adapters::documents {
namespace {

using navette::document::Participant;

// A PRT-5 XCN.9 without subcomponents may hold the authority's OID alone
// (the patient's RCT in the samples: "1.2.250.1.213.1.4.10").
bool LooksLikeOid(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789.") == std::string_view::npos &&
         text.find('.') != std::string_view::npos;
}

void ReadPerson(const hl7v2::Message& message, int prt, navette::document::Person* person) {
  auto xcn = [&](int component, int subcomponent = 0) {
    return FieldValue(message, "PRT", prt, 5, 1, component, subcomponent);
  };
  navette::document::Identifier* id = person->mutable_id();
  id->set_id(xcn(1));
  std::string authority = xcn(9, 1);
  std::string oid = xcn(9, 2);
  if (oid.empty() && LooksLikeOid(authority)) {
    oid = authority;
    authority.clear();
  }
  id->set_authority_name(authority);
  id->set_authority_oid(oid);
  id->set_type(xcn(13));
  person->set_family(xcn(2));
  person->set_given(xcn(3));
  person->set_prefix(xcn(6));
}

void ReadOrganization(const hl7v2::Message& message, int prt,
                      navette::document::Organization* organization) {
  auto xon = [&](int component, int subcomponent = 0) {
    return FieldValue(message, "PRT", prt, 8, 1, component, subcomponent);
  };
  organization->set_name(xon(1));
  navette::document::Identifier* id = organization->mutable_id();
  // XON.10 is the organisation's id; XON.3 in older senders.
  std::string value = xon(10);
  id->set_id(value.empty() ? xon(3) : value);
  id->set_authority_name(xon(6, 1));
  id->set_authority_oid(xon(6, 2));
  id->set_type(xon(7));
}

}  // namespace

void ReadParticipants(const hl7v2::Message& message, Reading& reading) {
  int count = CountSegments(message, "PRT");
  for (int prt = 1; prt <= count; ++prt) {
    std::string role = FieldValue(message, "PRT", prt, 4, 1, 1);
    Participant participant;
    if (SameText(role, "SB")) {
      participant.set_role(Participant::SENDER);
    } else if (SameText(role, "RCT")) {
      participant.set_role(Participant::RECIPIENT);
    } else if (SameText(role, "REPLY")) {
      participant.set_role(Participant::REPLY_TO);
    } else {
      reading.violations.push_back(
          Refuse(kTableValueNotFound, Location("PRT", prt, 4),
                 fmt::format("PRT-4 (participation) of PRT[{}] is not SB, RCT or REPLY", prt)));
      continue;
    }
    if (!FieldValue(message, "PRT", prt, 5).empty()) {
      ReadPerson(message, prt, participant.mutable_person());
    }
    if (!FieldValue(message, "PRT", prt, 8).empty()) {
      ReadOrganization(message, prt, participant.mutable_organization());
    }
    participant.set_address(FieldValue(message, "PRT", prt, 15, 1, 4));
    participant.set_is_patient(participant.role() == Participant::RECIPIENT &&
                               SameText(participant.person().id().type(), "INS"));
    *reading.record.add_participants() = std::move(participant);
  }
}

}  // namespace navette::adapters::documents
