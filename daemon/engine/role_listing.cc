#include "engine/role_listing.h"

#include <algorithm>

namespace gatehouse {
namespace {

bool Keep(const CompiledRole& role, const RoleListingFilter& filter) {
  const auto rfl = role.decl.restrict_from_level;
  if (filter.level == RoleListingFilter::Level::kSiteLevel && rfl == RestrictFromLevel::kSite) return false;
  if (filter.level == RoleListingFilter::Level::kAccountLevel && rfl == RestrictFromLevel::kAccount) return false;
  if (filter.editor_types.empty() || role.decl.editor_types.empty()) return true;
  return std::any_of(role.decl.editor_types.begin(), role.decl.editor_types.end(), [&](const std::string& t) {
    return std::find(filter.editor_types.begin(), filter.editor_types.end(), t) != filter.editor_types.end();
  });
}

void SortAndFilter(std::vector<const CompiledRole*>& roles, const RoleListingFilter& filter) {
  std::sort(roles.begin(), roles.end(),
            [](const CompiledRole* a, const CompiledRole* b) { return a->decl.id < b->decl.id; });
  roles.erase(std::remove_if(roles.begin(), roles.end(), [&](const CompiledRole* r) { return !Keep(*r, filter); }),
              roles.end());
}

}  // namespace

RoleListing ListRoles(const Snapshot& snapshot, std::string_view account_id, const RoleListingFilter& filter) {
  RoleListing out;
  for (const auto& role : snapshot.policy_set().predefined_roles()) out.predefined.push_back(&role);
  out.custom = snapshot.policy_set().FileCustomRoles(account_id);
  if (const AccountView* view = snapshot.FindAccount(account_id); view != nullptr && view->custom_roles) {
    for (const auto& role : *view->custom_roles) out.custom.push_back(&role);
  }
  SortAndFilter(out.predefined, filter);
  SortAndFilter(out.custom, filter);
  return out;
}

}  // namespace gatehouse
