// A deliberately naive Search Team (api.md §2.2), kept from the first implementation:
// it builds a row for every member and invite on every call, straight from the snapshot,
// and sorts them. The differential test holds the indexed engine/team_search.cc to it.
#pragma once

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "engine/team_search.h"

namespace gatehouse::testing {
namespace reference_detail {

inline std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

inline bool Contains(std::string_view haystack, std::string_view needle_lower) {
  return Lower(haystack).find(needle_lower) != std::string::npos;
}

// What a row offers to the filter, query, sort and facets.
struct RowView {
  TeamRow row;
  std::string id;
  std::string email;
  std::string first, last;
  std::string name_key;  // lower-case "first last" (users) or email (invites)
  Timestamp joined = 0;  // joinedTeamAt (users) or dateCreated (invites)
  std::set<std::string> roles;
  InviteStatus status = InviteStatus::kPending;
  std::vector<Restriction> restrictions;  // of the active assignments / invite assignments
};

inline bool CoversAsset(const AccountState& account, const RowView& r, std::string_view asset_id) {
  const std::uint32_t node = account.FindAsset(asset_id);
  if (node == AccountState::kNoNode) return false;
  for (const auto& restriction : r.restrictions) {
    if (restriction.kind == Restriction::Kind::kAccount) return true;
    for (const auto& id : restriction.asset_ids) {
      const std::uint32_t scope = account.FindAsset(id);
      if (scope != AccountState::kNoNode && account.IsWithin(node, scope)) return true;
    }
  }
  return false;
}

inline bool Matches(const AccountState& account, const RowView& r, const TeamFilter& f) {
  using K = TeamFilter::Kind;
  using F = TeamFilter::Field;
  using O = TeamFilter::Op;
  switch (f.kind) {
    case K::kAnd:
      return std::all_of(f.children.begin(), f.children.end(),
                         [&](const TeamFilter& c) { return Matches(account, r, c); });
    case K::kOr:
      return std::any_of(f.children.begin(), f.children.end(),
                         [&](const TeamFilter& c) { return Matches(account, r, c); });
    case K::kNot:
      return !Matches(account, r, f.children.at(0));
    case K::kCompare:
      break;
  }
  if (f.field == F::kJoinedTeamAt) {
    if (!f.time) return false;
    const Timestamp v = r.joined, t = *f.time;
    switch (f.op) {
      case O::kEq:
        return v == t;
      case O::kNe:
        return v != t;
      case O::kGt:
        return v > t;
      case O::kGte:
        return v >= t;
      case O::kLt:
        return v < t;
      case O::kLte:
        return v <= t;
      default:
        return false;
    }
  }
  if (f.field == F::kInviteType && !r.row.is_invite) return false;  // selecting it limits to invites
  // "holds one" predicate per value.
  auto holds = [&](const std::string& v) {
    switch (f.field) {
      case F::kRoleId:
        return r.roles.count(v) > 0;
      case F::kInviteType:
        return InviteStatusName(r.status) == v;
      case F::kEmail:
        return Lower(r.email) == Lower(v);
      case F::kAssetId:
        return CoversAsset(account, r, v);
      default:
        return false;
    }
  };
  const bool any = std::any_of(f.values.begin(), f.values.end(), holds);
  switch (f.op) {
    case O::kEq:
    case O::kIn:
      return any;
    case O::kNe:
    case O::kNin:
      return !any;
    default:
      return false;  // $gt… on a non-time field is rejected by the parser
  }
}

}  // namespace reference_detail

inline TeamSearchResult ReferenceSearchTeam(const Snapshot& snapshot, const AccountState& account,
                                            const TeamSearchRequest& request, Timestamp now) {
  using namespace reference_detail;
  std::vector<RowView> rows;
  const auto& subjects = account.subjects();
  for (std::size_t i = 0; i < subjects.size(); ++i) {
    const auto& s = subjects[i];
    if (s.type != SubjectType::kUser || !AccountState::HasActiveGrant(s, now)) continue;
    RowView r;
    r.row = TeamRow{false, i};
    r.id = s.id;
    if (const User* u = snapshot.users().Find(s.id)) {
      r.email = u->email;
      r.first = u->first_name;
      r.last = u->last_name;
    }
    r.name_key = Lower(r.first + " " + r.last);
    r.joined = AccountState::JoinedAt(s);
    for (const auto& g : s.grants) {
      if (!g.ActiveAt(now)) continue;
      r.roles.insert(account.RoleOfSlot(g.role_slot));
      r.restrictions.push_back(account.ToAssignment(s, g).restriction);
    }
    rows.push_back(std::move(r));
  }
  const bool any_invite_status = request.filter && request.filter->MentionsInviteType();
  const auto& invites = account.invites();
  for (std::size_t i = 0; i < invites.size(); ++i) {
    const Invite& inv = invites[i];
    const InviteStatus status = inv.EffectiveStatus(now);
    const bool listed =
        status == InviteStatus::kPending || status == InviteStatus::kExpired || status == InviteStatus::kDeclined;
    if (!listed && !any_invite_status) continue;
    RowView r;
    r.row = TeamRow{true, i};
    r.id = inv.id;
    r.email = inv.email;
    r.name_key = Lower(inv.email);
    r.joined = inv.created_at;
    r.status = status;
    for (const auto& a : inv.assignments) {
      r.roles.insert(a.role_id);
      r.restrictions.push_back(a.restriction);
    }
    rows.push_back(std::move(r));
  }
  // Query and filter.
  const std::string q = Lower(request.query);
  std::vector<const RowView*> hits;
  for (const auto& r : rows) {
    if (!q.empty()) {
      const bool text = r.row.is_invite ? Contains(r.email, q)
                                        : Contains(r.first, q) || Contains(r.last, q) ||
                                              Contains(r.first + " " + r.last, q) || Contains(r.email, q);
      if (!text) continue;
    }
    if (request.filter && !Matches(account, r, *request.filter)) continue;
    hits.push_back(&r);
  }
  // Facets over the whole matching set.
  TeamSearchResult result;
  for (const auto facet : request.facets) {
    TeamFacet out{facet, {}};
    std::map<std::string, std::size_t> counts;
    for (const auto* r : hits) {
      if (facet == TeamSearchRequest::Facet::kRoles) {
        for (const auto& role : r->roles) ++counts[role];
      } else if (facet == TeamSearchRequest::Facet::kInviteStatus) {
        if (r->row.is_invite) ++counts[std::string(InviteStatusName(r->status))];
      } else if (!r->row.is_invite) {
        ++counts["Users"];
      }
    }
    for (const auto& [value, count] : counts) {
      if (count > 0) out.values.emplace_back(value, count);
    }
    result.facets.push_back(std::move(out));
  }
  // Sort: the requested keys, then id ascending whatever the direction.
  std::vector<TeamSearchRequest::Order> order = request.order;
  if (order.empty()) order.push_back({});
  std::sort(hits.begin(), hits.end(), [&](const RowView* a, const RowView* b) {
    for (const auto& o : order) {
      if (o.by_joined) {
        if (a->joined != b->joined) return o.descending ? a->joined > b->joined : a->joined < b->joined;
      } else if (a->name_key != b->name_key) {
        return o.descending ? a->name_key > b->name_key : a->name_key < b->name_key;
      }
    }
    return a->id < b->id;
  });
  result.total = hits.size();
  for (std::size_t i = request.offset; i < hits.size() && result.rows.size() < request.limit; ++i) {
    result.rows.push_back(hits[i]->row);
  }
  return result;
}

}  // namespace gatehouse::testing
