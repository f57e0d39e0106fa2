#include "engine/team_search.h"

#include <algorithm>
#include <array>
#include <map>

#include "core/text.h"
#include "engine/team_index.h"

namespace gatehouse {
namespace {

// A TeamFilter with its values resolved against one TeamIndex: role ids to role indices,
// emails lower-cased, asset ids to nodes, invite statuses parsed.
struct ResolvedFilter {
  const TeamFilter* source = nullptr;
  std::vector<ResolvedFilter> children;
  std::vector<int> roles;             // -1: no row holds it
  std::vector<std::string> emails;    // lower-case
  std::vector<std::uint32_t> assets;  // kNoNode: unknown or deleted
  std::vector<std::optional<InviteStatus>> statuses;
};

ResolvedFilter Resolve(const TeamFilter& f, const TeamIndex& index, const AccountState& account) {
  ResolvedFilter out;
  out.source = &f;
  for (const auto& child : f.children) out.children.push_back(Resolve(child, index, account));
  for (const auto& v : f.values) {
    switch (f.field) {
      case TeamFilter::Field::kRoleId:
        out.roles.push_back(index.RoleIndex(v));
        break;
      case TeamFilter::Field::kEmail:
        out.emails.push_back(AsciiLower(v));
        break;
      case TeamFilter::Field::kAssetId:
        out.assets.push_back(account.FindAsset(v));
        break;
      case TeamFilter::Field::kInviteType:
        out.statuses.push_back(ParseInviteStatus(v));
        break;
      case TeamFilter::Field::kJoinedTeamAt:
        break;
    }
  }
  return out;
}

bool CoversAsset(const AccountState& account, const TeamIndex::Row& r, std::uint32_t node) {
  if (node == AccountState::kNoNode) return false;
  if (r.account_wide) return true;
  return std::any_of(r.scopes.begin(), r.scopes.end(),
                     [&](std::uint32_t scope) { return account.IsWithin(node, scope); });
}

bool Matches(const AccountState& account, const TeamIndex::Row& r, const ResolvedFilter& rf) {
  using K = TeamFilter::Kind;
  using F = TeamFilter::Field;
  using O = TeamFilter::Op;
  const TeamFilter& f = *rf.source;
  switch (f.kind) {
    case K::kAnd:
      return std::all_of(rf.children.begin(), rf.children.end(),
                         [&](const ResolvedFilter& c) { return Matches(account, r, c); });
    case K::kOr:
      return std::any_of(rf.children.begin(), rf.children.end(),
                         [&](const ResolvedFilter& c) { return Matches(account, r, c); });
    case K::kNot:
      return !Matches(account, r, rf.children.at(0));
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
  if (f.field == F::kInviteType && !r.is_invite) return false;  // selecting it limits to invites
  // Whether the row holds at least one of the values.
  bool any = false;
  switch (f.field) {
    case F::kRoleId:
      any = std::any_of(rf.roles.begin(), rf.roles.end(), [&](int role) {
        return role >= 0 && std::binary_search(r.roles.begin(), r.roles.end(), static_cast<std::uint16_t>(role));
      });
      break;
    case F::kInviteType:
      any = std::any_of(rf.statuses.begin(), rf.statuses.end(),
                        [&](const std::optional<InviteStatus>& s) { return s && *s == r.status; });
      break;
    case F::kEmail:
      any = std::find(rf.emails.begin(), rf.emails.end(), r.email_lower) != rf.emails.end();
      break;
    case F::kAssetId:
      any = std::any_of(rf.assets.begin(), rf.assets.end(),
                        [&](std::uint32_t node) { return CoversAsset(account, r, node); });
      break;
    case F::kJoinedTeamAt:
      break;
  }
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

}  // namespace

bool TeamFilter::MentionsInviteType() const {
  if (kind == Kind::kCompare) return field == Field::kInviteType;
  return std::any_of(children.begin(), children.end(), [](const TeamFilter& c) { return c.MentionsInviteType(); });
}

TeamSearchResult SearchTeam(const Snapshot& snapshot, const AccountState& account, const TeamSearchRequest& request,
                            Timestamp now) {
  const std::shared_ptr<const TeamIndex> index = TeamIndex::ForAccount(account, snapshot.users(), now);
  const auto& rows = index->rows();

  // Which rows match: listed, the free-text query, the filter.
  const bool any_invite_status = request.filter && request.filter->MentionsInviteType();
  std::vector<char> hit(rows.size(), 1);
  const std::string q = AsciiLower(request.query);
  if (!q.empty()) {
    std::fill(hit.begin(), hit.end(), 0);
    index->MarkTextMatches(q, hit);
  }
  std::optional<ResolvedFilter> filter;
  if (request.filter) filter = Resolve(*request.filter, *index, account);
  std::size_t total = 0;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    if (!hit[r]) continue;
    if ((!rows[r]->listed && !any_invite_status) || (filter && !Matches(account, *rows[r], *filter))) {
      hit[r] = 0;
      continue;
    }
    ++total;
  }

  // Facets over the whole matching set, counted in one pass.
  TeamSearchResult result;
  result.total = total;
  if (!request.facets.empty()) {
    std::vector<std::size_t> per_role(index->role_names().size(), 0);
    std::array<std::size_t, kInviteStatusCount> per_status{};
    std::size_t users = 0;
    for (std::size_t r = 0; r < rows.size(); ++r) {
      if (!hit[r]) continue;
      for (const std::uint16_t role : rows[r]->roles) ++per_role[role];
      if (rows[r]->is_invite) {
        ++per_status[static_cast<std::size_t>(rows[r]->status)];
      } else {
        ++users;
      }
    }
    for (const auto facet : request.facets) {
      TeamFacet out{facet, {}};
      std::map<std::string, std::size_t> counts;  // values in name order
      if (facet == TeamSearchRequest::Facet::kRoles) {
        for (std::size_t role = 0; role < per_role.size(); ++role) {
          if (per_role[role] > 0) counts[index->role_names()[role]] = per_role[role];
        }
      } else if (facet == TeamSearchRequest::Facet::kInviteStatus) {
        for (std::size_t st = 0; st < per_status.size(); ++st) {
          if (per_status[st] > 0) counts[std::string(InviteStatusName(static_cast<InviteStatus>(st)))] = per_status[st];
        }
      } else if (users > 0) {
        counts["Users"] = users;
      }
      for (const auto& [value, count] : counts) out.values.emplace_back(value, count);
      result.facets.push_back(std::move(out));
    }
  }

  // The page: the requested keys, then id ascending whatever the direction.
  auto emit = [&](std::uint32_t r, std::size_t& skipped) {
    if (!hit[r]) return true;
    if (skipped < request.offset) {
      ++skipped;
      return true;
    }
    if (result.rows.size() >= request.limit) return false;
    result.rows.push_back(TeamRow{rows[r]->is_invite, rows[r]->index});
    return true;
  };
  std::vector<TeamSearchRequest::Order> order = request.order;
  if (order.empty()) order.push_back({});
  std::size_t skipped = 0;
  if (order.size() == 1) {
    // One key: walk the pre-sorted rows. Descending walks groups of equal keys from the
    // end, each group forward, so ties stay in id order.
    const auto& sorted = order[0].by_joined ? index->by_joined() : index->by_name();
    auto same_key = [&](std::uint32_t a, std::uint32_t b) {
      return order[0].by_joined ? rows[a]->joined == rows[b]->joined : rows[a]->name_key == rows[b]->name_key;
    };
    if (!order[0].descending) {
      for (const std::uint32_t r : sorted) {
        if (!emit(r, skipped)) break;
      }
    } else {
      bool more = true;
      for (std::size_t end = sorted.size(); end > 0 && more;) {
        std::size_t begin = end - 1;
        while (begin > 0 && same_key(sorted[begin - 1], sorted[end - 1])) --begin;
        for (std::size_t i = begin; i < end && more; ++i) more = emit(sorted[i], skipped);
        end = begin;
      }
    }
  } else {
    std::vector<std::uint32_t> hits;
    hits.reserve(total);
    for (std::uint32_t r = 0; r < rows.size(); ++r) {
      if (hit[r]) hits.push_back(r);
    }
    std::sort(hits.begin(), hits.end(), [&](std::uint32_t a, std::uint32_t b) {
      for (const auto& o : order) {
        if (o.by_joined) {
          if (rows[a]->joined != rows[b]->joined) {
            return o.descending ? rows[a]->joined > rows[b]->joined : rows[a]->joined < rows[b]->joined;
          }
        } else if (rows[a]->name_key != rows[b]->name_key) {
          return o.descending ? rows[a]->name_key > rows[b]->name_key : rows[a]->name_key < rows[b]->name_key;
        }
      }
      return rows[a]->id < rows[b]->id;
    });
    for (const std::uint32_t r : hits) {
      if (!emit(r, skipped)) break;
    }
  }
  return result;
}

}  // namespace gatehouse
