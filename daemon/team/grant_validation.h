// The rules every new assignment must pass, wherever it comes from (Update Team Member
// Assignments, POST /v1/assignments, invites): a known role of the account, a restriction
// naming existing assets of the right type (site: a `site`; FOLDER: a `folder`), the
// role's restrictFromLevel, and a time window that ends after it starts and not in the
// past. Errors are field errors under `field` (e.g. "newAssignments[2]").
#pragma once

#include <optional>
#include <string>

#include "core/model.h"
#include "core/status.h"
#include "engine/snapshot.h"

namespace gatehouse {

struct GrantRequest {
  std::string role_id;
  Restriction restriction;
  std::optional<Timestamp> not_before;
  std::optional<Timestamp> expires_at;
};

Status ValidateGrant(const Snapshot& snapshot, const AccountState& account, const GrantRequest& grant, Timestamp now,
                     const std::string& field);

// True when a USER is a team member: holds an assignment active now.
bool IsMember(const AccountState& account, std::string_view user_id, Timestamp now);

}  // namespace gatehouse
