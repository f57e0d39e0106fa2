// libFuzzer target: arbitrary bytes as a Search Team `filter`. Whatever the parser
// accepts must evaluate against a small real account without crashing; depth and size
// limits must hold (no unbounded recursion or allocation).
#include <cstdint>
#include <nlohmann/json.hpp>

#include "api/team_json.h"
#include "engine/team_search.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gatehouse;
  const auto j = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;
  auto filter = api::ParseTeamFilter(j);
  if (!filter.ok()) return 0;
  static const auto snapshot = [] {
    auto snap = std::make_shared<Snapshot>(std::make_shared<PolicySet>(), 1);
    auto state = std::make_shared<AccountState>(Account{"a", "a", "o", 0});
    state->ApplyAssetPut(Asset{"a", "s1", "site", "S", ""});
    Assignment x;
    x.id = 1;
    x.account_id = "a";
    x.subject = Subject{"o", SubjectType::kUser};
    x.role_id = "owner";
    state->ApplyAssignmentAdded(x);
    Invite inv;
    inv.id = "i";
    inv.account_id = "a";
    inv.email = "e@x.test";
    inv.assignments.push_back({"owner", Restriction{Restriction::Kind::kSite, {"s1"}}});
    state->ApplyInvitePut(inv);
    snap->PutAccount(state);
    return snap;
  }();
  TeamSearchRequest request;
  request.filter = std::move(*filter);
  request.facets = {TeamSearchRequest::Facet::kRoles, TeamSearchRequest::Facet::kInviteStatus};
  (void)SearchTeam(*snapshot, *snapshot->FindState("a"), request, 0);
  return 0;
}
