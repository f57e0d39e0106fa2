// Get Roles Info as a query over a snapshot: the predefined roles and the account's custom
// roles (from policy files under accounts/<id>/ and made over the API), each sorted by id,
// kept by the request's filter:
//  - level kSiteLevel drops roles restricted from site level (restrictFromLevel: Site),
//    kAccountLevel drops roles restricted from account level;
//  - editor types, when any are asked for, keep a role that names none or one of them.
// Pointers stay valid while the snapshot lives. Thread safety: pure function.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/snapshot.h"

namespace gatehouse {

struct RoleListingFilter {
  enum class Level { kAll, kSiteLevel, kAccountLevel };
  Level level = Level::kAll;
  std::vector<std::string> editor_types;
};

struct RoleListing {
  std::vector<const CompiledRole*> predefined;
  std::vector<const CompiledRole*> custom;
};

RoleListing ListRoles(const Snapshot& snapshot, std::string_view account_id, const RoleListingFilter& filter);

}  // namespace gatehouse
