// The decision functions: check, explain, and the two reverse queries, all answered from
// one Snapshot. A decision that cannot be made (unknown account, subject, asset or
// permission) is a deny with a reason, never an error, so callers can fail closed.
//
// Semantics (api.md §2.1, policies.md §1):
//  - A subject may do P on asset A when one of its assignments in A's account is active at
//    `now`, its role's effective permission set contains P, and its restriction covers A
//    (account-wide covers everything; a site or FOLDER restriction covers that asset and
//    everything below it; several FOLDERs combine with OR).
//  - A `level: Account` permission is granted only through account-wide assignments.
//
// Thread safety: pure functions over an immutable Snapshot.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"
#include "core/status.h"
#include "engine/snapshot.h"

namespace gatehouse {

struct CheckQuery {
  std::string_view account_id;
  SubjectType subject_type = SubjectType::kUser;
  std::string_view subject_id;
  std::string_view permission;
  std::string_view asset_id;
};

// The one rule of what a grant gives: a role with `perm` in its effective set gives it
// through an account-wide assignment always, and through a restricted one unless the
// permission is `level: Account`. Time windows and coverage are checked apart. The check,
// the reverse queries, the access review and the policy impact all ask this.
inline bool GrantGives(const CompiledRole* role, Restriction::Kind kind, std::uint32_t perm, bool account_level) {
  if (role == nullptr || !role->granted.Test(perm)) return false;
  return kind == Restriction::Kind::kAccount || !account_level;
}

// The hot path: no allocation, no locks.
bool Check(const Snapshot& snapshot, const CheckQuery& q, Timestamp now);

enum class DenyReason {
  kNone,  // allowed
  kUnknownAccount,
  kUnknownSubject,  // no assignment at all in this account
  kUnknownAsset,
  kUnknownPermission,
  kNoCoveringAssignment,  // assignments exist, none covers the asset
  kRoleLacksPermission,   // covering assignments' roles do not grant it
  kDeniedByStatement,     // a role would grant it but a DENY statement removes it
  kAccountLevelOnly,      // granted only on a restricted assignment; needs account-wide
  kNotYetActive,
  kExpired,
};
std::string_view DenyReasonName(DenyReason r);  // "NO_COVERING_ASSIGNMENT", ...

struct Explanation {
  bool allowed = false;
  DenyReason reason = DenyReason::kNone;
  std::string message;
  std::optional<Assignment> assignment;  // the granting one, or the closest miss
  std::vector<std::string> role_chain;   // assigned role → ... → role whose statement decided
  std::string statement;                 // "ALLOW site.* at file:line:col"
  std::vector<std::string> asset_chain;  // asset, its parent, ... up to the covering scope
};

Explanation Explain(const Snapshot& snapshot, const CheckQuery& q, Timestamp now);

// The decision and, for a deny, Explain's reason — without building the explanation: no
// allocation unless a covering role lacks the permission (then Explain tells a DENY
// statement from a missing ALLOW). kNone = allowed. For metrics by deny reason.
DenyReason Decide(const Snapshot& snapshot, const CheckQuery& q, Timestamp now);
inline constexpr std::size_t kDenyReasonCount = static_cast<std::size_t>(DenyReason::kExpired) + 1;

struct AssetRef {
  std::string id;
  std::string type;
  std::string name;
};
struct AssetPage {
  std::vector<AssetRef> assets;
  std::string next_cursor;  // empty: no more
};

// Every asset (sorted by id) the subject may do `permission` on; the account itself is
// included (type "account") when it may do it there. `cursor` is the last id of the
// previous page: an item that exists throughout paging is returned exactly once.
AssetPage ListAssets(const Snapshot& snapshot, std::string_view account_id, const Subject& subject,
                     std::string_view permission, std::string_view asset_type, std::size_t limit,
                     std::string_view cursor, Timestamp now);

struct SubjectPage {
  std::vector<Subject> subjects;
  std::string next_cursor;  // "TYPE:id" of the last item; empty: no more
};

// Every subject (sorted by type name, then id) that may do `permission` on the asset.
SubjectPage ListSubjects(const Snapshot& snapshot, std::string_view account_id, std::string_view asset_id,
                         std::string_view permission, std::size_t limit, std::string_view cursor, Timestamp now);

}  // namespace gatehouse
