#include "engine/policy_impact.h"

#include <algorithm>
#include <set>

#include "engine/access_review.h"
#include "engine/custom_roles.h"

namespace gatehouse {
namespace {

// Sorted a − b.
std::vector<std::string> Minus(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::string> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

}  // namespace

PolicyImpact::PolicyImpact(const Snapshot& live, std::shared_ptr<const PolicySet> candidate)
    : live_(live),
      candidate_(std::move(candidate)),
      live_order_(PermissionsById(live.policy_set())),
      candidate_order_(PermissionsById(*candidate_)) {
  live.ForEachAccount([this](const AccountView& view) { accounts_.push_back(&view); });
  std::sort(accounts_.begin(), accounts_.end(),
            [](const AccountView* a, const AccountView* b) { return a->account_id() < b->account_id(); });
}

const PolicyImpact::RoleDiff& PolicyImpact::Diff(const CompiledRole* now, const CompiledRole* then, bool account_wide) {
  const auto key = std::make_tuple(now, then, account_wide);
  auto it = diffs_.find(key);
  if (it != diffs_.end()) return it->second;
  const auto kind = account_wide ? Restriction::Kind::kAccount : Restriction::Kind::kSite;
  const auto before = GrantPermissionIds(live_.policy_set(), live_order_, now, kind);
  const auto after = GrantPermissionIds(*candidate_, candidate_order_, then, kind);
  return diffs_.emplace(key, RoleDiff{Minus(after, before), Minus(before, after)}).first->second;
}

bool PolicyImpact::NextAccount(std::vector<Impact>* out) {
  if (next_ >= accounts_.size()) return false;
  const AccountView& view = *accounts_[next_++];
  const auto held = view.State();
  const AccountState& state = *held;

  // The account bound to the candidate: its API custom roles compiled against it.
  AccountView bound;
  bound.held = held;
  std::map<std::string, std::string> failed;
  if (!state.custom_roles().empty()) {
    auto compiled = std::make_shared<std::vector<CompiledRole>>();
    std::vector<PolicyError> errors;
    CompileAccountRoles(*candidate_, state.custom_roles(), compiled.get(), &errors, &failed);
    bound.custom_roles = std::move(compiled);
  }
  for (std::size_t slot = 0; slot < state.RoleSlotCount(); ++slot) {
    bound.roles.push_back(bound.FindRole(state.RoleOfSlot(static_cast<std::uint16_t>(slot)), *candidate_));
  }
  // Cached diffs keyed by this account's freshly compiled roles die with them.
  std::set<decltype(diffs_)::key_type> local_keys;

  const auto before = out->size();
  std::set<std::pair<SubjectType, std::string>> subjects;
  for (const auto& entry : state.subjects()) {
    for (const auto& g : entry.grants) {
      const CompiledRole* now = view.roles[g.role_slot];
      const CompiledRole* then = bound.roles[g.role_slot];
      const bool account_wide = g.kind == Restriction::Kind::kAccount;
      const bool fresh = bound.custom_roles != nullptr && then != nullptr &&
                         std::any_of(bound.custom_roles->begin(), bound.custom_roles->end(),
                                     [then](const CompiledRole& r) { return &r == then; });
      if (fresh) local_keys.emplace(now, then, account_wide);
      const RoleDiff& diff = Diff(now, then, account_wide);
      if (diff.gained.empty() && diff.lost.empty()) continue;
      const std::string& role_id = state.RoleOfSlot(g.role_slot);
      std::string error;
      if (then == nullptr && now != nullptr) {
        auto f = failed.find(role_id);
        error = f != failed.end() ? "role \"" + role_id + "\" would no longer compile: " + f->second
                                  : "role \"" + role_id + "\" is not defined in the candidate policies";
      }
      const std::vector<std::uint32_t> scopes = state.DistinctScopesOf(g);
      for (std::uint32_t scope : scopes) {
        Impact impact;
        impact.account_id = state.account().id;
        impact.subject = Subject{entry.id, entry.type};
        impact.assignment_id = g.id;
        impact.role_id = role_id;
        impact.scope_id = state.Node(scope).id;
        impact.scope_type = state.Node(scope).type;
        impact.gained = diff.gained;
        impact.lost = diff.lost;
        impact.error = error;
        out->push_back(std::move(impact));
      }
      subjects.emplace(entry.type, entry.id);
    }
  }
  for (const auto& key : local_keys) diffs_.erase(key);

  // Access-review order: subject type name, subject id, role id, scope id.
  std::sort(out->begin() + static_cast<std::ptrdiff_t>(before), out->end(), [](const Impact& a, const Impact& b) {
    const auto ta = SubjectTypeName(a.subject.type);
    const auto tb = SubjectTypeName(b.subject.type);
    return std::tie(ta, a.subject.id, a.role_id, a.scope_id, a.assignment_id) <
           std::tie(tb, b.subject.id, b.role_id, b.scope_id, b.assignment_id);
  });
  if (out->size() > before) {
    ++summary_.accounts;
    summary_.subjects += subjects.size();
    for (auto i = before; i < out->size(); ++i) {
      ++summary_.grants_changed;
      summary_.permissions_gained += (*out)[i].gained.size();
      summary_.permissions_lost += (*out)[i].lost.size();
    }
  }
  return true;
}

}  // namespace gatehouse
