// The access review (GET /v1/access-review), its diff (/v1/access-review/diff) and the
// policy impact of a candidate policy set (POST /v1/admin/policy-diff), over real HTTP
// against the real SQLite plugin, with the shipped policies.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "support/api_fixture.h"

namespace gatehouse {
namespace {

using nlohmann::json;
using testing::kSystemKey;

class AccessReviewTest : public testing::ApiFixture {
 protected:
  json Review(const std::string& query = "", const std::string& key = kSystemKey, const std::string& account = "acme") {
    auto r = Get("/v1/access-review" + query, key, account);
    EXPECT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
    return Body(r);
  }
  json Diff(std::uint64_t from, std::uint64_t to) {
    auto r = Get("/v1/access-review/diff?from=" + std::to_string(from) + "&to=" + std::to_string(to));
    EXPECT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
    return Body(r);
  }
  // A user (created first) with one assignment; returns the assignment id.
  std::string Member(const std::string& user, const std::string& role, const json& restrictions = nullptr,
                     const std::string& account = "acme") {
    PutUser(user, user + "@example.test", user, "");
    return Assign(user, role, restrictions, account);
  }
  std::uint64_t Head() const { return holder_->Load()->revision(); }
  bool Allowed(const json& subject, const std::string& permission, const std::string& asset) {
    auto r = Post("/v1/check", {{"subject", subject}, {"permission", permission}, {"asset", {{"id", asset}}}});
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "");
    return Body(r)["allowed"].get<bool>();
  }
  // The shipped policy directory as the policy-diff body wants it.
  static json ShippedFiles() {
    namespace fs = std::filesystem;
    const fs::path root = fs::path(GATEHOUSE_SOURCE_DIR) / "policies";
    json files = json::object();
    for (const auto& e : fs::recursive_directory_iterator(root)) {
      if (!e.is_regular_file()) continue;
      std::ifstream in(e.path());
      std::stringstream text;
      text << in.rdbuf();
      files[e.path().lexically_relative(root).string()] = text.str();
    }
    return files;
  }
  json PolicyDiff(const json& files, int status = 200) {
    auto r = Post("/v1/admin/policy-diff", {{"files", files}}, kSystemKey, "");
    EXPECT_TRUE(r);
    EXPECT_EQ(r->status, status) << r->body;
    return Body(r);
  }
  // A small team: an owner, a site designer of two folders, a manager with a window.
  void Team() {
    CreateAccount("acme", "olga");
    PutUser("olga", "olga@acme.test", "Olga", "Owner");
    PutUser("ann", "ann@acme.test", "Ann", "Designer");
    PutAsset("f1", "folder", "Folder 1");
    PutAsset("f2", "folder", "Folder 2");
    PutAsset("s1", "site", "Site 1", "f1");
    ann_ = Assign("ann", "website-designer",
                  {{"conditions",
                    {{"conditions",
                      {{{"conditionType", "FOLDER"}, {"id", "f2"}}, {{"conditionType", "FOLDER"}, {"id", "f1"}}}}}}});
  }
  std::string ann_;
};

TEST_F(AccessReviewTest, OneRowPerGrantInReviewOrderWithEffectivePermissions) {
  Team();
  const json review = Review();
  EXPECT_EQ(review["revision"], Head());
  EXPECT_TRUE(review["generatedAt"].is_string());
  const json& rows = review["rows"];
  // ann: one row per folder (f1 before f2), then olga's account-wide owner grant.
  ASSERT_EQ(rows.size(), 3U) << review.dump(2);
  EXPECT_EQ(rows[0]["subject"]["id"], "ann");
  EXPECT_EQ(rows[0]["subject"]["name"], "Ann Designer");
  EXPECT_EQ(rows[0]["subject"]["email"], "ann@acme.test");
  EXPECT_EQ(rows[0]["assignmentId"], ann_);
  EXPECT_EQ(rows[0]["roleId"], "website-designer");
  EXPECT_EQ(rows[0]["roleTitle"], "Website Designer");
  EXPECT_EQ(rows[0]["scope"], json({{"id", "f1"}, {"type", "folder"}, {"path", {"acme", "f1"}}}));
  EXPECT_EQ(rows[1]["scope"]["id"], "f2");
  EXPECT_EQ(rows[0]["status"], "ACTIVE");
  // Implies expanded (publish → edit → view), and nothing else.
  EXPECT_EQ(rows[0]["permissions"],
            json({"folder.view", "site.edit", "site.publish", "site.settings.manage", "site.view"}));
  EXPECT_EQ(rows[0]["grantedBy"], "system");
  EXPECT_GT(rows[0]["grantedRevision"].get<std::uint64_t>(), 0U);
  EXPECT_TRUE(rows[0]["grantedAt"].is_string());
  EXPECT_EQ(rows[2]["subject"]["id"], "olga");
  EXPECT_EQ(rows[2]["roleId"], "owner");
  EXPECT_EQ(rows[2]["scope"], json({{"id", "acme"}, {"type", "account"}, {"path", {"acme"}}}));
  // The owner holds everything, account-level permissions included.
  const auto perms = rows[2]["permissions"].get<std::vector<std::string>>();
  EXPECT_TRUE(std::is_sorted(perms.begin(), perms.end()));
  EXPECT_NE(std::find(perms.begin(), perms.end(), "account.transfer"), perms.end());
  EXPECT_NE(std::find(perms.begin(), perms.end(), "audit.read"), perms.end());
  EXPECT_EQ(review["invites"], json::array());
}

TEST_F(AccessReviewTest, RestrictedGrantsListNoAccountLevelPermissionAndDenyIsApplied) {
  CreateAccount();
  PutAsset("s1", "site", "Site 1");
  Member("mia", "website-manager", {{"site", {{"id", "s1"}}}});
  const json rows = Review()["rows"];
  ASSERT_EQ(rows.size(), 2U);
  EXPECT_EQ(rows[0]["subject"]["id"], "mia");
  const auto perms = rows[0]["permissions"].get<std::set<std::string>>();
  EXPECT_EQ(perms.count("site.delete"), 0U);    // DENY
  EXPECT_EQ(perms.count("site.transfer"), 0U);  // DENY
  EXPECT_EQ(perms.count("site.apps.manage"), 1U);
  EXPECT_EQ(perms.count("team.view"), 1U);
  EXPECT_EQ(perms.count("site.publish"), 1U);  // inherited from website-designer
}

TEST_F(AccessReviewTest, StatusFollowsTheTimeWindow) {
  CreateAccount();
  PutUser("bob", "bob@acme.test", "Bob", "");
  PutUser("cy", "cy@acme.test", "Cy", "");
  auto later = Post("/v1/assignments", {{"subject", {{"id", "bob"}, {"subjectType", "USER"}}},
                                        {"policyId", "website-designer"},
                                        {"notBefore", FormatRfc3339(clock_.Now() + 3'600'000)}});
  ASSERT_EQ(later->status, 201) << later->body;
  auto soon = Post("/v1/assignments", {{"subject", {{"id", "cy"}, {"subjectType", "USER"}}},
                                       {"policyId", "website-designer"},
                                       {"expiresAt", FormatRfc3339(clock_.Now() + 60'000)}});
  ASSERT_EQ(soon->status, 201) << soon->body;
  clock_.Advance(120'000);
  const json rows = Review()["rows"];
  ASSERT_EQ(rows.size(), 3U);
  EXPECT_EQ(rows[0]["subject"]["id"], "bob");
  EXPECT_EQ(rows[0]["status"], "NOT_YET_ACTIVE");
  EXPECT_TRUE(rows[0].contains("notBefore"));
  EXPECT_EQ(rows[1]["subject"]["id"], "cy");
  EXPECT_EQ(rows[1]["status"], "EXPIRED");
  EXPECT_TRUE(rows[1].contains("expiresAt"));
  // Inactive rows still list what the grant gives when active.
  EXPECT_FALSE(rows[1]["permissions"].empty());
}

TEST_F(AccessReviewTest, SubjectTypesAreOrderedByName) {
  CreateAccount();
  auto app = Post("/v1/assignments",
                  {{"subject", {{"id", "zeta-app"}, {"subjectType", "WIX_APP"}}}, {"policyId", "access-checker"}});
  ASSERT_EQ(app->status, 201) << app->body;
  auto ext = Post("/v1/assignments",
                  {{"subject", {{"id", "alpha"}, {"subjectType", "EXTERNAL_APP"}}}, {"policyId", "access-checker"}});
  ASSERT_EQ(ext->status, 201) << ext->body;
  const json rows = Review()["rows"];
  ASSERT_EQ(rows.size(), 3U);
  EXPECT_EQ(rows[0]["subject"]["subjectType"], "EXTERNAL_APP");
  EXPECT_EQ(rows[1]["subject"]["subjectType"], "USER");
  EXPECT_EQ(rows[2]["subject"]["subjectType"], "WIX_APP");
}

TEST_F(AccessReviewTest, CsvHasTheHeaderAndOneQuotedLinePerRow) {
  Team();
  PutUser("olga", "olga@acme.test", "Olga, \"the\"", "Owner");
  auto r = Get("/v1/access-review?format=csv");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_EQ(r->get_header_value("X-Gatehouse-Revision"), std::to_string(Head()));
  std::vector<std::string> lines;
  std::stringstream in(r->body);
  for (std::string line; std::getline(in, line);) {
    ASSERT_FALSE(line.empty());
    ASSERT_EQ(line.back(), '\r');  // RFC 4180 line ends
    lines.push_back(line.substr(0, line.size() - 1));
  }
  ASSERT_EQ(lines.size(), 4U) << r->body;
  EXPECT_EQ(lines[0],
            "subject_type,subject_id,subject_name,subject_email,assignment_id,role_id,role_title,scope_type,scope_id,"
            "scope_path,not_before,expires_at,status,permissions,granted_at,granted_by,granted_revision");
  EXPECT_EQ(lines[1].rfind("USER,ann,Ann Designer,ann@acme.test," + ann_ +
                               ",website-designer,Website Designer,folder,"
                               "f1,acme/f1,,,ACTIVE,folder.view site.edit site.publish site.settings.manage site.view,",
                           0),
            0U)
      << lines[1];
  EXPECT_EQ(lines[3].rfind("USER,olga,\"Olga, \"\"the\"\" Owner\",olga@acme.test,", 0), 0U) << lines[3];
}

TEST_F(AccessReviewTest, PendingInvitesAreListedInJson) {
  CreateAccount();
  auto inv = Post("/invites/account-invite/create",
                  {{"subjectsAssignments",
                    {{{"subjectEmail", "new@acme.test"}, {"assignments", {{{"policyId", "website-designer"}}}}}}}});
  ASSERT_TRUE(inv);
  ASSERT_EQ(inv->status, 200) << inv->body;
  const json invites = Review()["invites"];
  ASSERT_EQ(invites.size(), 1U) << invites.dump();
  EXPECT_EQ(invites[0]["email"], "new@acme.test");
  EXPECT_EQ(invites[0]["status"], "Pending");
  EXPECT_EQ(invites[0]["roleIds"], json({"website-designer"}));
  EXPECT_TRUE(invites[0]["expiresAt"].is_string());
  EXPECT_FALSE(invites[0].contains("acceptLink"));
}

TEST_F(AccessReviewTest, AtReplaysThePastWithoutTouchingTheLiveState) {
  Team();
  const std::uint64_t before_bob = Head();
  Member("bob", "website-manager");
  const auto live = holder_->Load();
  const json past = Review("?at=" + std::to_string(before_bob));
  EXPECT_EQ(past["revision"], before_bob);
  EXPECT_EQ(past["rows"].size(), 3U);
  for (const auto& row : past["rows"]) EXPECT_NE(row["subject"]["id"], "bob");
  EXPECT_EQ(Review()["rows"].size(), 4U);
  EXPECT_EQ(holder_->Load(), live);  // nothing was published
  // Before the account existed: nothing to review.
  EXPECT_EQ(Review("?at=0")["rows"].size(), 0U);
  auto beyond = Get("/v1/access-review?at=" + std::to_string(Head() + 1));
  EXPECT_EQ(beyond->status, 400) << beyond->body;
  EXPECT_EQ(Field(beyond), "at");
  auto header = Get("/v1/access-review?at=" + std::to_string(before_bob));
  EXPECT_EQ(header->get_header_value("X-Gatehouse-Revision"), std::to_string(before_bob));
}

TEST_F(AccessReviewTest, AtJudgesPastCustomRolesAsTheyWere) {
  CreateAccount();
  auto role = Post("/v1/roles", {{"id", "publisher"},
                                 {"title", "Publisher"},
                                 {"statements", {{{"effect", "ALLOW"}, {"permissions", {"site.publish"}}}}}});
  ASSERT_EQ(role->status, 201) << role->body;
  Member("pat", "publisher");
  const std::uint64_t before_edit = Head();
  auto edit = Put("/v1/roles/publisher",
                  {{"title", "Publisher"}, {"statements", {{{"effect", "ALLOW"}, {"permissions", {"site.view"}}}}}});
  ASSERT_EQ(edit->status, 200) << edit->body;
  const json then = Review("?at=" + std::to_string(before_edit))["rows"];
  const json now = Review()["rows"];
  ASSERT_EQ(then.size(), 2U);
  ASSERT_EQ(now.size(), 2U);
  ASSERT_EQ(then[1]["subject"]["id"], "pat");  // after olga, the owner
  EXPECT_EQ(then[1]["permissions"], json({"site.edit", "site.publish", "site.view"}));
  EXPECT_EQ(now[1]["permissions"], json({"site.view"}));

  const json diff = Diff(before_edit, Head());
  EXPECT_EQ(diff["gained"].size(), 0U);
  EXPECT_EQ(diff["lost"].size(), 0U);
  ASSERT_EQ(diff["changed"].size(), 1U) << diff.dump(2);
  EXPECT_EQ(diff["changed"][0]["before"]["permissions"], then[1]["permissions"]);
  EXPECT_EQ(diff["changed"][0]["after"]["permissions"], now[1]["permissions"]);
}

TEST_F(AccessReviewTest, DiffShowsGainedAndLostAndTeamUpdatesAsBoth) {
  Team();
  const std::uint64_t start = Head();
  const std::string bob = Member("bob", "website-manager", {{"site", {{"id", "s1"}}}});
  auto update = Patch(
      "/roles-management/v2/team/assignments",
      {{"userId", "ann"}, {"newAssignments", {{{"policyId", "website-manager"}}}}, {"assignmentIdsToRemove", {ann_}}});
  ASSERT_EQ(update->status, 200) << update->body;
  const json diff = Diff(start, Head());
  EXPECT_EQ(diff["from"], start);
  EXPECT_EQ(diff["to"], Head());
  // bob's grant and ann's new one are gained; ann's two folder grants lost; none changed.
  ASSERT_EQ(diff["gained"].size(), 2U) << diff.dump(2);
  EXPECT_EQ(diff["gained"][0]["subject"]["id"], "ann");
  EXPECT_EQ(diff["gained"][1]["assignmentId"], bob);
  ASSERT_EQ(diff["lost"].size(), 2U);
  EXPECT_EQ(diff["lost"][0]["assignmentId"], ann_);
  EXPECT_EQ(diff["lost"][1]["assignmentId"], ann_);
  EXPECT_EQ(diff["changed"].size(), 0U);
  // A range with no change, and the whole history (everything gained).
  const json same = Diff(Head(), Head());
  EXPECT_TRUE(same["gained"].empty() && same["lost"].empty() && same["changed"].empty());
  EXPECT_EQ(Diff(0, Head())["gained"].size(), Review()["rows"].size());
}

TEST_F(AccessReviewTest, DiffParametersAreChecked) {
  Team();
  const std::vector<std::string> bad_queries = {"?from=1", "?to=1", "?from=3&to=2",
                                                "?from=0&to=" + std::to_string(Head() + 1), "?from=x&to=1"};
  for (const std::string& bad : bad_queries) {
    auto r = Get("/v1/access-review/diff" + bad);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << bad << ": " << r->body;
  }
  auto bad_format = Get("/v1/access-review?format=xml");
  EXPECT_EQ(bad_format->status, 400);
  EXPECT_EQ(Field(bad_format), "format");
}

TEST_F(AccessReviewTest, NeedsAccessReviewAndSeesOnlyItsAccount) {
  Team();
  CreateAccount("other", "oscar");
  Member("zed", "website-manager", nullptr, "other");
  // A designer's key lacks access.review; an owner's key has it.
  const std::string designer = KeyFor("ann", "USER");
  auto denied = Get("/v1/access-review", designer);
  EXPECT_EQ(denied->status, 403) << denied->body;
  auto denied_diff = Get("/v1/access-review/diff?from=0&to=1", designer);
  EXPECT_EQ(denied_diff->status, 403) << denied_diff->body;
  const std::string owner = KeyFor("olga", "USER");
  const json rows = Review("", owner)["rows"];
  for (const auto& row : rows) EXPECT_NE(row["subject"]["id"], "zed");
  auto cross = Get("/v1/access-review", owner, "other");
  EXPECT_EQ(cross->status, 403) << cross->body;
  // The policy diff is for the system key only.
  auto impact = Post("/v1/admin/policy-diff", {{"files", ShippedFiles()}}, owner, "acme");
  EXPECT_EQ(impact->status, 403) << impact->body;
}

TEST_F(AccessReviewTest, EveryActiveRowMatchesWhatCheckAnswers) {
  Team();
  PutAsset("s2", "site", "Site 2", "f2");
  Member("mia", "website-manager", {{"site", {{"id", "s2"}}}});
  Member("max", "account-admin");
  auto snapshot = holder_->Load();
  const auto permissions = snapshot->policy_set().PermissionIds();
  const json review = Review();  // the loop below must not range over a temporary's member
  for (const auto& row : review["rows"]) {
    ASSERT_EQ(row["status"], "ACTIVE");
    const auto listed = row["permissions"].get<std::set<std::string>>();
    const std::string scope = row["scope"]["id"];
    for (const auto& p : permissions) {
      // Every subject here holds one assignment, so its check is this grant's answer.
      EXPECT_EQ(Allowed(row["subject"], p, scope), listed.count(p) == 1)
          << row["subject"]["id"] << " " << p << " on " << scope;
    }
  }
}

TEST_F(AccessReviewTest, PolicyDiffOfTheActiveSetChangesNothing) {
  Team();
  const json same = PolicyDiff(ShippedFiles());
  EXPECT_EQ(same["valid"], true) << same.dump(2);
  EXPECT_EQ(same["changes"], json::array());
  EXPECT_EQ(
      same["summary"],
      json({{"accounts", 0}, {"subjects", 0}, {"grantsChanged", 0}, {"permissionsGained", 0}, {"permissionsLost", 0}}));
}

TEST_F(AccessReviewTest, PolicyDiffReportsAnAddedDenyPerGrant) {
  Team();
  CreateAccount("other", "oscar");
  Member("zoe", "website-designer", nullptr, "other");
  json files = ShippedFiles();
  std::string designer = files["roles/website-designer.yaml"];
  designer += "  - effect: DENY\n    permissions: [site.publish]\n";
  files["roles/website-designer.yaml"] = designer;
  const auto live = holder_->Load();
  const json out = PolicyDiff(files);
  ASSERT_EQ(out["valid"], true) << out.dump(2);
  // website-manager inherits website-designer, but its own ALLOW site.* keeps publish.
  // ann: two folder grants in acme; zoe: one account-wide grant in other.
  ASSERT_EQ(out["changes"].size(), 3U) << out.dump(2);
  EXPECT_EQ(out["changes"][0]["accountId"], "acme");
  EXPECT_EQ(out["changes"][0]["subject"], json({{"id", "ann"}, {"subjectType", "USER"}}));
  EXPECT_EQ(out["changes"][0]["scope"], json({{"id", "f1"}, {"type", "folder"}}));
  EXPECT_EQ(out["changes"][0]["roleId"], "website-designer");
  EXPECT_EQ(out["changes"][0]["gained"], json::array());
  // A DENY removes the permission it names; what the ALLOW implied (site.edit) stays.
  EXPECT_EQ(out["changes"][0]["lost"], json({"site.publish"}));
  EXPECT_EQ(out["changes"][2]["accountId"], "other");
  EXPECT_EQ(
      out["summary"],
      json({{"accounts", 2}, {"subjects", 2}, {"grantsChanged", 3}, {"permissionsGained", 0}, {"permissionsLost", 3}}));
  EXPECT_EQ(holder_->Load(), live);  // nothing loaded
  EXPECT_TRUE(Allowed({{"id", "ann"}, {"subjectType", "USER"}}, "site.publish", "s1"));
}

TEST_F(AccessReviewTest, PolicyDiffReportsARemovedPermissionAndARemovedRoleStillAssigned) {
  Team();
  json files = ShippedFiles();
  std::string catalogue = files["permissions.yaml"];
  // Drop domains.manage from the catalogue: the owner's "*" and the domain manager's
  // "domains.*" simply stop covering it. And remove website-designer, which ann holds.
  const std::string entry = "  - id: domains.manage\n";
  const auto at = catalogue.find(entry);
  ASSERT_NE(at, std::string::npos);
  const auto next = catalogue.find("  - id:", at + entry.size());
  catalogue.erase(at, next == std::string::npos ? std::string::npos : next - at);
  files["permissions.yaml"] = catalogue;
  files.erase("roles/website-designer.yaml");
  // website-manager inherits website-designer: give it the designer's statements instead.
  std::string manager = files["roles/website-manager.yaml"];
  manager.replace(manager.find("inherits: [website-designer]\n"), std::string("inherits: [website-designer]\n").size(),
                  "");
  files["roles/website-manager.yaml"] = manager;
  const json out = PolicyDiff(files);
  ASSERT_EQ(out["valid"], true) << out.dump(2);
  bool owner_lost_domains = false;
  int ann_rows = 0;
  for (const auto& c : out["changes"]) {
    if (c["subject"]["id"] == "olga") {
      owner_lost_domains = c["lost"] == json({"domains.manage"}) && c["gained"].empty();
    }
    if (c["subject"]["id"] == "ann") {
      ++ann_rows;
      EXPECT_EQ(c["lost"], json({"folder.view", "site.edit", "site.publish", "site.settings.manage", "site.view"}));
      EXPECT_NE(c["error"].get<std::string>().find("website-designer"), std::string::npos) << c.dump();
    }
  }
  EXPECT_TRUE(owner_lost_domains) << out.dump(2);
  EXPECT_EQ(ann_rows, 2);
}

TEST_F(AccessReviewTest, PolicyDiffOfAnInvalidCandidateNamesFileLineAndColumn) {
  Team();
  json files = ShippedFiles();
  files["roles/broken.yaml"] =
      "apiVersion: gatehouse/v1\nkind: Role\nid: broken\ntitle: {en: B}\nstatements:\n  - effect: ALLOW\n"
      "    permissions: [site.pubish]\n";
  const json out = PolicyDiff(files);
  EXPECT_EQ(out["valid"], false);
  ASSERT_FALSE(out["errors"].empty());
  const std::string first = out["errors"][0];
  EXPECT_EQ(first.rfind("roles/broken.yaml:7:", 0), 0U) << first;
  EXPECT_NE(first.find("site.publish"), std::string::npos) << first;  // did you mean
  for (const std::string bad : {"../x.yaml", "/etc/x.yaml", "a//b.yaml", "a/./b.yaml"}) {
    const json refused = PolicyDiff({{bad, "x"}});
    EXPECT_EQ(refused["valid"], false) << bad;
    EXPECT_EQ(refused["errors"][0].get<std::string>().rfind(bad + ": the path", 0), 0U) << refused.dump();
  }
  EXPECT_EQ(PolicyDiff(json::object())["valid"], false);
  auto not_object = Post("/v1/admin/policy-diff", {{"files", json::array()}}, kSystemKey, "");
  EXPECT_EQ(not_object->status, 400) << not_object->body;
  auto not_text = Post("/v1/admin/policy-diff", {{"files", {{"a.yaml", 1}}}}, kSystemKey, "");
  EXPECT_EQ(not_text->status, 400) << not_text->body;
}

}  // namespace
}  // namespace gatehouse
