// AccountService: the write side for accounts (POST /v1/accounts). Creating an account
// gives its owner the reserved `owner` role account-wide, in the same ChangeSet, so an
// account never exists without an owner.
//
// Thread safety: safe for concurrent use (writes go through the Committer).
#pragma once

#include <string>

#include "core/model.h"
#include "core/status.h"
#include "core/time.h"
#include "team/committer.h"

namespace gatehouse {

inline constexpr std::string_view kOwnerRoleId = "owner";

struct CreateAccountRequest {
  std::string id;  // empty: a GUID is generated
  std::string name;
  std::string owner_user_id;
};

class AccountService {
 public:
  AccountService(Committer* committer, const Clock* clock) : committer_(committer), clock_(clock) {}

  // kInvalidArgument for a bad field (with the field named), kAlreadyExists for a taken id.
  Result<Account> Create(const CreateAccountRequest& request, const std::string& actor);

 private:
  Committer* committer_;
  const Clock* clock_;
};

}  // namespace gatehouse
