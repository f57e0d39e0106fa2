// A deliberately naive evaluator of the decision semantics, written from the spec
// (api.md §2.1, policies.md §1) straight over the declarations — no compilation, no
// indexes, no bitsets. The differential test holds the real engine to it.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/model.h"
#include "engine/policy_set.h"

namespace gatehouse::testing {

struct ReferenceWorld {
  PolicySource source;
  std::string account_id = "acct";
  std::map<std::string, std::string> parent_of;  // asset → parent asset (account id at top)
  std::map<std::string, std::string> type_of;    // asset → type (account id → "account")
  std::vector<Assignment> assignments;
};

class ReferenceEvaluator {
 public:
  explicit ReferenceEvaluator(const ReferenceWorld& w) : w_(w) {}

  bool Allowed(const Subject& subject, const std::string& permission, const std::string& asset, Timestamp now) const {
    const PermissionDecl* perm = FindPermission(permission);
    if (perm == nullptr || w_.type_of.count(asset) == 0) return false;
    for (const auto& a : w_.assignments) {
      if (!(a.subject == subject) || !a.ActiveAt(now)) continue;
      const RoleDecl* role = FindRole(a.role_id);
      if (role == nullptr || !RoleGrants(*role, permission, 0)) continue;
      if (a.restriction.kind == Restriction::Kind::kAccount) return true;
      if (perm->account_level) continue;
      for (const auto& scope : a.restriction.asset_ids) {
        if (Below(asset, scope)) return true;
      }
    }
    return false;
  }

  std::vector<std::string> Assets() const {
    std::vector<std::string> out;
    for (const auto& [id, type] : w_.type_of) out.push_back(id);
    return out;
  }

 private:
  const PermissionDecl* FindPermission(const std::string& id) const {
    for (const auto& p : w_.source.permissions) {
      if (p.id == id) return &p;
    }
    return nullptr;
  }
  const RoleDecl* FindRole(const std::string& id) const {
    for (const auto& r : w_.source.roles) {
      if (r.id == id) return &r;
    }
    return nullptr;
  }
  static bool Matches(const std::string& pattern, const std::string& id) {
    if (pattern == "*") return true;
    if (pattern.size() > 2 && pattern.compare(pattern.size() - 2, 2, ".*") == 0) {
      return id.rfind(pattern.substr(0, pattern.size() - 1), 0) == 0;
    }
    return pattern == id;
  }
  // Does `from` imply `target` (reflexive, transitive)?
  bool Implies(const std::string& from, const std::string& target, int depth) const {
    if (from == target) return true;
    if (depth > 64) return false;
    const PermissionDecl* p = FindPermission(from);
    if (p == nullptr) return false;
    for (const auto& next : p->implies) {
      if (Implies(next, target, depth + 1)) return true;
    }
    return false;
  }
  bool RoleGrants(const RoleDecl& role, const std::string& permission, int depth) const {
    if (depth > 64) return false;
    for (const auto& st : role.statements) {
      if (st.effect != Effect::kDeny) continue;
      for (const auto& pattern : st.permissions) {
        if (Matches(pattern, permission)) return false;
      }
    }
    for (const auto& st : role.statements) {
      if (st.effect != Effect::kAllow) continue;
      for (const auto& pattern : st.permissions) {
        for (const auto& p : w_.source.permissions) {
          if (Matches(pattern, p.id) && Implies(p.id, permission, 0)) return true;
        }
      }
    }
    for (const auto& parent : role.inherits) {
      const RoleDecl* r = FindRole(parent);
      if (r != nullptr && RoleGrants(*r, permission, depth + 1)) return true;
    }
    return false;
  }
  bool Below(std::string asset, const std::string& scope) const {
    for (int guard = 0; guard < 1000; ++guard) {
      if (asset == scope) return true;
      auto it = w_.parent_of.find(asset);
      if (it == w_.parent_of.end()) return false;
      asset = it->second;
    }
    return false;
  }

  const ReferenceWorld& w_;
};

}  // namespace gatehouse::testing
