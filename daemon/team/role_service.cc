#include "team/role_service.h"

#include <algorithm>

#include "core/guid.h"
#include "engine/custom_roles.h"

namespace gatehouse {

Result<RoleDefinition> RoleService::Put(const RoleDefinition& requested, bool replace, const std::string& actor) {
  RoleDefinition role = requested;
  if (!replace && role.id.empty()) role.id = "custom-" + NewGuid();
  if (!IsValidId(role.id)) return FieldError("id", "must be 1 to 128 printable ASCII characters without spaces");
  if (role.title.empty()) return FieldError("title", "must not be empty", "REQUIRED_FIELD");
  if (role.title.find("en") == role.title.end())
    return FieldError("title", "needs an \"en\" text (the fallback locale)");
  if (role.statements.empty() && role.inherits.empty()) {
    return FieldError("statements", "a role needs at least one statement or an inherited role", "REQUIRED_FIELD");
  }
  auto revision = committer_->Commit([&](const Snapshot& snap) -> Result<ChangeSet> {
    const AccountView* view = snap.FindAccount(role.account_id);
    if (view == nullptr) return NotFound("account not found");
    const auto held = view->State();
    const AccountState& state = *held;
    const bool exists = state.FindCustomRole(role.id) != nullptr;
    if (replace && !exists) {
      if (snap.policy_set().FindRole(role.id, role.account_id) != nullptr) {
        return FailedPrecondition("role \"" + role.id +
                                  "\" comes from the policy files and cannot be changed through the API");
      }
      return NotFound("custom role not found");
    }
    if (!replace && (exists || snap.policy_set().FindRole(role.id, role.account_id) != nullptr)) {
      return AlreadyExists("a role \"" + role.id + "\" already exists");
    }
    // Compile the account's custom roles as they would be after this write: the role
    // itself and every role that inherits it must compile.
    std::vector<RoleDefinition> after;
    for (const auto& r : state.custom_roles()) {
      if (r.id != role.id) after.push_back(r);
    }
    after.push_back(role);
    std::vector<CompiledRole> compiled;
    std::vector<PolicyError> errors;
    CompileAccountRoles(snap.policy_set(), after, &compiled, &errors);
    if (!errors.empty()) {
      std::string message;
      for (const auto& e : errors) message += (message.empty() ? "" : "; ") + e.message;
      Status st(StatusCode::kInvalidArgument, message);
      st.WithViolation("statements", message, "INVALID_VALUE");
      return st;
    }
    ChangeSet set;
    set.type = replace ? "role.updated" : "role.created";
    set.account_id = role.account_id;
    set.actor = actor;
    set.at = clock_->Now();
    set.changes.push_back(RolePut{role});
    return set;
  });
  if (!revision.ok()) return revision.status();
  return role;
}

Status RoleService::Delete(const std::string& account_id, const std::string& role_id, const std::string& actor) {
  auto revision = committer_->Commit([&](const Snapshot& snap) -> Result<ChangeSet> {
    const AccountView* view = snap.FindAccount(account_id);
    if (view == nullptr || view->State()->FindCustomRole(role_id) == nullptr) {
      if (view != nullptr && snap.policy_set().FindRole(role_id, account_id) != nullptr) {
        return FailedPrecondition("role \"" + role_id +
                                  "\" comes from the policy files and cannot be deleted through the API");
      }
      return NotFound("custom role not found");
    }
    const auto held = view->State();
    const AccountState& state = *held;
    if (const std::size_t n = state.CountGrantsWithRole(role_id); n > 0) {
      return FailedPrecondition("role \"" + role_id + "\" is still assigned (" + std::to_string(n) + " assignment(s))");
    }
    const Timestamp now = clock_->Now();
    for (const auto& inv : state.invites()) {
      if (inv.EffectiveStatus(now) != InviteStatus::kPending) continue;
      for (const auto& a : inv.assignments) {
        if (a.role_id == role_id)
          return FailedPrecondition("pending invite " + inv.id + " grants role \"" + role_id + "\"");
      }
    }
    for (const auto& other : state.custom_roles()) {
      if (std::find(other.inherits.begin(), other.inherits.end(), role_id) != other.inherits.end()) {
        return FailedPrecondition("custom role \"" + other.id + "\" inherits \"" + role_id + "\"");
      }
    }
    ChangeSet set;
    set.type = "role.deleted";
    set.account_id = account_id;
    set.actor = actor;
    set.at = now;
    set.changes.push_back(RoleDeleted{account_id, role_id});
    return set;
  });
  return revision.ok() ? Status::Ok() : revision.status();
}

}  // namespace gatehouse
