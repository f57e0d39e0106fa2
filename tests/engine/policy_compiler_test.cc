#include "engine/policy_compiler.h"

#include <gtest/gtest.h>

#include "support/test_policies.h"

namespace gatehouse {
namespace {

using testing::Allow;
using testing::BasicSource;
using testing::Deny;
using testing::MakePermission;
using testing::MakeRole;

bool Grants(const PolicySet& set, std::string_view role, std::string_view permission) {
  const CompiledRole* r = set.FindRole(role);
  auto p = set.PermissionIndex(permission);
  return r != nullptr && p && r->granted.Test(*p);
}

std::string AllErrors(const CompileOutput& out) {
  std::string s;
  for (const auto& e : out.errors) s += e.ToString() + "\n";
  return s;
}

TEST(PolicyCompilerTest, ExpandsImpliesWildcardsInheritanceAndDeny) {
  auto set = testing::Compile(BasicSource());
  ASSERT_TRUE(set);
  EXPECT_TRUE(Grants(*set, "editor", "site.edit"));
  EXPECT_TRUE(Grants(*set, "editor", "site.view"));  // implied
  EXPECT_FALSE(Grants(*set, "editor", "site.publish"));
  EXPECT_TRUE(Grants(*set, "manager", "site.publish"));
  EXPECT_FALSE(Grants(*set, "manager", "site.delete"));  // DENY
  EXPECT_TRUE(Grants(*set, "owner", "team.delete-member"));
  EXPECT_TRUE(Grants(*set, "remover", "team.view"));
}

TEST(PolicyCompilerTest, DenyRemovesOnlyFromItsOwnRole) {
  PolicySource src = BasicSource();
  // child inherits manager (which DENYs site.delete) and ALLOWs it itself.
  src.roles.push_back(MakeRole("child", {Allow({"site.delete"})}, {"manager"}));
  src.roles.push_back(MakeRole("narrow", {Deny({"site.edit"})}, {"editor"}));
  auto set = testing::Compile(src);
  ASSERT_TRUE(set);
  EXPECT_TRUE(Grants(*set, "child", "site.delete"));
  EXPECT_FALSE(Grants(*set, "narrow", "site.edit"));
  EXPECT_TRUE(Grants(*set, "narrow", "site.view"));  // DENY removes the named permission only
}

TEST(PolicyCompilerTest, ReportsUnknownPermissionWithSuggestionAndLocation) {
  PolicySource src = BasicSource();
  RoleDecl r = MakeRole("typo", {Allow({"site.edt"})});
  r.statements[0].permissions_where = {SourceLocation{"roles/typo.yaml", 14, 7}};
  src.roles.push_back(r);
  auto out = CompilePolicySet(src);
  ASSERT_EQ(out.errors.size(), 1U) << AllErrors(out);
  EXPECT_EQ(out.errors[0].ToString(),
            "roles/typo.yaml:14:7: role \"typo\": unknown permission \"site.edt\" (did you mean \"site.edit\"?)");
  EXPECT_FALSE(out.policy_set);
}

TEST(PolicyCompilerTest, ReportsEveryErrorNotJustTheFirst) {
  PolicySource src = BasicSource();
  src.roles.push_back(MakeRole("a", {Allow({"nope.*"})}));
  src.roles.push_back(MakeRole("b", {Allow({"site.view"})}, {"ghost"}));
  src.roles.push_back(MakeRole("editor", {Allow({"site.view"})}));
  auto out = CompilePolicySet(src);
  EXPECT_EQ(out.errors.size(), 3U) << AllErrors(out);
  const std::string all = AllErrors(out);
  EXPECT_NE(all.find("wildcard \"nope.*\" matches no declared permission"), std::string::npos);
  EXPECT_NE(all.find("inherits unknown role \"ghost\""), std::string::npos);
  EXPECT_NE(all.find("role \"editor\" is declared twice"), std::string::npos);
}

TEST(PolicyCompilerTest, DetectsInheritanceCycle) {
  PolicySource src = BasicSource();
  src.roles.push_back(MakeRole("x", {Allow({"site.view"})}, {"y"}));
  src.roles.push_back(MakeRole("y", {Allow({"site.view"})}, {"x"}));
  auto out = CompilePolicySet(src);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(AllErrors(out).find("inheritance cycle"), std::string::npos) << AllErrors(out);
}

TEST(PolicyCompilerTest, DetectsImpliesCycle) {
  PolicySource src = BasicSource();
  src.permissions.push_back(MakePermission("p.a", {"p.b"}));
  src.permissions.push_back(MakePermission("p.b", {"p.a"}));
  auto out = CompilePolicySet(src);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(AllErrors(out).find("cycle"), std::string::npos) << AllErrors(out);
}

TEST(PolicyCompilerTest, DuplicatePermissionNamesBothPlaces) {
  PolicySource src = BasicSource();
  src.permissions[0].where = SourceLocation{"a.yaml", 3, 5};
  PermissionDecl dup = MakePermission("site.view");
  dup.where = SourceLocation{"b.yaml", 7, 5};
  src.permissions.push_back(dup);
  auto out = CompilePolicySet(src);
  ASSERT_EQ(out.errors.size(), 1U) << AllErrors(out);
  EXPECT_EQ(out.errors[0].ToString(), "b.yaml:7:5: permission \"site.view\" is declared twice (first at a.yaml:3:5)");
}

TEST(PolicyCompilerTest, PerSiteRoleMayNotGrantAccountLevelPermission) {
  PolicySource src = BasicSource();
  src.roles.push_back(MakeRole("site-only", {Allow({"team.delete-member"})}, {}, RestrictFromLevel::kAccount));
  auto out = CompilePolicySet(src);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(AllErrors(out).find("level Account"), std::string::npos) << AllErrors(out);
}

TEST(PolicyCompilerTest, OwnerRoleIsRequired) {
  PolicySource src = BasicSource();
  src.roles.erase(src.roles.begin());
  auto out = CompilePolicySet(src);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(AllErrors(out).find("\"owner\""), std::string::npos);
}

TEST(PolicyCompilerTest, UnknownAssetTypeParent) {
  PolicySource src = BasicSource();
  src.asset_types.push_back(AssetTypeDecl{"page", {"sitte"}, {}});
  auto out = CompilePolicySet(src);
  ASSERT_EQ(out.errors.size(), 1U);
  EXPECT_NE(out.errors[0].message.find("unknown parent type \"sitte\" (did you mean \"site\"?)"), std::string::npos);
}

TEST(PolicyCompilerTest, TraceNamesChainAndStatement) {
  auto set = testing::Compile(BasicSource());
  const CompiledRole* manager = set->FindRole("manager");
  GrantTrace edit = set->Trace(*manager, *set->PermissionIndex("site.view"));
  EXPECT_TRUE(edit.granted);
  ASSERT_NE(edit.statement, nullptr);
  EXPECT_EQ(edit.chain, std::vector<std::string>{"manager"});
  EXPECT_EQ(edit.matched_pattern, "site.*");
  GrantTrace del = set->Trace(*manager, *set->PermissionIndex("site.delete"));
  EXPECT_FALSE(del.granted);
  ASSERT_NE(del.statement, nullptr);
  EXPECT_EQ(del.statement->effect, Effect::kDeny);
}

TEST(PolicyCompilerTest, ClosestMatch) {
  EXPECT_EQ(ClosestMatch("site.edt", {"site.edit", "site.view"}), "site.edit");
  EXPECT_EQ(ClosestMatch("billing", {"site.edit", "site.view"}), "");
}

TEST(PolicyCompilerTest, CustomRoleAgainstExistingSet) {
  auto set = testing::Compile(BasicSource());
  RoleDecl decl = MakeRole("publisher", {Allow({"site.publish"})}, {"editor"});
  decl.account_id = "acme";
  CompiledRole out;
  auto errors = CompileCustomRole(*set, decl, nullptr, &out);
  ASSERT_TRUE(errors.empty());
  EXPECT_TRUE(out.granted.Test(*set->PermissionIndex("site.view")));
  RoleDecl bad = MakeRole("editor", {Allow({"site.publish"})});
  EXPECT_FALSE(CompileCustomRole(*set, bad, nullptr, &out).empty());
}

}  // namespace
}  // namespace gatehouse
