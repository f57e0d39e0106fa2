// Search Team written once more, straight from the API contract (docs/api.md, "Search
// Team"), over plain data — the assets' parent links, the assignments and invites as the
// API made them, the user profiles — and nothing of the engine: no AccountState, no
// index, no coverage or time-window helper. The differential test holds
// engine/team_search.cc (and its index) to it. Deliberately slow and simple.
//
// The rules, as the contract states them:
//  - a member is a USER holding an assignment active now (notBefore <= now < expiresAt);
//    joinedTeamAt is the creation of their earliest assignment in the account;
//  - invites are listed when Pending, Expired (a Pending one past its expiry) or Declined,
//    or in any status when the filter names inviteType anywhere;
//  - query: case-insensitive substring of first name, last name, "first last" or email
//    (invites: email);
//  - filter fields: roleId (holds an active assignment / an invite assignment of it),
//    inviteType (the invite's status; never a member), email (case-insensitive equality),
//    assetId (an active assignment whose restriction covers the asset: account-wide, or
//    the asset is a restricted site/folder or lies below one), joinedTeamAt (members:
//    joinedTeamAt; invites: dateCreated); $eq/$in hold for any value, $ne/$nin for none;
//  - order: the requested keys (Name: lower-case "first last", invites by email; JoinedAt),
//    then id ascending whatever the direction; facets over the whole matching set.
#pragma once

#include <algorithm>
#include <cctype>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "core/model.h"
#include "engine/team_search.h"

namespace gatehouse::testing {

// An account's team as plain data.
struct PlainTeam {
  std::map<std::string, std::string> parent_of;  // live asset → parent ("" = the account)
  std::vector<Assignment> assignments;
  std::vector<Invite> invites;
  std::map<std::string, User> users;
};

struct PlainRow {
  bool is_invite = false;
  std::string id;
  friend bool operator==(const PlainRow&, const PlainRow&) = default;
  friend void PrintTo(const PlainRow& r, std::ostream* os) { *os << (r.is_invite ? "invite " : "user ") << r.id; }
};

struct PlainResult {
  std::vector<PlainRow> rows;
  std::size_t total = 0;
  std::vector<std::vector<std::pair<std::string, std::size_t>>> facets;  // per requested facet
};

namespace plain_detail {

inline std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

struct Candidate {
  PlainRow row;
  std::string email, first, last;
  Timestamp joined = 0;
  std::set<std::string> roles;
  std::vector<Restriction> restrictions;
  std::string status;  // invites
};

inline bool Within(const PlainTeam& t, std::string asset, const std::string& scope) {
  for (int hops = 0; hops < 1000; ++hops) {
    if (asset == scope) return true;
    auto it = t.parent_of.find(asset);
    if (it == t.parent_of.end() || it->second.empty()) return false;
    asset = it->second;
  }
  return false;
}

inline bool Covers(const PlainTeam& t, const Candidate& c, const std::string& asset) {
  if (t.parent_of.count(asset) == 0) return false;  // unknown or deleted
  for (const auto& r : c.restrictions) {
    if (r.kind == Restriction::Kind::kAccount) return true;
    for (const auto& scope : r.asset_ids) {
      if (Within(t, asset, scope)) return true;
    }
  }
  return false;
}

inline bool NamesInviteType(const TeamFilter& f) {
  if (f.kind == TeamFilter::Kind::kCompare) return f.field == TeamFilter::Field::kInviteType;
  return std::any_of(f.children.begin(), f.children.end(), [](const TeamFilter& c) { return NamesInviteType(c); });
}

inline bool Passes(const PlainTeam& t, const Candidate& c, const TeamFilter& f) {
  using K = TeamFilter::Kind;
  using F = TeamFilter::Field;
  using O = TeamFilter::Op;
  if (f.kind == K::kAnd) {
    for (const auto& child : f.children) {
      if (!Passes(t, c, child)) return false;
    }
    return true;
  }
  if (f.kind == K::kOr) {
    for (const auto& child : f.children) {
      if (Passes(t, c, child)) return true;
    }
    return false;
  }
  if (f.kind == K::kNot) return !Passes(t, c, f.children.front());
  if (f.field == F::kJoinedTeamAt) {
    if (!f.time) return false;
    if (f.op == O::kEq) return c.joined == *f.time;
    if (f.op == O::kNe) return c.joined != *f.time;
    if (f.op == O::kGt) return c.joined > *f.time;
    if (f.op == O::kGte) return c.joined >= *f.time;
    if (f.op == O::kLt) return c.joined < *f.time;
    if (f.op == O::kLte) return c.joined <= *f.time;
    return false;
  }
  if (f.field == F::kInviteType && !c.row.is_invite) return false;
  bool some = false;
  for (const auto& v : f.values) {
    if (f.field == F::kRoleId) some = some || c.roles.count(v) == 1;
    if (f.field == F::kInviteType) some = some || c.status == v;
    if (f.field == F::kEmail) some = some || Lower(c.email) == Lower(v);
    if (f.field == F::kAssetId) some = some || Covers(t, c, v);
  }
  if (f.op == O::kEq || f.op == O::kIn) return some;
  if (f.op == O::kNe || f.op == O::kNin) return !some;
  return false;
}

inline bool ActiveAt(const Assignment& a, Timestamp now) {
  if (a.not_before && now < *a.not_before) return false;
  if (a.expires_at && now >= *a.expires_at) return false;
  return true;
}

}  // namespace plain_detail

inline PlainResult ReferenceSearchTeam(const PlainTeam& team, const TeamSearchRequest& request, Timestamp now) {
  using namespace plain_detail;
  std::map<std::string, Candidate> members;
  std::map<std::string, Timestamp> first_created;
  for (const auto& a : team.assignments) {
    if (a.subject.type != SubjectType::kUser) continue;
    auto [it, fresh] = first_created.emplace(a.subject.id, a.created_at);
    if (!fresh) it->second = std::min(it->second, a.created_at);
    if (!ActiveAt(a, now)) continue;
    Candidate& c = members[a.subject.id];
    c.row = PlainRow{false, a.subject.id};
    c.roles.insert(a.role_id);
    c.restrictions.push_back(a.restriction);
  }
  std::vector<Candidate> all;
  for (auto& [id, c] : members) {
    c.joined = first_created.at(id);
    if (auto u = team.users.find(id); u != team.users.end()) {
      c.email = u->second.email;
      c.first = u->second.first_name;
      c.last = u->second.last_name;
    }
    all.push_back(c);
  }
  const bool every_status = request.filter && NamesInviteType(*request.filter);
  for (const auto& inv : team.invites) {
    InviteStatus status = inv.status;
    if (status == InviteStatus::kPending && now >= inv.expires_at) status = InviteStatus::kExpired;
    const bool listed =
        status == InviteStatus::kPending || status == InviteStatus::kExpired || status == InviteStatus::kDeclined;
    if (!listed && !every_status) continue;
    Candidate c;
    c.row = PlainRow{true, inv.id};
    c.email = inv.email;
    c.joined = inv.created_at;
    c.status = std::string(InviteStatusName(status));
    for (const auto& a : inv.assignments) {
      c.roles.insert(a.role_id);
      c.restrictions.push_back(a.restriction);
    }
    all.push_back(c);
  }

  const std::string q = Lower(request.query);
  std::vector<const Candidate*> hits;
  for (const auto& c : all) {
    if (!q.empty()) {
      std::vector<std::string> texts = {c.email};
      if (!c.row.is_invite) texts = {c.first, c.last, c.first + " " + c.last, c.email};
      if (std::none_of(texts.begin(), texts.end(),
                       [&](const std::string& t) { return Lower(t).find(q) != std::string::npos; })) {
        continue;
      }
    }
    if (request.filter && !Passes(team, c, *request.filter)) continue;
    hits.push_back(&c);
  }

  PlainResult out;
  for (const auto facet : request.facets) {
    std::map<std::string, std::size_t> counts;
    for (const auto* c : hits) {
      if (facet == TeamSearchRequest::Facet::kRoles) {
        for (const auto& role : c->roles) ++counts[role];
      } else if (facet == TeamSearchRequest::Facet::kInviteStatus && c->row.is_invite) {
        ++counts[c->status];
      } else if (facet == TeamSearchRequest::Facet::kUsers && !c->row.is_invite) {
        ++counts["Users"];
      }
    }
    out.facets.emplace_back(counts.begin(), counts.end());
  }

  auto name_of = [](const Candidate* c) {
    return c->row.is_invite ? Lower(c->email) : Lower(c->first + " " + c->last);
  };
  std::vector<TeamSearchRequest::Order> order = request.order;
  if (order.empty()) order.push_back({});
  std::sort(hits.begin(), hits.end(), [&](const Candidate* a, const Candidate* b) {
    for (const auto& o : order) {
      if (o.by_joined && a->joined != b->joined) return o.descending ? a->joined > b->joined : a->joined < b->joined;
      if (!o.by_joined && name_of(a) != name_of(b))
        return o.descending ? name_of(a) > name_of(b) : name_of(a) < name_of(b);
    }
    return a->row.id < b->row.id;
  });
  out.total = hits.size();
  for (std::size_t i = request.offset; i < hits.size() && out.rows.size() < request.limit; ++i) {
    out.rows.push_back(hits[i]->row);
  }
  return out;
}

}  // namespace gatehouse::testing
