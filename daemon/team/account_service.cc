#include "team/account_service.h"

#include "core/guid.h"

namespace gatehouse {

Result<Account> AccountService::Create(const CreateAccountRequest& request, const std::string& actor) {
  Account account;
  account.id = request.id.empty() ? NewGuid() : request.id;
  account.name = request.name;
  account.owner_user_id = request.owner_user_id;
  if (!IsValidId(account.id)) {
    return FieldError("id", "must be 1 to 128 printable ASCII characters without spaces");
  }
  if (account.name.empty()) return FieldError("name", "must not be empty", "REQUIRED_FIELD");
  if (account.owner_user_id.empty()) {
    return FieldError("ownerUserId", "must not be empty", "REQUIRED_FIELD");
  }
  if (!IsValidId(account.owner_user_id)) {
    return FieldError("ownerUserId", "must be 1 to 128 printable ASCII characters without spaces");
  }
  auto revision = committer_->Commit([&](const Snapshot& snap) -> Result<ChangeSet> {
    if (snap.FindAccount(account.id) != nullptr) {
      return AlreadyExists("account \"" + account.id + "\" already exists");
    }
    if (snap.policy_set().FindRole(kOwnerRoleId) == nullptr) {
      return FailedPrecondition("the policy set has no \"owner\" role");
    }
    account.created_at = clock_->Now();
    Assignment owner;
    owner.id = snap.max_assignment_id() + 1;
    owner.account_id = account.id;
    owner.subject = Subject{account.owner_user_id, SubjectType::kUser};
    owner.role_id = std::string(kOwnerRoleId);
    owner.created_at = account.created_at;
    ChangeSet set;
    set.type = "account.created";
    set.account_id = account.id;
    set.actor = actor;
    set.at = account.created_at;
    set.changes.push_back(AccountCreated{account});
    set.changes.push_back(AssignmentAdded{owner});
    return set;
  });
  if (!revision.ok()) return revision.status();
  return account;
}

}  // namespace gatehouse
