// AssignmentService: the write side of role assignments — Update Team Member Assignments
// and Remove Member (the Team API), and POST/DELETE /v1/assignments. Every method is one
// all-or-nothing ChangeSet: any violation answers an error and changes nothing.
//
// Owner protection: the account owner (Account::owner_user_id) cannot be removed, and
// cannot lose their last `owner` assignment (kFailedPrecondition).
// Thread safety: safe for concurrent use (writes go through the Committer).
#pragma once

#include <string>
#include <vector>

#include "core/time.h"
#include "team/committer.h"
#include "team/grant_validation.h"

namespace gatehouse {

class AssignmentService {
 public:
  AssignmentService(Committer* committer, const Clock* clock) : committer_(committer), clock_(clock) {}

  // PATCH /roles-management/v2/team/assignments. Returns the created assignments (an
  // identical existing one is returned instead of a duplicate).
  Result<std::vector<Assignment>> UpdateMember(const std::string& account_id, const std::string& user_id,
                                               const std::vector<GrantRequest>& add,
                                               const std::vector<std::string>& remove_ids, const std::string& actor);

  // POST /roles-management/team/remove: deletes every assignment of the user.
  Status RemoveMember(const std::string& account_id, const std::string& user_id, const std::string& actor);

  // POST /v1/assignments: any subject type; a USER must exist. `created` tells 201 from 200.
  Result<Assignment> Add(const std::string& account_id, const Subject& subject, const GrantRequest& grant,
                         const std::string& actor, bool* created);

  // DELETE /v1/assignments/{id}.
  Status Delete(const std::string& account_id, std::uint64_t assignment_id, const std::string& actor);

 private:
  Committer* committer_;
  const Clock* clock_;
};

}  // namespace gatehouse
