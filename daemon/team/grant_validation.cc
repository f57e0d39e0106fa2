#include "team/grant_validation.h"

#include "engine/policy_compiler.h"

namespace gatehouse {

Status ValidateGrant(const Snapshot& snapshot, const AccountState& account, const GrantRequest& grant, Timestamp now,
                     const std::string& field) {
  const PolicySet& policies = snapshot.policy_set();
  const AccountView* view = snapshot.FindAccount(account.account().id);
  const CompiledRole* role = view != nullptr ? view->FindRole(grant.role_id, policies)
                                             : policies.FindRole(grant.role_id, account.account().id);
  if (grant.role_id.empty()) return FieldError(field + ".policyId", "must not be empty", "REQUIRED_FIELD");
  if (role == nullptr) {
    std::vector<std::string> names;
    for (const auto& r : policies.predefined_roles()) names.push_back(r.decl.id);
    return FieldError(field + ".policyId", "unknown role \"" + grant.role_id + "\"" + DidYouMean(grant.role_id, names));
  }
  const Restriction& r = grant.restriction;
  if (r.kind != Restriction::Kind::kAccount) {
    const bool site = r.kind == Restriction::Kind::kSite;
    const std::string where = field + (site ? ".restrictions.site.id" : ".restrictions.conditions");
    if (r.asset_ids.empty()) return FieldError(where, "must name at least one asset", "REQUIRED_FIELD");
    for (const auto& id : r.asset_ids) {
      const std::uint32_t node = account.FindAsset(id);
      if (node == AccountState::kNoNode || node == AccountState::kRootNode) {
        return FieldError(where, "unknown asset \"" + id + "\"");
      }
      const std::string& type = account.Node(node).type;
      if (type != (site ? "site" : "folder")) {
        return FieldError(where, "asset \"" + id + "\" is a " + type + ", expected a " + (site ? "site" : "folder"));
      }
    }
  }
  const auto level = role->decl.restrict_from_level;
  if (level == RestrictFromLevel::kSite && r.kind != Restriction::Kind::kAccount) {
    return FieldError(field + ".restrictions",
                      "role \"" + grant.role_id + "\" may only be assigned account-wide (restrictFromLevel Site)");
  }
  if (level == RestrictFromLevel::kAccount && r.kind == Restriction::Kind::kAccount) {
    return FieldError(field + ".restrictions", "role \"" + grant.role_id +
                                                   "\" may only be assigned with a site or folder restriction "
                                                   "(restrictFromLevel Account)");
  }
  if (grant.expires_at) {
    if (grant.not_before && *grant.expires_at <= *grant.not_before) {
      return FieldError(field + ".expiresAt", "must be after notBefore");
    }
    if (*grant.expires_at <= now) return FieldError(field + ".expiresAt", "is already in the past");
  }
  return Status::Ok();
}

bool IsMember(const AccountState& account, std::string_view user_id, Timestamp now) {
  const auto* s = account.FindSubject(SubjectType::kUser, user_id);
  return s != nullptr && AccountState::HasActiveGrant(*s, now);
}

}  // namespace gatehouse
