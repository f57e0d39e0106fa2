// The value types of Gatehouse's data model: accounts, users, assets, subjects and
// role assignments. They are plain data with no behaviour beyond parsing and naming their
// enums; validation lives in the layer that accepts input (team/, policy/), decisions in
// engine/.
//
// Ownership: everything is held by value. Thread safety: value types.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"

namespace gatehouse {

// Who an assignment is given to. The spellings are the Wix SubjectType enum.
enum class SubjectType : std::uint8_t {
  kUser,
  kAccount,
  kExternalApp,
  kWixApp,
  kUserGroup,
  kAccountGroup,
};
inline constexpr int kSubjectTypeCount = 6;

std::string_view SubjectTypeName(SubjectType t);                     // "USER", ...
std::optional<SubjectType> ParseSubjectType(std::string_view name);  // exact spelling

struct Subject {
  std::string id;
  SubjectType type = SubjectType::kUser;
  friend bool operator==(const Subject&, const Subject&) = default;
};

// The asset type every account's tree is rooted at; the account's own id is its asset id.
inline constexpr std::string_view kAccountAssetType = "account";

// Where an assignment applies. kAccount: the whole account. kSite: one asset (a site)
// and everything below it. kFolders: each listed folder and everything below it (OR).
struct Restriction {
  enum class Kind : std::uint8_t { kAccount, kSite, kFolders };
  Kind kind = Kind::kAccount;
  std::vector<std::string> asset_ids;  // empty for kAccount; one for kSite
  friend bool operator==(const Restriction&, const Restriction&) = default;
};

// A role held by a subject within one account. Server-generated decimal id.
struct Assignment {
  std::uint64_t id = 0;
  std::string account_id;
  Subject subject;
  std::string role_id;
  Restriction restriction;
  std::optional<Timestamp> not_before;
  std::optional<Timestamp> expires_at;
  Timestamp created_at = 0;

  // True when the time window (if any) contains `now`.
  bool ActiveAt(Timestamp now) const {
    return (!not_before || now >= *not_before) && (!expires_at || now < *expires_at);
  }
  // Same role, restriction and time window: the API's notion of "identical".
  bool SameGrantAs(const Assignment& o) const {
    return subject == o.subject && role_id == o.role_id && restriction == o.restriction && not_before == o.not_before &&
           expires_at == o.expires_at;
  }
};

// A node of an account's asset tree. parent_id empty = directly under the account.
struct Asset {
  std::string account_id;
  std::string id;
  std::string type;
  std::string name;
  std::string parent_id;
};

struct Account {
  std::string id;
  std::string name;
  std::string owner_user_id;
  Timestamp created_at = 0;
};

// Users are global: one user may be on many accounts' teams.
struct User {
  std::string id;
  std::string email;
  std::string first_name;
  std::string last_name;
  std::string profile_image;
};

enum class InviteStatus : std::uint8_t { kPending, kUsed, kDeleted, kDeclined, kExpired };
inline constexpr std::size_t kInviteStatusCount = 5;
std::string_view InviteStatusName(InviteStatus s);  // "Pending", ...
std::optional<InviteStatus> ParseInviteStatus(std::string_view name);

// One role an invite will grant, with where it applies.
struct InviteAssignment {
  std::string role_id;
  Restriction restriction;
  friend bool operator==(const InviteAssignment&, const InviteAssignment&) = default;
};

// An account invite. Only the accept token's SHA-256 is kept. Status kPending past
// expires_at reads as kExpired (EffectiveStatus).
struct Invite {
  std::string id;
  std::string account_id;
  std::string email;
  InviteStatus status = InviteStatus::kPending;
  std::string token_hash;
  std::vector<InviteAssignment> assignments;
  std::string inviter;      // actor that created it ("system", "key:<id>")
  std::string inviter_id;   // the subject id of the key that created it; empty for the system key
  std::string accepted_by;  // the user id that accepted it (status Used)
  Timestamp created_at = 0;
  Timestamp updated_at = 0;
  Timestamp expires_at = 0;
  InviteStatus EffectiveStatus(Timestamp now) const {
    return status == InviteStatus::kPending && now >= expires_at ? InviteStatus::kExpired : status;
  }
};

// An account API key: bound to one subject of one account. Only the key's hash is kept.
struct ApiKey {
  std::string id;
  std::string account_id;
  Subject subject;
  std::string description;
  std::string key_hash;
  Timestamp created_at = 0;
};

// A custom role made over the API, as plain data (engine/ compiles it like a role file).
struct RoleStatement {
  bool allow = true;
  std::vector<std::string> permissions;
  friend bool operator==(const RoleStatement&, const RoleStatement&) = default;
};
struct RoleDefinition {
  std::string id;
  std::string account_id;
  std::map<std::string, std::string> title;        // locale → text
  std::map<std::string, std::string> description;  // locale → text
  std::string restrict_from_level = "NoRestriction";
  std::vector<std::string> editor_types;
  std::vector<std::string> inherits;
  std::vector<RoleStatement> statements;
};

// IDs are opaque strings of 1..128 printable ASCII bytes (api.md §1).
bool IsValidId(std::string_view id);

}  // namespace gatehouse
