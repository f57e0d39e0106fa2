// ChangeSet: one committed, all-or-nothing write. The team/ service turns a validated
// command into a ChangeSet; store/ appends it to the durable change log; the state
// applies it. The log of ChangeSets is the single source of truth for start-up, other
// nodes, notifiers and history, so a ChangeSet must be self-contained and deterministic
// to apply (it carries every generated id and timestamp).
//
// Thread safety: value type.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "core/model.h"
#include "core/time.h"

namespace gatehouse {

struct AccountCreated {
  Account account;
};
struct UserPut {
  User user;
};
struct AssetPut {
  Asset asset;
};
struct AssetDeleted {
  std::string account_id;
  std::string asset_id;
};
struct AssignmentAdded {
  Assignment assignment;
};
struct AssignmentRemoved {
  std::string account_id;
  std::uint64_t assignment_id = 0;
};

struct InvitePut {  // create or replace (status changes, resend)
  Invite invite;
};
struct ApiKeyCreated {
  ApiKey key;
};
struct ApiKeyRevoked {
  std::string account_id;
  std::string key_id;
};

struct RolePut {  // create or replace an account's custom role
  RoleDefinition role;
};
struct RoleDeleted {
  std::string account_id;
  std::string role_id;
};

using Change = std::variant<AccountCreated, UserPut, AssetPut, AssetDeleted, AssignmentAdded, AssignmentRemoved,
                            InvitePut, ApiKeyCreated, ApiKeyRevoked, RolePut, RoleDeleted>;

// The account a change belongs to; empty for global changes (user profiles).
const std::string& AccountOf(const Change& change);

struct ChangeSet {
  std::string type;        // event type, e.g. "account.created", "assignments.updated"
  std::string account_id;  // empty for global changes (users)
  std::string actor;       // who asked: "system" or "key:<id>"
  Timestamp at = 0;
  std::vector<Change> changes;
};

// A ChangeSet as the log holds it: its revision plus the encoded body.
struct ChangeRecord {
  std::uint64_t revision = 0;
  std::string type;
  std::string account_id;
  std::string actor;
  Timestamp at = 0;
  std::string payload;  // encoded changes (codec/)
};

}  // namespace gatehouse
