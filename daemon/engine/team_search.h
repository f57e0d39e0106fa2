// Search Team (api.md §2.2): the account's team members plus its invites, narrowed by a
// free-text query and a filter expression, sorted, faceted over the whole matching set,
// and paged by offset. Pure function over a Snapshot; the API layer parses JSON into a
// TeamSearchRequest (api/filter_parser.h) and renders the result.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/model.h"
#include "engine/snapshot.h"

namespace gatehouse {

// A filter expression. Leaves compare one field; AND/OR/NOT combine.
struct TeamFilter {
  enum class Kind { kAnd, kOr, kNot, kCompare };
  enum class Field { kRoleId, kInviteType, kEmail, kAssetId, kJoinedTeamAt };
  enum class Op { kEq, kNe, kIn, kNin, kGt, kGte, kLt, kLte };
  Kind kind = Kind::kAnd;
  std::vector<TeamFilter> children;
  Field field = Field::kRoleId;
  Op op = Op::kEq;
  std::vector<std::string> values;  // strings (one for eq/ne)
  std::optional<Timestamp> time;    // for joinedTeamAt comparisons
  bool MentionsInviteType() const;
};

struct TeamSearchRequest {
  std::string query;
  std::optional<TeamFilter> filter;
  struct Order {
    bool by_joined = false;  // else by name
    bool descending = false;
  };
  std::vector<Order> order;  // empty: Name ASC
  enum class Facet { kRoles, kInviteStatus, kUsers };
  std::vector<Facet> facets;
  std::size_t limit = 50;
  std::size_t offset = 0;
};

// One row: a member (subject index into AccountState::subjects()) or an invite (index
// into AccountState::invites()).
struct TeamRow {
  bool is_invite = false;
  std::size_t index = 0;
};

struct TeamFacet {
  TeamSearchRequest::Facet type;
  std::vector<std::pair<std::string, std::size_t>> values;  // value → count, count > 0
};

struct TeamSearchResult {
  std::vector<TeamRow> rows;  // the page
  std::size_t total = 0;      // rows matching before paging
  std::vector<TeamFacet> facets;
};

// The account must exist (the caller resolves it first).
TeamSearchResult SearchTeam(const Snapshot& snapshot, const AccountState& account, const TeamSearchRequest& request,
                            Timestamp now);

}  // namespace gatehouse
