// The Team API and the /v1 data routes over real HTTP: every documented success and
// error, and the sample flows of the issue (access review; onboarding by invite).
#include <gtest/gtest.h>

#include "engine/decider.h"
#include "support/api_fixture.h"

namespace gatehouse {
namespace {

using nlohmann::json;
using testing::kSystemKey;

class TeamApiTest : public testing::ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    CreateAccount("acme", "olga");
    PutUser("olga", "olga@acme.test", "Olga", "Owner");
    PutUser("ann", "ann@acme.test", "Ann", "Baker");
    PutUser("bob", "bob@acme.test", "Bob", "Carter");
    PutAsset("f1", "folder", "Marketing");
    PutAsset("f2", "folder", "Campaigns", "f1");
    PutAsset("s1", "site", "Shop");
    PutAsset("s2", "site", "Landing", "f2");
  }

  json Search(const json& body, int expect_status = 200, const std::string& prefix = "/roles-management") {
    auto r = Post(prefix + "/v3/team/search", body);
    EXPECT_TRUE(r);
    EXPECT_EQ(r->status, expect_status) << r->body;
    return Body(r);
  }

  static std::vector<std::string> Ids(const json& result) {
    std::vector<std::string> ids;
    for (const auto& m : result["teamMembers"])
      ids.push_back(m.contains("user") ? m["user"]["id"] : m["invite"]["email"]);
    return ids;
  }

  bool Allowed(const std::string& subject, const std::string& permission, const std::string& asset) {
    auto r =
        Post("/v1/check", {{"subject", {{"id", subject}}}, {"permission", permission}, {"asset", {{"id", asset}}}});
    return r && r->body == R"({"allowed":true})";
  }

  json InviteOne(const std::string& email, const std::string& role, const json& resources = json::array()) {
    auto r = Post("/invites/account-invite/create",
                  {{"subjectsAssignments",
                    {{{"subjectEmail", email}, {"assignments", {{{"policyId", role}, {"assignments", resources}}}}}}}});
    EXPECT_EQ(r->status, 200) << r->body;
    return Body(r);
  }

  static std::string TokenOf(const json& invite) {
    const std::string link = invite["acceptLink"];
    return link.substr(link.find("token=") + 6);
  }
};

// --- users and assets ---

TEST_F(TeamApiTest, UsersUpsertAndRead) {
  auto again = Put("/v1/users/ann", {{"email", "ann@new.test"}, {"name", {{"firstName", "Ann"}, {"lastName", "B"}}}},
                   kSystemKey, "");
  EXPECT_EQ(again->status, 200);
  auto got = Get("/v1/users/ann", kSystemKey, "");
  EXPECT_EQ(Body(got)["email"], "ann@new.test");
  EXPECT_EQ(Get("/v1/users/nobody", kSystemKey, "")->status, 404);
  auto bad = Put("/v1/users/x", {{"email", "not-an-email"}}, kSystemKey, "");
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(Field(bad), "email");
}

TEST_F(TeamApiTest, AssetsAreTypedAndTreeShaped) {
  auto s = Get("/v1/assets/s2");
  ASSERT_EQ(s->status, 200);
  EXPECT_EQ(Body(s)["parentId"], "f2");
  EXPECT_EQ(Put("/v1/assets/x", {{"type", "planet"}, {"name", "X"}})->status, 400);
  EXPECT_EQ(Put("/v1/assets/x", {{"type", "site"}, {"name", "X"}, {"parentId", "nowhere"}})->status, 400);
  auto under_site = Put("/v1/assets/x", {{"type", "folder"}, {"name", "X"}, {"parentId", "s1"}});
  EXPECT_EQ(under_site->status, 400);
  EXPECT_EQ(Field(under_site), "parentId");
  auto loop = Put("/v1/assets/f1", {{"type", "folder"}, {"name", "M"}, {"parentId", "f2"}});
  EXPECT_EQ(loop->status, 400);
  EXPECT_EQ(Put("/v1/assets/s1", {{"type", "folder"}, {"name", "Shop"}})->status, 400);  // type is fixed
  EXPECT_EQ(Put("/v1/assets/s1", {{"type", "site"}, {"name", "Shop 2"}, {"parentId", "f1"}})->status, 200);
  EXPECT_EQ(Delete("/v1/assets/f1")->status, 412);  // has children
  Assign("ann", "website-designer", {{"site", {{"id", "s2"}}}});
  auto restricted = Delete("/v1/assets/s2");
  EXPECT_EQ(restricted->status, 412);
  EXPECT_NE(Body(restricted)["message"].get<std::string>().find("restricted"), std::string::npos);
  EXPECT_EQ(Delete("/v1/assets/s1")->status, 200);
  EXPECT_EQ(Get("/v1/assets/s1")->status, 404);
  EXPECT_EQ(Delete("/v1/assets/s1")->status, 404);
}

// --- assignments over /v1 ---

TEST_F(TeamApiTest, AssignmentValidation) {
  json base = {{"subject", {{"id", "ann"}, {"subjectType", "USER"}}}, {"policyId", "website-designer"}};
  auto ghost = Post("/v1/assignments", {{"subject", {{"id", "ghost"}}}, {"policyId", "website-designer"}});
  EXPECT_EQ(ghost->status, 404);
  json unknown = base;
  unknown["policyId"] = "website-desinger";
  auto u = Post("/v1/assignments", unknown);
  EXPECT_EQ(u->status, 400);
  EXPECT_NE(Body(u)["message"].get<std::string>().find("did you mean \"website-designer\""), std::string::npos);
  json admin_wide = base;
  admin_wide["policyId"] = "admin";  // per-site only
  EXPECT_EQ(Post("/v1/assignments", admin_wide)->status, 400);
  json billing_site = base;
  billing_site["policyId"] = "billing-manager";  // account-wide only
  billing_site["restrictions"] = {{"site", {{"id", "s1"}}}};
  EXPECT_EQ(Post("/v1/assignments", billing_site)->status, 400);
  json folder_as_site = base;
  folder_as_site["restrictions"] = {{"site", {{"id", "f1"}}}};
  EXPECT_EQ(Post("/v1/assignments", folder_as_site)->status, 400);
  json past = base;
  past["expiresAt"] = "2020-01-01T00:00:00Z";
  EXPECT_EQ(Post("/v1/assignments", past)->status, 400);
  json inverted = base;
  inverted["notBefore"] = "2030-02-01T00:00:00Z";
  inverted["expiresAt"] = "2030-01-01T00:00:00Z";
  EXPECT_EQ(Post("/v1/assignments", inverted)->status, 400);
  json app = {{"subject", {{"id", "ci-bot"}, {"subjectType", "EXTERNAL_APP"}}}, {"policyId", "access-checker"}};
  EXPECT_EQ(Post("/v1/assignments", app)->status, 201);  // apps need no user record
  json bad_type = app;
  bad_type["subject"]["subjectType"] = "ROBOT";
  EXPECT_EQ(Post("/v1/assignments", bad_type)->status, 400);
}

TEST_F(TeamApiTest, AssignmentsAreIdempotentListableAndDeletable) {
  json body = {
      {"subject", {{"id", "ann"}}}, {"policyId", "website-designer"}, {"restrictions", {{"site", {{"id", "s1"}}}}}};
  auto first = Post("/v1/assignments", body);
  ASSERT_EQ(first->status, 201);
  auto second = Post("/v1/assignments", body);
  ASSERT_EQ(second->status, 200);
  EXPECT_EQ(Body(first)["assignmentId"], Body(second)["assignmentId"]);
  EXPECT_EQ(Body(first)["restrictions"]["site"]["value"], "Shop");
  auto list = Get("/v1/assignments?subjectId=ann");
  ASSERT_EQ(list->status, 200);
  EXPECT_EQ(Body(list)["assignments"].size(), 1U);
  EXPECT_EQ(Get("/v1/assignments")->status, 400);
  EXPECT_TRUE(Allowed("ann", "site.edit", "s1"));
  EXPECT_EQ(Delete("/v1/assignments/" + Body(first)["assignmentId"].get<std::string>())->status, 200);
  EXPECT_FALSE(Allowed("ann", "site.edit", "s1"));
  EXPECT_EQ(Delete("/v1/assignments/999999")->status, 404);
  EXPECT_EQ(Delete("/v1/assignments/1")->status, 412);  // the owner's last Owner assignment
}

// --- Update Team Member Assignments ---

TEST_F(TeamApiTest, UpdateMemberIsAtomic) {
  const std::string a1 = Assign("ann", "website-designer", {{"site", {{"id", "s1"}}}});
  json ok_add = {{"policyId", "back-office-manager"},
                 {"restrictions", {{"conditions", {{"conditions", {{{"conditionType", "FOLDER"}, {"id", "f1"}}}}}}}}};
  json bad_add = {{"policyId", "nope"}};
  auto r = Patch("/roles-management/v2/team/assignments",
                 {{"userId", "ann"}, {"newAssignments", {ok_add, bad_add}}, {"assignmentIdsToRemove", {a1}}});
  ASSERT_EQ(r->status, 400);
  EXPECT_EQ(Field(r), "newAssignments[1].policyId");
  EXPECT_TRUE(Allowed("ann", "site.edit", "s1"));                // nothing removed
  EXPECT_FALSE(Allowed("ann", "site.backoffice.manage", "s2"));  // nothing added
  auto good = Patch("/roles-management/v2/team/assignments",
                    {{"userId", "ann"}, {"newAssignments", {ok_add, ok_add}}, {"assignmentIdsToRemove", {a1}}});
  ASSERT_EQ(good->status, 200) << good->body;
  json created = Body(good)["assignments"];
  ASSERT_EQ(created.size(), 2U);
  EXPECT_EQ(created[0]["assignmentId"], created[1]["assignmentId"]);  // the duplicate is not created twice
  EXPECT_EQ(created[0]["subject"]["id"], "ann");
  EXPECT_EQ(created[0]["restrictions"]["conditions"]["conditions"][0]["value"], "/Marketing");
  EXPECT_FALSE(Allowed("ann", "site.edit", "s1"));
  EXPECT_TRUE(Allowed("ann", "site.backoffice.manage", "s2"));
}

TEST_F(TeamApiTest, UpdateMemberErrors) {
  Assign("ann", "website-designer");
  json empty = {{"userId", "ann"}, {"newAssignments", json::array()}, {"assignmentIdsToRemove", json::array()}};
  EXPECT_EQ(Patch("/roles-management/v2/team/assignments", empty)->status, 200);
  json not_member = empty;
  not_member["userId"] = "bob";
  EXPECT_EQ(Patch("/roles-management/v2/team/assignments", not_member)->status, 404);
  json missing = {{"userId", "ann"}, {"newAssignments", json::array()}};
  EXPECT_EQ(Field(Patch("/roles-management/v2/team/assignments", missing)), "assignmentIdsToRemove");
  json not_held = empty;
  not_held["assignmentIdsToRemove"] = {"1"};  // olga's
  auto r = Patch("/roles-management/v2/team/assignments", not_held);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(Field(r), "assignmentIdsToRemove[0]");
  json owner_loses = {{"userId", "olga"}, {"newAssignments", json::array()}, {"assignmentIdsToRemove", {"1"}}};
  EXPECT_EQ(Patch("/roles-management/v2/team/assignments", owner_loses)->status, 412);
  // Legacy prefix.
  EXPECT_EQ(Patch("/roles-management-web/v2/team/assignments", empty)->status, 200);
}

TEST_F(TeamApiTest, RemovingAllAssignmentsLeavesTheTeam) {
  const std::string a = Assign("ann", "website-designer");
  ASSERT_EQ(Patch("/roles-management/v2/team/assignments",
                  {{"userId", "ann"}, {"newAssignments", json::array()}, {"assignmentIdsToRemove", {a}}})
                ->status,
            200);
  EXPECT_EQ(Ids(Search(json::object())), std::vector<std::string>{"olga"});
}

// --- Remove Member ---

TEST_F(TeamApiTest, RemoveMember) {
  Assign("ann", "website-designer");
  Assign("ann", "back-office-manager", {{"site", {{"id", "s1"}}}});
  InviteOne("ann@acme.test.other", "website-designer");
  EXPECT_EQ(Post("/roles-management/team/remove", {{"userId", "ann"}})->body, "{}");
  EXPECT_FALSE(Allowed("ann", "site.view", "s1"));
  EXPECT_EQ(Post("/roles-management/team/remove", {{"userId", "ann"}})->status, 404);
  EXPECT_EQ(Post("/roles-management/team/remove", {{"userId", "olga"}})->status, 412);
  EXPECT_EQ(Post("/roles-management/team/remove", json::object())->status, 400);
  EXPECT_EQ(Search({{"filter", {{"inviteType", "Pending"}}}})["teamMembers"].size(), 1U);  // invite untouched
}

// --- Search Team ---

TEST_F(TeamApiTest, SearchListsMembersAndOpenInvitesSortedByName) {
  Assign("bob", "website-designer", {{"site", {{"id", "s1"}}}});
  Assign("ann", "website-manager");
  InviteOne("zed@acme.test", "website-designer");
  json all = Search(json::object());
  EXPECT_EQ(Ids(all), (std::vector<std::string>{"ann", "bob", "olga", "zed@acme.test"}));
  EXPECT_EQ(all["pagingMetadata"]["total"], 4);
  const json& ann = all["teamMembers"][0]["user"];
  EXPECT_EQ(ann["email"], "ann@acme.test");
  EXPECT_EQ(ann["name"]["firstName"], "Ann");
  EXPECT_EQ(ann["assignments"][0]["policyId"], "website-manager");
  EXPECT_TRUE(ann.contains("joinedTeamAt"));
  const json& invite = all["teamMembers"][3]["invite"];
  EXPECT_EQ(invite["status"], "Pending");
  EXPECT_FALSE(invite.contains("acceptLink"));
  json desc = Search({{"orderBy", {{{"fieldName", "Name"}, {"direction", "DESC"}}}}});
  EXPECT_EQ(Ids(desc).front(), "zed@acme.test");
}

TEST_F(TeamApiTest, SearchQueryFilterFacetsAndPaging) {
  Assign("bob", "website-designer", {{"site", {{"id", "s2"}}}});
  Assign("ann", "website-manager", {{"site", {{"id", "s1"}}}});
  InviteOne("dan@acme.test", "website-designer", {{{"fullNameResource", {{"siteContext", {{"metasiteId", "s1"}}}}}}});
  EXPECT_EQ(Ids(Search({{"query", "CART"}})), std::vector<std::string>{"bob"});
  EXPECT_EQ(Ids(Search({{"query", "ann b"}})), std::vector<std::string>{"ann"});
  EXPECT_EQ(Ids(Search({{"query", "dan@"}})), std::vector<std::string>{"dan@acme.test"});
  EXPECT_EQ(Ids(Search({{"filter", {{"roleId", "website-designer"}}}})),
            (std::vector<std::string>{"bob", "dan@acme.test"}));
  EXPECT_EQ(Ids(Search({{"filter", {{"roleId", {{"$in", {"owner", "website-manager"}}}}}}})),
            (std::vector<std::string>{"ann", "olga"}));
  EXPECT_EQ(Ids(Search({{"filter", {{"$not", {{"roleId", "owner"}}}}}})),
            (std::vector<std::string>{"ann", "bob", "dan@acme.test"}));
  EXPECT_EQ(Ids(Search({{"filter", {{"$or", {{{"email", "ANN@acme.test"}}, {{"roleId", "owner"}}}}}}})),
            (std::vector<std::string>{"ann", "olga"}));
  // assetId: holds an assignment covering the asset (account-wide covers everything).
  EXPECT_EQ(Ids(Search({{"filter", {{"assetId", "s2"}}}})), (std::vector<std::string>{"bob", "olga"}));
  EXPECT_EQ(Ids(Search({{"filter", {{"inviteType", "Pending"}}}})), std::vector<std::string>{"dan@acme.test"});
  EXPECT_EQ(Ids(Search({{"filter", {{"joinedTeamAt", {{"$gt", "2000-01-01T00:00:00Z"}}}, {"roleId", "owner"}}}})),
            std::vector<std::string>{"olga"});
  json faceted = Search({{"facets", {"Roles", "InviteStatus", "Users"}}, {"paging", {{"limit", 1}, {"offset", 1}}}});
  EXPECT_EQ(faceted["teamMembers"].size(), 1U);
  EXPECT_EQ(faceted["pagingMetadata"], json({{"count", 1}, {"offset", 1}, {"total", 4}}));
  ASSERT_EQ(faceted["facets"].size(), 3U);
  EXPECT_EQ(faceted["facets"][0]["facetType"], "Roles");
  EXPECT_EQ(faceted["facets"][0]["values"], json({{{"value", "owner"}, {"count", 1}},
                                                  {{"value", "website-designer"}, {"count", 2}},
                                                  {{"value", "website-manager"}, {"count", 1}}}));
  EXPECT_EQ(faceted["facets"][1]["values"], json({{{"value", "Pending"}, {"count", 1}}}));
  EXPECT_EQ(faceted["facets"][2]["values"], json({{{"value", "Users"}, {"count", 3}}}));
}

TEST_F(TeamApiTest, SearchRejectsUnknownFieldsOperatorsAndLimits) {
  auto field = Post("/roles-management/v3/team/search", {{"filter", {{"colour", "red"}}}});
  EXPECT_EQ(field->status, 400);
  EXPECT_EQ(Field(field), "filter.colour");
  auto op = Post("/roles-management/v3/team/search", {{"filter", {{"roleId", {{"$like", "x"}}}}}});
  EXPECT_EQ(op->status, 400);
  EXPECT_NE(Body(op)["message"].get<std::string>().find("$like"), std::string::npos);
  EXPECT_EQ(Post("/roles-management/v3/team/search", {{"filter", {{"$xor", json::array()}}}})->status, 400);
  EXPECT_EQ(Post("/roles-management/v3/team/search", {{"filter", {{"inviteType", "Lost"}}}})->status, 400);
  EXPECT_EQ(Post("/roles-management/v3/team/search", {{"paging", {{"limit", 1001}}}})->status, 400);
  EXPECT_EQ(Post("/roles-management/v3/team/search", {{"facets", {"Colours"}}})->status, 400);
  EXPECT_EQ(Post("/roles-management/v3/team/search", {{"orderBy", {{{"fieldName", "Age"}}}}})->status, 400);
  json deep = {{"roleId", "x"}};
  for (int i = 0; i < 40; ++i) deep = {{"$not", deep}};
  EXPECT_EQ(Post("/roles-management/v3/team/search", {{"filter", deep}})->status, 400);
}

TEST_F(TeamApiTest, SearchTiesBreakByIdForStablePaging) {
  for (const char* id : {"u3", "u1", "u2"}) {
    PutUser(id, std::string(id) + "@acme.test", "Same", "Name");
    Assign(id, "website-designer");
  }
  std::vector<std::string> paged;
  for (int offset = 0; offset < 4; ++offset) {
    json page = Search({{"filter", {{"roleId", "website-designer"}}}, {"paging", {{"limit", 1}, {"offset", offset}}}});
    for (const auto& id : Ids(page)) paged.push_back(id);
  }
  EXPECT_EQ(paged, (std::vector<std::string>{"u1", "u2", "u3"}));
  json desc = Search({{"filter", {{"roleId", "website-designer"}}},
                      {"orderBy", {{{"fieldName", "JoinedAt"}, {"direction", "DESC"}}}}});
  EXPECT_EQ(Ids(desc), (std::vector<std::string>{"u1", "u2", "u3"}));  // same instant: by id
}

// --- Get Roles Info ---

TEST_F(TeamApiTest, RolesInfo) {
  auto r = Get("/roles-management/roles?locale=de");
  ASSERT_EQ(r->status, 200) << r->body;
  json body = Body(r);
  std::vector<std::string> ids;
  for (const auto& role : body["predefinedRoles"]) ids.push_back(role["id"]);
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  auto find = [&](const std::string& id) {
    for (const auto& role : body["predefinedRoles"]) {
      if (role["id"] == id) return role;
    }
    return json();
  };
  EXPECT_EQ(find("website-manager")["title"], "Website-Manager");
  EXPECT_EQ(find("access-checker")["title"], "Access Checker");  // no German title: English
  EXPECT_EQ(find("admin")["restrictFromLevel"], "Account");
  auto site_level = Body(Get("/roles-management/roles?filter.roleLevel=SITE_LEVEL"));
  for (const auto& role : site_level["predefinedRoles"]) EXPECT_NE(role["restrictFromLevel"], "Site");
  auto account_level = Body(Get("/roles-management-web/roles?filter.roleLevel=ACCOUNT_LEVEL"));
  for (const auto& role : account_level["predefinedRoles"]) EXPECT_NE(role["restrictFromLevel"], "Account");
  EXPECT_EQ(Get("/roles-management/roles?filter.roleLevel=GALAXY")->status, 400);
  EXPECT_TRUE(body["customRoles"].is_array());
}

// --- Invites ---

TEST_F(TeamApiTest, CreateInvitePartialSuccess) {
  Assign("ann", "website-designer");
  InviteOne("pending@acme.test", "website-designer");
  json entries = json::array();
  auto entry = [](const std::string& email, const std::string& role, json resources = json::array()) {
    return json{{"subjectEmail", email}, {"assignments", {{{"policyId", role}, {"assignments", resources}}}}};
  };
  entries.push_back(
      entry("new@acme.test", "website-designer", {{{"fullNameResource", {{"siteContext", {{"metasiteId", "s1"}}}}}}}));
  entries.push_back(entry("not an email", "website-designer"));
  entries.push_back(entry("ANN@acme.test", "website-designer"));  // already a member
  entries.push_back(entry("pending@acme.test", "website-designer"));
  entries.push_back(entry("x@acme.test", "no-such-role"));
  entries.push_back(
      entry("y@acme.test", "website-designer", {{{"fullNameResource", {{"siteContext", {{"metasiteId", "nope"}}}}}}}));
  entries.push_back(entry("z@acme.test", "website-designer",
                          {{{"fullNameResource", {{"accountContext", {{"accountId", "other"}}}}}}}));
  auto r = Post("/invites/account-invite/create", {{"subjectsAssignments", entries}});
  ASSERT_EQ(r->status, 200) << r->body;
  json body = Body(r);
  ASSERT_EQ(body["successfulInvites"].size(), 1U);
  const json& inv = body["successfulInvites"][0];
  EXPECT_EQ(inv["email"], "new@acme.test");
  EXPECT_EQ(inv["accountId"], "acme");
  EXPECT_EQ(inv["status"], "Pending");
  // The shape Wix's SDK declares: the request's form, and the role ids.
  EXPECT_EQ(inv["policyIds"], json::array({"website-designer"}));
  EXPECT_EQ(inv["assignments"], json::parse(R"([{"policyId":"website-designer",
                             "assignments":[{"fullNameResource":{"siteContext":{"metasiteId":"s1"}}}]}])"));
  EXPECT_FALSE(inv.contains("restrictions"));
  const std::string link = inv["acceptLink"];
  EXPECT_EQ(link.rfind("https://team.example/accept?token=", 0), 0U);
  EXPECT_GE(TokenOf(inv).size(), 22U);  // ≥ 128 bits, URL-safe
  EXPECT_EQ(Body(r)["failedInvites"].size(), 6U);
  EXPECT_EQ(Post("/invites/account-invite/create", {{"subjectsAssignments", json::array()}})->status, 400);
  json many = json::array();
  for (int i = 0; i < 51; ++i) many.push_back(entry("m" + std::to_string(i) + "@a.test", "website-designer"));
  EXPECT_EQ(Post("/invites/account-invite/create", {{"subjectsAssignments", many}})->status, 400);
}

// Issue 12: Wix's SDK posts its bare proto path, and reads AccountInvite in the request's form.
TEST_F(TeamApiTest, CreateInviteAliasAnswersInTheSdkShape) {
  json entry = {{"subjectEmail", "dee@acme.test"},
                {"assignments",
                 {{{"policyId", "website-manager"}, {"assignments", json::array()}},
                  {{"policyId", "website-designer"},
                   {"assignments",
                    {{{"fullNameResource", {{"siteContext", {{"metasiteId", "s1"}}}}}},
                     {{"fullNameResource", {{"siteContext", {{"metasiteId", "s2"}}}}}}}}}}}};
  auto r = Post("/account-invite/create", {{"subjectsAssignments", {entry}}});
  ASSERT_EQ(r->status, 200) << r->body;
  const json inv = Body(r)["successfulInvites"][0];
  EXPECT_EQ(inv["policyIds"], json::array({"website-manager", "website-designer"}));
  EXPECT_EQ(inv["assignments"], json::parse(R"([
      {"policyId":"website-manager","assignments":[]},
      {"policyId":"website-designer","assignments":[
          {"fullNameResource":{"siteContext":{"metasiteId":"s1"}}},
          {"fullNameResource":{"siteContext":{"metasiteId":"s2"}}}]}])"));
  EXPECT_FALSE(inv.contains("inviterId"));  // made with the system key
  // The lifecycle routes answer the same shape; Search Team keeps the restrictions form.
  EXPECT_EQ(Body(Get("/v1/invites/" + inv["id"].get<std::string>()))["assignments"], inv["assignments"]);
  json found = Search({{"query", "dee@"}});
  ASSERT_EQ(found["teamMembers"].size(), 1U) << found.dump();
  EXPECT_EQ(found["teamMembers"][0]["invite"]["assignments"][1]["restrictions"]["site"]["id"], "s1");
}

TEST_F(TeamApiTest, OnboardingByInviteEndToEnd) {
  // Invite → accept → member with the invited restriction → update → remove.
  json created = InviteOne("cara@acme.test", "website-designer",
                           {{{"fullNameResource", {{"siteContext", {{"metasiteId", "s2"}}}}}}});
  const json& inv = created["successfulInvites"][0];
  const std::string token = TokenOf(inv);
  EXPECT_EQ(Get("/v1/invites/" + inv["id"].get<std::string>())->status, 200);
  PutUser("cara", "cara@acme.test", "Cara", "Diaz");
  auto accepted =
      client_->Post("/v1/invites/accept", json{{"token", token}, {"userId", "cara"}}.dump(), "application/json");
  ASSERT_EQ(accepted->status, 200) << accepted->body;
  EXPECT_EQ(Body(accepted)["invite"]["status"], "Used");
  EXPECT_EQ(Body(accepted)["invite"]["acceptedByAccountId"], "cara");
  EXPECT_EQ(Body(Get("/v1/invites/" + inv["id"].get<std::string>()))["acceptedByAccountId"], "cara");
  EXPECT_TRUE(Allowed("cara", "site.edit", "s2"));
  EXPECT_FALSE(Allowed("cara", "site.edit", "s1"));
  auto again =
      client_->Post("/v1/invites/accept", json{{"token", token}, {"userId", "cara"}}.dump(), "application/json");
  EXPECT_EQ(again->status, 412);
  json member = Search({{"query", "cara"}});
  ASSERT_EQ(Ids(member), std::vector<std::string>{"cara"});
  ASSERT_EQ(Patch("/roles-management/v2/team/assignments", {{"userId", "cara"},
                                                            {"newAssignments", {{{"policyId", "website-manager"}}}},
                                                            {"assignmentIdsToRemove", json::array()}})
                ->status,
            200);
  EXPECT_TRUE(Allowed("cara", "site.settings.manage", "s1"));
  EXPECT_EQ(Post("/roles-management/team/remove", {{"userId", "cara"}})->status, 200);
  EXPECT_FALSE(Allowed("cara", "site.view", "s2"));
}

TEST_F(TeamApiTest, InviteLifecycleErrors) {
  json created = InviteOne("eve@acme.test", "website-designer");
  const json inv = created["successfulInvites"][0];
  const std::string id = inv["id"];
  const std::string old_token = TokenOf(inv);
  auto unknown =
      client_->Post("/v1/invites/accept", json{{"token", "inv_nope"}, {"userId", "ann"}}.dump(), "application/json");
  EXPECT_EQ(unknown->status, 404);
  auto resent = Post("/v1/invites/" + id + "/resend", json::object());
  ASSERT_EQ(resent->status, 200) << resent->body;
  const std::string new_token = TokenOf(Body(resent));
  EXPECT_NE(new_token, old_token);
  EXPECT_EQ(client_->Post("/v1/invites/decline", json{{"token", old_token}}.dump(), "application/json")->status, 404);
  clock_.Advance(8LL * 24 * 3600 * 1000);  // past the 7-day TTL
  EXPECT_EQ(Body(Get("/v1/invites/" + id))["status"], "Expired");
  PutUser("eve", "eve@acme.test", "Eve", "E");
  auto expired =
      client_->Post("/v1/invites/accept", json{{"token", new_token}, {"userId", "eve"}}.dump(), "application/json");
  EXPECT_EQ(expired->status, 412);
  EXPECT_NE(Body(expired)["message"].get<std::string>().find("expired"), std::string::npos);
  auto revoked = Post("/v1/invites/" + id + "/revoke", json::object());
  ASSERT_EQ(revoked->status, 200);
  EXPECT_EQ(Body(revoked)["status"], "Deleted");
  EXPECT_EQ(Post("/v1/invites/" + id + "/revoke", json::object())->status, 412);
  EXPECT_EQ(Post("/v1/invites/" + id + "/resend", json::object())->status, 412);
  EXPECT_EQ(Get("/v1/invites/unknown")->status, 404);
  // Declined invites are listed by Search Team.
  json other = InviteOne("fay@acme.test", "website-designer");
  ASSERT_EQ(client_
                ->Post("/v1/invites/decline", json{{"token", TokenOf(other["successfulInvites"][0])}}.dump(),
                       "application/json")
                ->status,
            200);
  EXPECT_EQ(Ids(Search({{"filter", {{"inviteType", "Declined"}}}})), std::vector<std::string>{"fay@acme.test"});
}

// --- Keys and tenant isolation ---

TEST_F(TeamApiTest, AccountKeysGetExactlyTheirRole) {
  json app = {{"subject", {{"id", "site-bot"}, {"subjectType", "EXTERNAL_APP"}}}, {"policyId", "website-manager"}};
  ASSERT_EQ(Post("/v1/assignments", app)->status, 201);
  const std::string key = KeyFor("site-bot", "EXTERNAL_APP");
  EXPECT_EQ(Post("/roles-management/v3/team/search", json::object(), key)->status, 200);    // team.view
  EXPECT_EQ(Get("/roles-management/roles", key)->status, 200);                              // roles.read
  EXPECT_EQ(Post("/roles-management/team/remove", {{"userId", "ann"}}, key)->status, 403);  // team.delete-member
  EXPECT_EQ(
      Post("/v1/check", {{"subject", {{"id", "olga"}}}, {"permission", "site.view"}, {"asset", {{"id", "acme"}}}}, key)
          ->status,
      403);  // access.check is not in website-manager
  EXPECT_EQ(Post("/v1/accounts", {{"name", "x"}, {"ownerUserId", "y"}}, key, "")->status, 403);  // system only
  // Revoke: the key stops working with the commit.
  auto keys_body = Post("/v1/api-keys", {{"subject", {{"id", "other-bot"}, {"subjectType", "EXTERNAL_APP"}}}});
  const std::string other_id = Body(keys_body)["id"];
  const std::string other_key = Body(keys_body)["key"];
  EXPECT_EQ(Get("/roles-management/roles", other_key)->status, 403);  // holds no role
  EXPECT_EQ(Delete("/v1/api-keys/" + other_id)->status, 200);
  EXPECT_EQ(Get("/roles-management/roles", other_key)->status, 401);
  EXPECT_EQ(Delete("/v1/api-keys/" + other_id)->status, 404);
}

TEST_F(TeamApiTest, TenantIsolationOnEveryRoute) {
  CreateAccount("globex", "gina");
  PutAsset("g-site", "site", "Globex site", "", "globex");
  ASSERT_EQ(Post("/v1/assignments",
                 {{"subject", {{"id", "acme-admin"}, {"subjectType", "EXTERNAL_APP"}}}, {"policyId", "owner"}})
                ->status,
            201);
  const std::string acme_key = KeyFor("acme-admin", "EXTERNAL_APP");
  json invite = InviteOne("iso@acme.test", "website-designer");  // an id of acme, used against globex below
  const std::string acme_invite = invite["successfulInvites"][0]["id"];
  struct Call {
    std::string method, path;
    json body;
  };
  const std::vector<Call> calls = {
      {"POST",
       "/v1/check",
       {{"subject", {{"id", "gina"}}}, {"permission", "site.view"}, {"asset", {{"id", "globex"}}}}},
      {"POST", "/v1/check/batch", {{"checks", json::array()}}},
      {"POST", "/v1/access/assets", {{"subject", {{"id", "gina"}}}, {"permission", "site.view"}}},
      {"POST", "/v1/access/subjects", {{"asset", {{"id", "globex"}}}, {"permission", "site.view"}}},
      {"GET", "/v1/accounts/globex", nullptr},
      {"PUT", "/v1/assets/x", {{"type", "site"}, {"name", "x"}}},
      {"GET", "/v1/assets/g-site", nullptr},
      {"DELETE", "/v1/assets/g-site", nullptr},
      {"POST", "/v1/api-keys", {{"subject", {{"id", "x"}, {"subjectType", "EXTERNAL_APP"}}}}},
      {"DELETE", "/v1/api-keys/x", nullptr},
      {"POST", "/v1/assignments", {{"subject", {{"id", "gina"}}}, {"policyId", "owner"}}},
      {"GET", "/v1/assignments?subjectId=gina", nullptr},
      {"DELETE", "/v1/assignments/1", nullptr},
      {"GET", "/v1/invites/" + acme_invite, nullptr},
      {"POST", "/v1/invites/" + acme_invite + "/revoke", json::object()},
      {"POST", "/v1/invites/" + acme_invite + "/resend", json::object()},
      {"POST", "/roles-management/v3/team/search", json::object()},
      {"POST", "/roles-management-web/v3/team/search", json::object()},
      {"POST", "/roles-management/team/remove", {{"userId", "gina"}}},
      {"PATCH",
       "/roles-management/v2/team/assignments",
       {{"userId", "gina"}, {"newAssignments", json::array()}, {"assignmentIdsToRemove", json::array()}}},
      {"GET", "/roles-management/roles", nullptr},
      {"POST",
       "/v1/roles",
       {{"id", "r"}, {"title", "R"}, {"statements", {{{"effect", "ALLOW"}, {"permissions", {"site.view"}}}}}}},
      {"PUT", "/v1/roles/r", {{"title", "R"}, {"statements", {{{"effect", "ALLOW"}, {"permissions", {"site.view"}}}}}}},
      {"DELETE", "/v1/roles/r", nullptr},
      {"POST", "/v1/admin/reload", nullptr},
      {"GET", "/v1/admin/status", nullptr},
      {"PUT", "/v1/users/gina", {{"email", "g@x.test"}}},
      {"GET", "/v1/users/gina", nullptr},
      {"POST",
       "/invites/account-invite/create",
       {{"subjectsAssignments", {{{"subjectEmail", "a@b.test"}, {"assignments", {{{"policyId", "owner"}}}}}}}}},
  };
  auto call = [&](const Call& c, const std::string& key) {
    if (c.method == "GET") return Get(c.path, key, "globex");
    if (c.method == "DELETE") return Delete(c.path, key, "globex");
    if (c.method == "PUT") return Put(c.path, c.body, key, "globex");
    if (c.method == "PATCH") return Patch(c.path, c.body, key, "globex");
    return Post(c.path, c.body, key, "globex");
  };
  const std::string before = Body(Get("/v1/accounts/globex", kSystemKey, ""))["name"];
  for (const auto& c : calls) {
    auto foreign = call(c, acme_key);
    ASSERT_TRUE(foreign) << c.path;
    EXPECT_EQ(foreign->status, 403) << c.method << " " << c.path << ": " << foreign->body;
    EXPECT_EQ(foreign->body.find("globex"), std::string::npos) << "reveals the other account: " << foreign->body;
    EXPECT_EQ(foreign->body.find("gina"), std::string::npos) << foreign->body;
    auto anonymous = call(c, "");
    EXPECT_EQ(anonymous->status, 401) << c.method << " " << c.path;
  }
  // Nothing changed in globex.
  EXPECT_EQ(Body(Get("/v1/accounts/globex", kSystemKey, ""))["name"], before);
  EXPECT_EQ(Get("/v1/assets/g-site", kSystemKey, "globex")->status, 200);
  // An id of another account is unknown in this one.
  EXPECT_EQ(Get("/v1/invites/" + acme_invite, kSystemKey, "globex")->status, 404);
}

}  // namespace
}  // namespace gatehouse

namespace gatehouse {
namespace {

using nlohmann::json;
using testing::kSystemKey;

class CustomRoleTest : public testing::ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    CreateAccount("acme", "olga");
    PutUser("ann", "ann@acme.test", "Ann", "Baker");
    PutAsset("s1", "site", "Shop");
  }
  bool Allowed(const std::string& subject, const std::string& permission, const std::string& asset) {
    auto r =
        Post("/v1/check", {{"subject", {{"id", subject}}}, {"permission", permission}, {"asset", {{"id", asset}}}});
    return r && r->body == R"({"allowed":true})";
  }
};

TEST_F(CustomRoleTest, CreateAssignUpdateDelete) {
  auto created = Post("/v1/roles", {{"id", "publisher"},
                                    {"title", {{"en", "Publisher"}, {"de", "Herausgeber"}}},
                                    {"restrictFromLevel", "Account"},
                                    {"inherits", {"website-designer"}},
                                    {"statements", {{{"effect", "DENY"}, {"permissions", {"site.settings.manage"}}}}}});
  ASSERT_EQ(created->status, 201) << created->body;
  EXPECT_EQ(Post("/v1/roles", {{"id", "publisher"},
                               {"title", "Again"},
                               {"statements", {{{"effect", "ALLOW"}, {"permissions", {"site.view"}}}}}})
                ->status,
            409);
  EXPECT_EQ(Post("/v1/roles", {{"id", "owner"},
                               {"title", "Mine"},
                               {"statements", {{{"effect", "ALLOW"}, {"permissions", {"site.view"}}}}}})
                ->status,
            409);
  // Listed by Get Roles Info, localized.
  auto roles = Body(Get("/roles-management/roles?locale=de"));
  ASSERT_EQ(roles["customRoles"].size(), 1U);
  EXPECT_EQ(roles["customRoles"][0]["title"], "Herausgeber");
  // Assignable within its restrictFromLevel; grants what it compiles to.
  EXPECT_EQ(Post("/v1/assignments", {{"subject", {{"id", "ann"}}}, {"policyId", "publisher"}})->status, 400);
  ASSERT_EQ(
      Post("/v1/assignments",
           {{"subject", {{"id", "ann"}}}, {"policyId", "publisher"}, {"restrictions", {{"site", {{"id", "s1"}}}}}})
          ->status,
      201);
  EXPECT_TRUE(Allowed("ann", "site.publish", "s1"));
  EXPECT_FALSE(Allowed("ann", "site.settings.manage", "s1"));
  // Replace: the change takes effect for existing assignments.
  auto replaced = Put("/v1/roles/publisher", {{"title", "Publisher"},
                                              {"restrictFromLevel", "Account"},
                                              {"statements", {{{"effect", "ALLOW"}, {"permissions", {"site.view"}}}}}});
  ASSERT_EQ(replaced->status, 200) << replaced->body;
  EXPECT_FALSE(Allowed("ann", "site.publish", "s1"));
  EXPECT_TRUE(Allowed("ann", "site.view", "s1"));
  EXPECT_EQ(Put("/v1/roles/website-manager",
                {{"title", "X"}, {"statements", {{{"effect", "ALLOW"}, {"permissions", {"site.view"}}}}}})
                ->status,
            412);  // predefined roles come only from files
  // Delete is refused while assigned.
  EXPECT_EQ(Delete("/v1/roles/publisher")->status, 412);
  ASSERT_EQ(Post("/roles-management/team/remove", {{"userId", "ann"}})->status, 200);
  EXPECT_EQ(Delete("/v1/roles/publisher")->status, 200);
  EXPECT_EQ(Delete("/v1/roles/publisher")->status, 404);
}

// An explanation follows inheritance through roles made over the API as well.
TEST_F(CustomRoleTest, ExplanationFollowsApiRoleParents) {
  ASSERT_EQ(
      Post("/v1/roles",
           {{"id", "base"}, {"title", "Base"}, {"statements", {{{"effect", "ALLOW"}, {"permissions", {"site.view"}}}}}})
          ->status,
      201);
  ASSERT_EQ(
      Post("/v1/roles", {{"id", "child"}, {"title", "Child"}, {"inherits", {"base", "website-designer"}}})->status,
      201);
  ASSERT_EQ(Post("/v1/assignments", {{"subject", {{"id", "ann"}}}, {"policyId", "child"}})->status, 201);
  auto explained =
      Post("/v1/check",
           {{"subject", {{"id", "ann"}}}, {"permission", "site.view"}, {"asset", {{"id", "s1"}}}, {"explain", true}});
  ASSERT_EQ(explained->status, 200) << explained->body;
  const json ex = Body(explained)["explanation"];
  EXPECT_TRUE(Body(explained)["allowed"].get<bool>());
  EXPECT_EQ(ex["roleChain"], json({"child", "base"})) << explained->body;
  EXPECT_NE(ex["statement"].get<std::string>().find("ALLOW site.view"), std::string::npos) << explained->body;
}

TEST_F(CustomRoleTest, ValidatedLikeRoleFiles) {
  auto typo =
      Post("/v1/roles",
           {{"id", "r1"}, {"title", "R"}, {"statements", {{{"effect", "ALLOW"}, {"permissions", {"site.edt"}}}}}});
  ASSERT_EQ(typo->status, 400);
  EXPECT_NE(Body(typo)["message"].get<std::string>().find("did you mean \"site.edit\""), std::string::npos)
      << typo->body;
  auto level = Post("/v1/roles", {{"id", "r2"},
                                  {"title", "R"},
                                  {"restrictFromLevel", "Account"},
                                  {"statements", {{{"effect", "ALLOW"}, {"permissions", {"team.delete-member"}}}}}});
  EXPECT_EQ(level->status, 400);
  EXPECT_EQ(Post("/v1/roles", {{"id", "r3"}, {"title", "R"}, {"inherits", {"ghost"}}})->status, 400);
  EXPECT_EQ(Post("/v1/roles", {{"id", "r4"}, {"statements", {{{"effect", "ALLOW"}, {"permissions", {"site.view"}}}}}})
                ->status,
            400);
  EXPECT_EQ(
      Post("/v1/roles",
           {{"id", "r5"}, {"title", "R"}, {"statements", {{{"effect", "MAYBE"}, {"permissions", {"site.view"}}}}}})
          ->status,
      400);
  // Custom roles may inherit each other; the parent then cannot be deleted.
  ASSERT_EQ(
      Post("/v1/roles",
           {{"id", "base"}, {"title", "B"}, {"statements", {{{"effect", "ALLOW"}, {"permissions", {"site.view"}}}}}})
          ->status,
      201);
  ASSERT_EQ(Post("/v1/roles", {{"id", "child"}, {"title", "C"}, {"inherits", {"base"}}})->status, 201);
  EXPECT_EQ(Delete("/v1/roles/base")->status, 412);
  // A replacement that would break the child is refused.
  EXPECT_EQ(Put("/v1/roles/base", {{"title", "B"}, {"inherits", {"child"}}})->status, 400);
}

TEST_F(CustomRoleTest, SurviveARestart) {
  ASSERT_EQ(Post("/v1/roles", {{"id", "viewer"},
                               {"title", "Viewer"},
                               {"statements", {{{"effect", "ALLOW"}, {"permissions", {"site.view"}}}}}})
                ->status,
            201);
  ASSERT_EQ(Post("/v1/assignments", {{"subject", {{"id", "ann"}}}, {"policyId", "viewer"}})->status, 201);
  // A policy reload keeps roles made over the API (they are not in the files).
  EXPECT_TRUE(committer_->ReplacePolicies(holder_->Load()->policies(), false).ok());
  EXPECT_TRUE(Check(*holder_->Load(), CheckQuery{"acme", SubjectType::kUser, "ann", "site.view", "s1"}, clock_.Now()));
  // Replay the log into a fresh state, as a restart does.
  SnapshotHolder fresh(std::make_shared<Snapshot>(holder_->Load()->policies(), 0));
  Committer replay(log_.get(), &codec_, &fresh);
  ASSERT_TRUE(replay.LoadAll().ok());
  EXPECT_TRUE(Check(*fresh.Load(), CheckQuery{"acme", SubjectType::kUser, "ann", "site.view", "s1"}, clock_.Now()));
  EXPECT_FALSE(Check(*fresh.Load(), CheckQuery{"acme", SubjectType::kUser, "ann", "site.edit", "s1"}, clock_.Now()));
}

}  // namespace
}  // namespace gatehouse
