// RoleService: an account's custom roles made over the API (api.md §3.4): create,
// replace, delete. A custom role follows the rules of roles in policy files (known
// permissions, wildcards that match, no inheritance cycles, restrictFromLevel vs
// `level: Account`), may inherit predefined roles and the account's other custom roles,
// and never takes a predefined role's id. A role still assigned, named by a pending
// invite, or inherited by another custom role cannot be deleted (kFailedPrecondition).
// Thread safety: safe for concurrent use.
#pragma once

#include <string>

#include "core/model.h"
#include "core/time.h"
#include "team/committer.h"

namespace gatehouse {

class RoleService {
 public:
  RoleService(Committer* committer, const Clock* clock) : committer_(committer), clock_(clock) {}

  // `replace`: PUT semantics (the role must exist); else POST (it must not). A new role
  // without an id gets "custom-<guid>". Returns the role as stored.
  Result<RoleDefinition> Put(const RoleDefinition& role, bool replace, const std::string& actor);
  Status Delete(const std::string& account_id, const std::string& role_id, const std::string& actor);

 private:
  Committer* committer_;
  const Clock* clock_;
};

}  // namespace gatehouse
