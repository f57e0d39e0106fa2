#include "engine/policy_set.h"

#include <algorithm>
#include <bit>

namespace gatehouse {

std::string SourceLocation::ToString() const {
  if (file.empty()) return "<api>";
  if (line == 0) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string_view RestrictFromLevelName(RestrictFromLevel l) {
  switch (l) {
    case RestrictFromLevel::kNoRestriction:
      return "NoRestriction";
    case RestrictFromLevel::kSite:
      return "Site";
    case RestrictFromLevel::kAccount:
      return "Account";
  }
  return "NoRestriction";
}

std::optional<RestrictFromLevel> ParseRestrictFromLevel(std::string_view s) {
  if (s == "NoRestriction") return RestrictFromLevel::kNoRestriction;
  if (s == "Site") return RestrictFromLevel::kSite;
  if (s == "Account") return RestrictFromLevel::kAccount;
  return std::nullopt;
}

std::string Localize(const LocalizedText& text, std::string_view locale) {
  if (auto it = text.find(std::string(locale)); it != text.end()) return it->second;
  if (auto it = text.find("en"); it != text.end()) return it->second;
  return text.empty() ? std::string() : text.begin()->second;
}

std::size_t PermissionBits::Count() const {
  std::size_t n = 0;
  for (auto w : words_) n += static_cast<std::size_t>(std::popcount(w));
  return n;
}

std::optional<std::uint32_t> PolicySet::PermissionIndex(std::string_view id) const {
  auto it = permission_index_.find(id);
  if (it == permission_index_.end()) return std::nullopt;
  return it->second;
}

const CompiledRole* PolicySet::FindRole(std::string_view id, std::string_view account_id) const {
  if (auto it = predefined_index_.find(id); it != predefined_index_.end()) {
    return &predefined_[it->second];
  }
  if (account_id.empty()) return nullptr;
  auto acct = custom_index_.find(account_id);
  if (acct == custom_index_.end()) return nullptr;
  auto it = acct->second.find(id);
  return it == acct->second.end() ? nullptr : &custom_[it->second];
}

std::vector<const CompiledRole*> PolicySet::FileCustomRoles(std::string_view account_id) const {
  std::vector<const CompiledRole*> out;
  auto acct = custom_index_.find(account_id);
  if (acct == custom_index_.end()) return out;
  for (const auto& [id, index] : acct->second) out.push_back(&custom_[index]);
  std::sort(out.begin(), out.end(),
            [](const CompiledRole* a, const CompiledRole* b) { return a->decl.id < b->decl.id; });
  return out;
}

bool PolicySet::HasAssetType(std::string_view type) const {
  return type == "account" || asset_type_index_.contains(type);
}

bool PolicySet::AllowsParent(std::string_view type, std::string_view parent_type) const {
  auto it = asset_type_index_.find(type);
  if (it == asset_type_index_.end()) return false;
  const auto& parents = asset_types_[it->second].parents;
  return std::find(parents.begin(), parents.end(), parent_type) != parents.end();
}

std::vector<std::string> PolicySet::PermissionIds() const {
  std::vector<std::string> ids;
  ids.reserve(permissions_.size());
  for (const auto& p : permissions_) ids.push_back(p.id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

namespace {
bool PatternMatches(std::string_view pattern, std::string_view id) {
  if (pattern == "*") return true;
  if (pattern.size() >= 2 && pattern.substr(pattern.size() - 2) == ".*") {
    auto prefix = pattern.substr(0, pattern.size() - 1);  // keeps the dot
    return id.substr(0, prefix.size()) == prefix;
  }
  return pattern == id;
}
}  // namespace

bool PolicySet::TraceInto(const CompiledRole& role, std::uint32_t permission, const RoleLookup& lookup, GrantTrace* out,
                          int depth) const {
  if (depth > 64) return false;
  out->chain.push_back(role.decl.id);
  // A DENY in this role decides against, whatever it inherits.
  for (const auto& st : role.decl.statements) {
    if (st.effect != Effect::kDeny) continue;
    for (const auto& pattern : st.permissions) {
      if (PatternMatches(pattern, permissions_[permission].id)) {
        out->granted = false;
        out->statement = &st;
        out->matched_pattern = pattern;
        return true;
      }
    }
  }
  for (const auto& st : role.decl.statements) {
    if (st.effect != Effect::kAllow) continue;
    for (const auto& pattern : st.permissions) {
      for (std::uint32_t i = 0; i < permissions_.size(); ++i) {
        if (PatternMatches(pattern, permissions_[i].id) && permissions_[i].closure.Test(permission)) {
          out->granted = true;
          out->statement = &st;
          out->matched_pattern = pattern;
          return true;
        }
      }
    }
  }
  for (const auto& parent_id : role.decl.inherits) {
    const CompiledRole* parent = lookup ? lookup(parent_id) : FindRole(parent_id, role.decl.account_id);
    if (parent == nullptr || !parent->granted.Test(permission)) continue;
    if (TraceInto(*parent, permission, lookup, out, depth + 1) && out->granted) return true;
  }
  out->chain.pop_back();
  return false;
}

GrantTrace PolicySet::Trace(const CompiledRole& role, std::uint32_t permission, const RoleLookup& lookup) const {
  GrantTrace trace;
  if (!TraceInto(role, permission, lookup, &trace, 0)) {
    trace = GrantTrace{};
    trace.chain.push_back(role.decl.id);
  }
  trace.granted = role.granted.Test(permission);
  return trace;
}

}  // namespace gatehouse
