#include "policy/policy_loader.h"

#include <gtest/gtest.h>

#include "policy/policy_test_runner.h"
#include "support/temp_dir.h"
#include "support/unprivileged.h"

#include <sys/stat.h>
#include <unistd.h>

namespace gatehouse {
namespace {

constexpr const char* kPermissions = R"(apiVersion: gatehouse/v1
kind: Permissions
permissions:
  - id: site.view
  - id: site.edit
    implies: [site.view]
  - id: team.delete-member
    level: Account
)";

constexpr const char* kOwner = R"(apiVersion: gatehouse/v1
kind: Role
id: owner
title: Owner
statements:
  - effect: ALLOW
    permissions: ["*"]
)";

std::string Errors(const PolicyLoad& load) {
  std::string s;
  for (const auto& e : load.errors) s += e.ToString() + "\n";
  return s;
}

class PolicyLoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.Write("permissions.yaml", kPermissions);
    dir_.Write("roles/owner.yaml", kOwner);
  }
  testing::TempDir dir_;
};

TEST_F(PolicyLoaderTest, LoadsAValidDirectory) {
  dir_.Write("roles/editor.yml", R"(apiVersion: gatehouse/v1
kind: Role
id: editor
title: { en: Editor, de: Bearbeiter }
description: Edits
restrictFromLevel: Account
editorTypes: [classic]
statements:
  - effect: ALLOW
    permissions: [site.edit]
)");
  PolicyLoad load = LoadPolicyDirectory(dir_.path());
  ASSERT_TRUE(load.ok()) << Errors(load);
  const CompiledRole* editor = load.policy_set->FindRole("editor");
  ASSERT_NE(editor, nullptr);
  EXPECT_EQ(Localize(editor->decl.title, "de"), "Bearbeiter");
  EXPECT_EQ(Localize(editor->decl.title, "fr"), "Editor");
  EXPECT_EQ(Localize(editor->decl.description, "de"), "Edits");
  EXPECT_EQ(editor->decl.restrict_from_level, RestrictFromLevel::kAccount);
  EXPECT_EQ(editor->decl.editor_types, std::vector<std::string>{"classic"});
  EXPECT_TRUE(editor->granted.Test(*load.policy_set->PermissionIndex("site.view")));
  EXPECT_EQ(load.files.size(), 3U);
}

TEST_F(PolicyLoaderTest, MisspelledPermissionHasPositionAndSuggestion) {
  const std::string file = dir_.Write("roles/manager.yaml", R"(apiVersion: gatehouse/v1
kind: Role
id: website-manager
title: Manager
statements:
  - effect: ALLOW
    permissions:
      - site.view
      - site.edt
)");
  PolicyLoad load = LoadPolicyDirectory(dir_.path());
  ASSERT_EQ(load.errors.size(), 1U) << Errors(load);
  EXPECT_EQ(load.errors[0].ToString(),
            file + ":9:9: role \"website-manager\": unknown permission \"site.edt\" (did you mean \"site.edit\"?)");
}

TEST_F(PolicyLoaderTest, YamlSyntaxErrorHasPosition) {
  const std::string file = dir_.Write("broken.yaml", "apiVersion: gatehouse/v1\nkind: Role\nid: [oops\n");
  PolicyLoad load = LoadPolicyDirectory(dir_.path());
  ASSERT_FALSE(load.ok());
  EXPECT_EQ(load.errors[0].where.file, file);
  EXPECT_GT(load.errors[0].where.line, 0);
  EXPECT_NE(load.errors[0].message.find("YAML syntax error"), std::string::npos);
}

TEST_F(PolicyLoaderTest, DuplicateRoleAcrossFilesNamesBoth) {
  const std::string second = dir_.Write("roles/zz-owner-again.yaml", kOwner);
  PolicyLoad load = LoadPolicyDirectory(dir_.path());
  ASSERT_EQ(load.errors.size(), 1U) << Errors(load);
  EXPECT_EQ(load.errors[0].where.file, second);
  EXPECT_NE(load.errors[0].message.find("declared twice (first at " + dir_.File("roles/owner.yaml") + ":3:5)"),
            std::string::npos)
      << Errors(load);
}

TEST_F(PolicyLoaderTest, UnknownFieldsKindsAndVersions) {
  dir_.Write("a.yaml", R"(apiVersion: gatehouse/v1
kind: Role
id: r
title: R
statments: []
---
apiVersion: gatehouse/v2
kind: Role
---
apiVersion: gatehouse/v1
kind: Rol
)");
  PolicyLoad load = LoadPolicyDirectory(dir_.path());
  const std::string all = Errors(load);
  ASSERT_EQ(load.errors.size(), 3U) << all;
  EXPECT_NE(all.find(":5:1: Role: unknown field \"statments\" (did you mean \"statements\"?)"), std::string::npos)
      << all;
  EXPECT_NE(all.find("unknown apiVersion \"gatehouse/v2\""), std::string::npos) << all;
  EXPECT_NE(all.find("unknown kind \"Rol\" (did you mean \"Role\"?)"), std::string::npos) << all;
}

TEST_F(PolicyLoaderTest, MissingAndMistypedFields) {
  dir_.Write("a.yaml", R"(apiVersion: gatehouse/v1
kind: Role
id: r
statements:
  - effect: MAYBE
    permissions: site.view
)");
  PolicyLoad load = LoadPolicyDirectory(dir_.path());
  const std::string all = Errors(load);
  EXPECT_NE(all.find("missing required field \"title\""), std::string::npos) << all;
  EXPECT_NE(all.find("effect must be ALLOW or DENY"), std::string::npos) << all;
  EXPECT_NE(all.find("\"permissions\" must be a list"), std::string::npos) << all;
}

TEST_F(PolicyLoaderTest, InheritanceCycleIsReported) {
  dir_.Write("roles/cycle.yaml", R"(apiVersion: gatehouse/v1
kind: Role
id: a
title: A
inherits: [b]
---
apiVersion: gatehouse/v1
kind: Role
id: b
title: B
inherits: [a]
)");
  PolicyLoad load = LoadPolicyDirectory(dir_.path());
  ASSERT_EQ(load.errors.size(), 1U) << Errors(load);
  EXPECT_NE(load.errors[0].message.find("inheritance cycle"), std::string::npos);
  EXPECT_GT(load.errors[0].where.line, 0);
}

TEST_F(PolicyLoaderTest, AccountFilesDeclareCustomRoles) {
  dir_.Write("accounts/acme/roles.yaml", R"(apiVersion: gatehouse/v1
kind: Role
id: acme-editor
title: Acme editor
statements:
  - {effect: ALLOW, permissions: [site.edit]}
)");
  PolicyLoad load = LoadPolicyDirectory(dir_.path());
  ASSERT_TRUE(load.ok()) << Errors(load);
  EXPECT_EQ(load.policy_set->FindRole("acme-editor"), nullptr);
  EXPECT_NE(load.policy_set->FindRole("acme-editor", "acme"), nullptr);
  EXPECT_EQ(load.policy_set->FindRole("acme-editor", "other"), nullptr);
}

TEST_F(PolicyLoaderTest, EmptyOrMissingDirectoryIsAnError) {
  testing::TempDir empty;
  EXPECT_FALSE(LoadPolicyDirectory(empty.path()).ok());
  EXPECT_FALSE(LoadPolicyDirectory(empty.File("absent")).ok());
}

// Issue 8, item 1: a symlink loop threw std::filesystem::filesystem_error out of the load,
// aborting the daemon on start-up and on reload, and `gatehouse validate`.
TEST_F(PolicyLoaderTest, SymlinkLoopIsAnErrorWithThePath) {
  ASSERT_EQ(::symlink(".", dir_.File("roles/loop").c_str()), 0);
  PolicyLoad load = LoadPolicyDirectory(dir_.path());
  ASSERT_FALSE(load.ok());
  ASSERT_EQ(load.errors.size(), 1U) << Errors(load);
  EXPECT_EQ(load.errors[0].ToString(),
            dir_.File("roles/loop") + ": symlink loop: leads back to " + dir_.File("roles") + ", which contains it");
  // A link that loops on itself.
  ::unlink(dir_.File("roles/loop").c_str());
  ASSERT_EQ(::symlink("self.yaml", dir_.File("roles/self.yaml").c_str()), 0);
  load = LoadPolicyDirectory(dir_.path());
  ASSERT_FALSE(load.ok());
  EXPECT_NE(Errors(load).find("roles/self.yaml: symlink loop (-> self.yaml)"), std::string::npos) << Errors(load);
}

TEST_F(PolicyLoaderTest, SymlinkedFilesAndFoldersAreFollowedAndHiddenEntriesSkipped) {
  testing::TempDir elsewhere;
  elsewhere.Write("extra/viewer.yaml", "apiVersion: gatehouse/v1\nkind: Role\nid: viewer\ntitle: V\n");
  ASSERT_EQ(::symlink(elsewhere.File("extra").c_str(), dir_.File("linked").c_str()), 0);
  dir_.Write(".hidden/copy.yaml", kOwner);  // would be a duplicate role if read
  PolicyLoad load = LoadPolicyDirectory(dir_.path());
  ASSERT_TRUE(load.ok()) << Errors(load);
  EXPECT_EQ(load.files.size(), 3U);
  EXPECT_NE(load.policy_set->FindRole("viewer"), nullptr);
}

// Issue 8, item 10: a dangling *.yaml link and an empty file were accepted silently.
TEST_F(PolicyLoaderTest, DanglingLinkAndEmptyFileAreErrors) {
  ASSERT_EQ(::symlink("gone.yaml", dir_.File("roles/dangling.yaml").c_str()), 0);
  dir_.Write("roles/empty.yaml", "");
  dir_.Write("roles/comments.yaml", "# nothing here yet\n");
  PolicyLoad load = LoadPolicyDirectory(dir_.path());
  ASSERT_FALSE(load.ok());
  EXPECT_EQ(Errors(load),
            dir_.File("roles/dangling.yaml") + ": dangling symlink (-> gone.yaml: No such file or directory)\n");
  ::unlink(dir_.File("roles/dangling.yaml").c_str());
  load = LoadPolicyDirectory(dir_.path());
  EXPECT_EQ(Errors(load), dir_.File("roles/comments.yaml") +
                              ":1:1: empty file: expected at least one document with apiVersion and kind\n" +
                              dir_.File("roles/empty.yaml") +
                              ":1:1: empty file: expected at least one document with apiVersion and kind\n");
}

TEST_F(PolicyLoaderTest, UnreadableFileAndFolderNameTheReason) {
  const std::string secret = dir_.Write("roles/secret.yaml", kOwner);
  ::unlink(dir_.File("roles/owner.yaml").c_str());
  ASSERT_EQ(::chmod(secret.c_str(), 0), 0);
  const std::string dir = dir_.path();
  ASSERT_EQ(::chmod(dir.c_str(), 0755), 0);  // mkdtemp made it 0700: nobody must enter it
  EXPECT_EQ(testing::RunUnprivileged([&] { return LoadPolicyDirectory(dir).errors.at(0).ToString(); }),
            secret + ": cannot read file: Permission denied");
  ASSERT_EQ(::chmod(secret.c_str(), 0644), 0);
  ASSERT_EQ(::chmod(dir_.File("roles").c_str(), 0700), 0);
  EXPECT_EQ(testing::RunUnprivileged([&] { return Errors(LoadPolicyDirectory(dir)); }),
            dir_.File("roles") + ": cannot read directory: Permission denied\n");
}

TEST_F(PolicyLoaderTest, PolicyTestsRunAndExplainFailures) {
  dir_.Write("tests/t.yaml", R"(apiVersion: gatehouse/v1
kind: PolicyTest
name: sample
fixtures:
  assets: [ {id: s2, type: site, parent: f1}, {id: f1, type: folder} ]
  assignments:
    - { subject: {id: ann, subjectType: USER}, role: owner, restrictions: {conditions: {conditions: [{conditionType: FOLDER, id: f1}]}} }
expect:
  - { subject: ann, permission: site.edit, asset: s2, allowed: true }
  - { subject: ann, permission: site.edit, asset: account, allowed: true }
  - { subject: ann, permission: team.delete-member, asset: s2, allowed: false }
)");
  dir_.Write("types.yaml", R"(apiVersion: gatehouse/v1
kind: AssetTypes
types:
  - {id: folder, parents: [account, folder]}
  - {id: site, parents: [account, folder]}
)");
  PolicyLoad load = LoadPolicyDirectory(dir_.path());
  ASSERT_TRUE(load.ok()) << Errors(load);
  ASSERT_EQ(load.tests.size(), 1U);
  PolicyTestReport report = RunPolicyTests(*load.policy_set, load.tests);
  EXPECT_EQ(report.expectations, 3U);
  EXPECT_EQ(report.passed, 2U);
  ASSERT_EQ(report.failures.size(), 1U);
  EXPECT_EQ(report.failures[0].where.line, 10);
  EXPECT_NE(report.failures[0].message.find("expected allowed, got denied"), std::string::npos);
  EXPECT_NE(report.failures[0].message.find("NO_COVERING_ASSIGNMENT"), std::string::npos) << report.failures[0].message;
  EXPECT_EQ(report.roles_exercised, std::vector<std::string>{"owner"});
  EXPECT_EQ(report.statements_exercised, 1U);
}

TEST(ShippedCatalogueTest, ValidatesAndItsSuitesPass) {
  PolicyLoad load = LoadPolicyDirectory(std::string(GATEHOUSE_SOURCE_DIR) + "/policies");
  ASSERT_TRUE(load.ok()) << Errors(load);
  // Every permission a route of api.md names is declared.
  for (const char* p : {"team.view", "team.view-invites", "team.send-invite", "team.delete-invite",
                        "team.delete-member", "team.manage-team-member-roles", "roles.read", "roles.manage",
                        "assets.manage", "keys.manage", "access.check", "access.review", "audit.read"}) {
    EXPECT_TRUE(load.policy_set->PermissionIndex(p)) << p;
  }
  for (const char* r : {"owner", "account-admin", "admin", "website-manager", "website-designer", "back-office-manager",
                        "billing-manager", "domain-manager"}) {
    EXPECT_NE(load.policy_set->FindRole(r), nullptr) << r;
  }
  PolicyTestReport report = RunPolicyTests(*load.policy_set, load.tests);
  for (const auto& f : report.failures) ADD_FAILURE() << f.where.ToString() << ": " << f.message;
  EXPECT_TRUE(report.roles_not_exercised.empty());
}

}  // namespace
}  // namespace gatehouse
