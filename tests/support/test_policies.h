// Small policy sets built in code, for engine and team tests that must not depend on the
// shipped catalogue.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "engine/policy_compiler.h"

namespace gatehouse::testing {

inline StatementDecl Allow(std::vector<std::string> permissions) {
  StatementDecl s;
  s.effect = Effect::kAllow;
  s.permissions = std::move(permissions);
  return s;
}

inline StatementDecl Deny(std::vector<std::string> permissions) {
  StatementDecl s;
  s.effect = Effect::kDeny;
  s.permissions = std::move(permissions);
  return s;
}

inline RoleDecl MakeRole(std::string id, std::vector<StatementDecl> statements, std::vector<std::string> inherits = {},
                         RestrictFromLevel level = RestrictFromLevel::kNoRestriction) {
  RoleDecl r;
  r.id = std::move(id);
  r.title["en"] = r.id;
  r.statements = std::move(statements);
  r.inherits = std::move(inherits);
  r.restrict_from_level = level;
  return r;
}

inline PermissionDecl MakePermission(std::string id, std::vector<std::string> implies = {},
                                     bool account_level = false) {
  PermissionDecl p;
  p.id = std::move(id);
  p.implies = std::move(implies);
  p.account_level = account_level;
  return p;
}

// site.view < site.edit < site.publish, site.delete, team.view, team.delete-member (Account);
// folder and site types; roles owner(*), editor(site.edit), manager(site.* − site.delete,
// inherits editor), remover(team.delete-member).
inline PolicySource BasicSource() {
  PolicySource src;
  src.permissions = {MakePermission("site.view"),
                     MakePermission("site.edit", {"site.view"}),
                     MakePermission("site.publish", {"site.edit"}),
                     MakePermission("site.delete"),
                     MakePermission("team.view"),
                     MakePermission("team.delete-member", {"team.view"}, true)};
  src.asset_types = {AssetTypeDecl{"folder", {"account", "folder"}, {}},
                     AssetTypeDecl{"site", {"account", "folder"}, {}}};
  src.roles = {MakeRole("owner", {Allow({"*"})}), MakeRole("editor", {Allow({"site.edit"})}),
               MakeRole("manager", {Allow({"site.*"}), Deny({"site.delete"})}, {"editor"}),
               MakeRole("remover", {Allow({"team.delete-member"})})};
  return src;
}

inline std::shared_ptr<const PolicySet> Compile(const PolicySource& src) {
  auto out = CompilePolicySet(src);
  for (const auto& e : out.errors) ADD_FAILURE() << e.ToString();
  return out.policy_set;
}

}  // namespace gatehouse::testing
