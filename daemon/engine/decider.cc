#include "engine/decider.h"

#include <algorithm>
#include <limits>

#include "engine/subject_index.h"

namespace gatehouse {
namespace {

using Grant = AccountState::Grant;

// Does this one grant allow permission `perm` on `node` at `now`?
inline bool GrantAllows(const AccountView& view, const AccountState& state, const Grant& g, std::uint32_t perm,
                        bool account_level, std::uint32_t node, Timestamp now) {
  if (!g.ActiveAt(now) || !GrantGives(view.roles[g.role_slot], g.kind, perm, account_level)) return false;
  return g.kind == Restriction::Kind::kAccount || state.Covers(g, node);
}

bool SubjectAllowed(const AccountView& view, const AccountState& state, const AccountState::SubjectEntry& subject,
                    std::uint32_t perm, bool account_level, std::uint32_t node, Timestamp now) {
  for (const Grant& g : subject.grants) {
    if (GrantAllows(view, state, g, perm, account_level, node, now)) return true;
  }
  return false;
}

std::string DescribeStatement(const GrantTrace& trace) {
  if (trace.statement == nullptr) return {};
  std::string s = trace.statement->effect == Effect::kAllow ? "ALLOW " : "DENY ";
  s += trace.matched_pattern;
  s += " at " + trace.statement->where.ToString();
  return s;
}

std::vector<std::string> AssetChain(const AccountState& state, std::uint32_t node, std::uint32_t stop) {
  std::vector<std::string> chain;
  while (node != AccountState::kNoNode) {
    chain.push_back(state.Node(node).id);
    if (node == stop) break;
    node = state.Node(node).parent;
  }
  return chain;
}

// The node that a covering grant reaches `node` through (for the asset chain).
std::uint32_t CoveringScope(const AccountState& state, const Grant& g, std::uint32_t node) {
  for (std::uint32_t scope : state.ScopesOf(g)) {
    if (state.IsWithin(node, scope)) return scope;
  }
  return AccountState::kRootNode;
}

int Rank(DenyReason r) {
  switch (r) {
    case DenyReason::kNotYetActive:
    case DenyReason::kExpired:
      return 5;
    case DenyReason::kAccountLevelOnly:
      return 4;
    case DenyReason::kDeniedByStatement:
      return 3;
    case DenyReason::kRoleLacksPermission:
      return 2;
    case DenyReason::kNoCoveringAssignment:
      return 1;
    default:
      return 0;
  }
}

}  // namespace

std::string_view DenyReasonName(DenyReason r) {
  switch (r) {
    case DenyReason::kNone:
      return "ALLOWED";
    case DenyReason::kUnknownAccount:
      return "UNKNOWN_ACCOUNT";
    case DenyReason::kUnknownSubject:
      return "UNKNOWN_SUBJECT";
    case DenyReason::kUnknownAsset:
      return "UNKNOWN_ASSET";
    case DenyReason::kUnknownPermission:
      return "UNKNOWN_PERMISSION";
    case DenyReason::kNoCoveringAssignment:
      return "NO_COVERING_ASSIGNMENT";
    case DenyReason::kRoleLacksPermission:
      return "ROLE_LACKS_PERMISSION";
    case DenyReason::kDeniedByStatement:
      return "DENIED_BY_STATEMENT";
    case DenyReason::kAccountLevelOnly:
      return "ACCOUNT_LEVEL_PERMISSION";
    case DenyReason::kNotYetActive:
      return "ASSIGNMENT_NOT_YET_ACTIVE";
    case DenyReason::kExpired:
      return "ASSIGNMENT_EXPIRED";
  }
  return "UNKNOWN";
}

namespace {

// The check on a found account: from its arena, or from its state when it has none.
bool CheckAccount(const Snapshot& snapshot, const AccountTable::Hit& hit, const CheckQuery& q, Timestamp now) {
  if (const DecisionArena* arena = hit.arena()) {
    const auto perm = snapshot.policy_set().PermissionIndex(q.permission);
    if (!perm) return false;
    return arena->Allows(q.subject_type, q.subject_id, q.asset_id, *perm,
                         snapshot.policy_set().Permission(*perm).account_level, now);
  }
  const AccountView* view = hit.view();
  const auto held = view->State();  // no arena: the state is held, not encoded
  const AccountState& state = *held;
  const auto* subject = state.FindSubject(q.subject_type, q.subject_id);
  if (subject == nullptr || subject->grants.empty()) return false;
  const auto perm = snapshot.policy_set().PermissionIndex(q.permission);
  if (!perm) return false;
  const std::uint32_t node = state.FindAsset(q.asset_id);
  if (node == AccountState::kNoNode) return false;
  const bool account_level = snapshot.policy_set().Permission(*perm).account_level;
  return SubjectAllowed(*view, state, *subject, *perm, account_level, node, now);
}

}  // namespace

bool Check(const Snapshot& snapshot, const CheckQuery& q, Timestamp now) {
  const AccountTable::Hit hit = snapshot.FindAccountHit(q.account_id);
  return hit && CheckAccount(snapshot, hit, q, now);
}

Explanation Explain(const Snapshot& snapshot, const CheckQuery& q, Timestamp now) {
  Explanation ex;
  const AccountView* view = snapshot.FindAccount(q.account_id);
  if (view == nullptr) {
    ex.reason = DenyReason::kUnknownAccount;
    ex.message = "account \"" + std::string(q.account_id) + "\" is unknown";
    return ex;
  }
  const auto held = view->State();
  const AccountState& state = *held;
  const PolicySet& policies = snapshot.policy_set();
  const auto perm = policies.PermissionIndex(q.permission);
  if (!perm) {
    ex.reason = DenyReason::kUnknownPermission;
    ex.message = "permission \"" + std::string(q.permission) + "\" is not declared";
    return ex;
  }
  const std::uint32_t node = state.FindAsset(q.asset_id);
  if (node == AccountState::kNoNode) {
    ex.reason = DenyReason::kUnknownAsset;
    ex.message = "asset \"" + std::string(q.asset_id) + "\" is unknown in this account";
    return ex;
  }
  const auto* subject = state.FindSubject(q.subject_type, q.subject_id);
  if (subject == nullptr || subject->grants.empty()) {
    ex.reason = DenyReason::kUnknownSubject;
    ex.message = std::string(SubjectTypeName(q.subject_type)) + " \"" + std::string(q.subject_id) +
                 "\" holds no assignment in this account";
    return ex;
  }
  const bool account_level = policies.Permission(*perm).account_level;
  ex.reason = DenyReason::kNoCoveringAssignment;
  ex.message = "no assignment of this subject covers asset \"" + std::string(q.asset_id) + "\"";
  for (const Grant& g : subject->grants) {
    const CompiledRole* role = view->roles[g.role_slot];
    const bool covers = state.Covers(g, node);
    DenyReason reason = DenyReason::kNone;
    std::string message;
    GrantTrace trace;
    if (role == nullptr) {
      reason = covers ? DenyReason::kRoleLacksPermission : DenyReason::kNoCoveringAssignment;
      message = "role \"" + state.RoleOfSlot(g.role_slot) + "\" no longer exists";
    } else {
      trace = policies.Trace(*role, *perm, [&](std::string_view id) { return view->FindRole(id, policies); });
      if (!covers) {
        reason = DenyReason::kNoCoveringAssignment;
      } else if (!trace.granted) {
        reason = trace.statement != nullptr && trace.statement->effect == Effect::kDeny
                     ? DenyReason::kDeniedByStatement
                     : DenyReason::kRoleLacksPermission;
        message = "role \"" + role->decl.id + "\" " +
                  (reason == DenyReason::kDeniedByStatement ? "denies" : "does not grant") + " \"" +
                  std::string(q.permission) + "\"";
      } else if (account_level && g.kind != Restriction::Kind::kAccount) {
        reason = DenyReason::kAccountLevelOnly;
        message = "permission \"" + std::string(q.permission) +
                  "\" is granted only by account-wide assignments; this one is restricted";
      } else if (now < g.not_before) {
        reason = DenyReason::kNotYetActive;
        message = "assignment " + std::to_string(g.id) + " is not active before " + FormatRfc3339(g.not_before);
      } else if (now >= g.expires_at) {
        reason = DenyReason::kExpired;
        message = "assignment " + std::to_string(g.id) + " expired at " + FormatRfc3339(g.expires_at);
      }
    }
    if (reason == DenyReason::kNone) {
      ex = Explanation{};
      ex.allowed = true;
      ex.assignment = state.ToAssignment(*subject, g);
      ex.role_chain = trace.chain;
      ex.statement = DescribeStatement(trace);
      ex.asset_chain = AssetChain(state, node, CoveringScope(state, g, node));
      ex.message = "allowed by assignment " + std::to_string(g.id) + " (role \"" + role->decl.id + "\")";
      return ex;
    }
    if (Rank(reason) > Rank(ex.reason)) {
      ex.reason = reason;
      ex.message = message;
      ex.assignment = state.ToAssignment(*subject, g);
      ex.role_chain = trace.chain;
      ex.statement = DescribeStatement(trace);
      ex.asset_chain.clear();
    }
  }
  return ex;
}

namespace {

// Why one grant does not allow the permission on the asset, ranked as Explain ranks it
// (kNone: it allows). `lacks` tells a covering role that lacks the permission from one
// whose DENY statement removes it — the only case that needs a trace.
template <typename Lacks>
DenyReason GrantMiss(const CompiledRole* role, bool covers, bool account_wide, Timestamp not_before,
                     Timestamp expires_at, std::uint32_t perm, bool account_level, Timestamp now, Lacks lacks) {
  if (role == nullptr) return covers ? DenyReason::kRoleLacksPermission : DenyReason::kNoCoveringAssignment;
  if (!covers) return DenyReason::kNoCoveringAssignment;
  if (!role->granted.Test(perm)) return lacks(*role);
  if (account_level && !account_wide) return DenyReason::kAccountLevelOnly;
  if (now < not_before) return DenyReason::kNotYetActive;
  if (now >= expires_at) return DenyReason::kExpired;
  return DenyReason::kNone;
}

}  // namespace

DenyReason Decide(const Snapshot& snapshot, const CheckQuery& q, Timestamp now) {
  const AccountTable::Hit hit = snapshot.FindAccountHit(q.account_id);
  if (!hit) return DenyReason::kUnknownAccount;
  const PolicySet& policies = snapshot.policy_set();
  const auto perm = policies.PermissionIndex(q.permission);
  if (!perm) return DenyReason::kUnknownPermission;
  const bool account_level = policies.Permission(*perm).account_level;
  const AccountView* view = nullptr;  // read only when a role lacks the permission
  auto lacks = [&](const CompiledRole& role) {
    if (view == nullptr) view = hit.view();
    const GrantTrace trace =
        policies.Trace(role, *perm, [&](std::string_view id) { return view->FindRole(id, policies); });
    return trace.statement != nullptr && trace.statement->effect == Effect::kDeny ? DenyReason::kDeniedByStatement
                                                                                  : DenyReason::kRoleLacksPermission;
  };
  DenyReason best = DenyReason::kNoCoveringAssignment;
  auto rank = [&](DenyReason reason) {
    if (reason == DenyReason::kNone || Rank(reason) > Rank(best)) best = reason;
    return reason != DenyReason::kNone;  // go on until one allows
  };

  if (const DecisionArena* arena = hit.arena()) {
    if (arena->Allows(q.subject_type, q.subject_id, q.asset_id, *perm, account_level, now)) return DenyReason::kNone;
    const auto found = arena->ForEachGrantOn(q.subject_type, q.subject_id, q.asset_id, [&](const auto& g) {
      return rank(
          GrantMiss(g.role, g.covers, g.account_wide, g.not_before, g.expires_at, *perm, account_level, now, lacks));
    });
    if (found == DecisionArena::Found::kNoAsset) return DenyReason::kUnknownAsset;
    if (found == DecisionArena::Found::kNoSubject) return DenyReason::kUnknownSubject;
    return best;
  }

  view = hit.view();
  const auto held = view->State();  // no arena: the state is held, not encoded
  const AccountState& state = *held;
  const std::uint32_t node = state.FindAsset(q.asset_id);
  if (node == AccountState::kNoNode) return DenyReason::kUnknownAsset;
  const auto* subject = state.FindSubject(q.subject_type, q.subject_id);
  if (subject == nullptr || subject->grants.empty()) return DenyReason::kUnknownSubject;
  for (const Grant& g : subject->grants) {
    if (!rank(GrantMiss(view->roles[g.role_slot], state.Covers(g, node), g.kind == Restriction::Kind::kAccount,
                        g.not_before, g.expires_at, *perm, account_level, now, lacks))) {
      break;
    }
  }
  return best;
}

AssetPage ListAssets(const Snapshot& snapshot, std::string_view account_id, const Subject& subject,
                     std::string_view permission, std::string_view asset_type, std::size_t limit,
                     std::string_view cursor, Timestamp now) {
  AssetPage page;
  const AccountView* view = snapshot.FindAccount(account_id);
  if (view == nullptr || limit == 0) return page;
  const auto held = view->State();
  const AccountState& state = *held;
  const auto perm = snapshot.policy_set().PermissionIndex(permission);
  const auto* entry = state.FindSubject(subject.type, subject.id);
  if (!perm || entry == nullptr) return page;
  const bool account_level = snapshot.policy_set().Permission(*perm).account_level;

  std::vector<char> reachable(state.NodeCount(), 0);
  bool everything = false;
  for (const Grant& g : entry->grants) {
    if (!g.ActiveAt(now) || !GrantGives(view->roles[g.role_slot], g.kind, *perm, account_level)) continue;
    if (g.kind == Restriction::Kind::kAccount) {
      everything = true;
      break;
    }
    // Mark each scope's subtree.
    for (std::uint32_t scope : state.ScopesOf(g)) {
      std::vector<std::uint32_t> stack{scope};
      while (!stack.empty()) {
        const std::uint32_t n = stack.back();
        stack.pop_back();
        if (n == AccountState::kNoNode || reachable[n]) continue;
        reachable[n] = 1;
        for (std::uint32_t c : state.Node(n).children) stack.push_back(c);
      }
    }
  }
  std::vector<std::uint32_t> hits;
  for (std::uint32_t n = 0; n < state.NodeCount(); ++n) {
    const auto& node = state.Node(n);
    if (!node.live || !(everything || reachable[n])) continue;
    if (!asset_type.empty() && node.type != asset_type) continue;
    if (!cursor.empty() && node.id <= cursor) continue;
    hits.push_back(n);
  }
  auto by_id = [&](std::uint32_t a, std::uint32_t b) { return state.Node(a).id < state.Node(b).id; };
  const bool more = hits.size() > limit;
  if (more) {
    std::nth_element(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(limit), hits.end(), by_id);
    hits.resize(limit);
  }
  std::sort(hits.begin(), hits.end(), by_id);
  for (std::uint32_t n : hits) {
    const auto& node = state.Node(n);
    page.assets.push_back({node.id, node.type, node.name});
  }
  if (more) page.next_cursor = page.assets.back().id;
  return page;
}

SubjectPage ListSubjects(const Snapshot& snapshot, std::string_view account_id, std::string_view asset_id,
                         std::string_view permission, std::size_t limit, std::string_view cursor, Timestamp now) {
  SubjectPage page;
  const AccountView* view = snapshot.FindAccount(account_id);
  if (view == nullptr || limit == 0) return page;
  const auto held = view->State();
  const AccountState& state = *held;
  const auto perm = snapshot.policy_set().PermissionIndex(permission);
  const std::uint32_t node = state.FindAsset(asset_id);
  if (!perm || node == AccountState::kNoNode) return page;
  const bool account_level = snapshot.policy_set().Permission(*perm).account_level;

  // Cursor "TYPE:id": continue strictly after it in (type name, id) order.
  std::string_view cursor_type, cursor_id;
  if (!cursor.empty()) {
    const auto colon = cursor.find(':');
    cursor_type = cursor.substr(0, colon);
    cursor_id = colon == std::string_view::npos ? std::string_view{} : cursor.substr(colon + 1);
  }
  // Candidates: subjects with an account-wide grant, or a grant restricted to the asset or
  // one of its ancestors — each list in page order, merged from the cursor on.
  const auto index = SubjectIndex::ForAccount(state);
  const std::uint32_t start = cursor.empty() ? 0 : index->PositionAfter(state, cursor_type, cursor_id);
  struct Head {
    const std::vector<std::uint32_t>* list;
    std::size_t at;
  };
  std::vector<Head> heads;
  auto add = [&](const std::vector<std::uint32_t>& list) {
    const auto from = std::lower_bound(list.begin(), list.end(), start);
    if (from != list.end()) heads.push_back({&list, static_cast<std::size_t>(from - list.begin())});
  };
  add(index->account_wide());
  if (!account_level) {  // a restricted grant never gives a `level: Account` permission
    for (std::uint32_t n = node; n != AccountState::kNoNode; n = state.Node(n).parent) add(index->scoped_at(n));
  }
  std::vector<const AccountState::SubjectEntry*> hits;
  bool more = false;
  for (;;) {
    std::uint32_t next = std::numeric_limits<std::uint32_t>::max();
    for (const auto& h : heads) {
      if (h.at < h.list->size()) next = std::min(next, (*h.list)[h.at]);
    }
    if (next == std::numeric_limits<std::uint32_t>::max()) break;
    for (auto& h : heads) {
      if (h.at < h.list->size() && (*h.list)[h.at] == next) ++h.at;
    }
    const auto& s = state.subjects()[index->order()[next]];
    if (!SubjectAllowed(*view, state, s, *perm, account_level, node, now)) continue;
    if (hits.size() == limit) {
      more = true;
      break;
    }
    hits.push_back(&s);
  }
  for (const auto* s : hits) page.subjects.push_back(Subject{s->id, s->type});
  if (more) {
    const auto& last = page.subjects.back();
    page.next_cursor = std::string(SubjectTypeName(last.type)) + ":" + last.id;
  }
  return page;
}

}  // namespace gatehouse
