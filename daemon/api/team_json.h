// JSON mapping of the Team API's objects (api.md §2.1): AssignmentV3, UserV3, InviteV3 /
// AccountInvite, RoleInfo in and out, and the Search Team filter language. Internal to
// api/; no business logic.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/model.h"
#include "core/status.h"
#include "engine/snapshot.h"
#include "engine/team_search.h"
#include "team/grant_validation.h"

namespace gatehouse::api {

using nlohmann::json;

// Parses an AssignmentV3 (policyId, restrictions, notBefore, expiresAt); `path` names it.
Result<GrantRequest> ParseGrant(const json& j, const std::string& path);
// Parses a Restriction object ({}, {site: {id}}, {conditions: {conditions: [...]}}).
Result<Restriction> ParseRestriction(const json& j, const std::string& path);
// Parses an optional RFC 3339 field.
Result<std::optional<Timestamp>> ParseTime(const json& obj, const char* field, const std::string& path);

json RestrictionJson(const AccountState& account, const Restriction& r);  // with value = name / folder path
json AssignmentJson(const AccountState& account, const Assignment& a);
json UserJson(const Snapshot& snap, const AccountState& account, const AccountState::SubjectEntry& s, Timestamp now);
// InviteV3; `token` adds acceptLink (only when just issued).
json InviteJson(const AccountState& account, const Invite& invite, Timestamp now, const std::string& accept_link = "");
// AccountInvite (the invite API's shape).
json AccountInviteJson(const AccountState& account, const Invite& invite, Timestamp now,
                       const std::string& accept_link = "");

// The Search Team filter language (Wix query subset) → TeamFilter. Depth ≤ 16, ≤ 256 nodes.
Result<TeamFilter> ParseTeamFilter(const json& j);

}  // namespace gatehouse::api
