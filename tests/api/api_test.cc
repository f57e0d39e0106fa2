// The HTTP surface in-process: a real ApiServer on a loopback port, real HTTP through
// cpp-httplib's client, the real SQLite plugin behind a fault-injecting wrapper.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "support/api_fixture.h"

namespace gatehouse {
namespace {

using nlohmann::json;
using testing::kSystemKey;

class ApiTest : public testing::ApiFixture {
 protected:
  void CreateAcme() { CreateAccount("acme", "olga"); }
};

TEST_F(ApiTest, HealthAndReadiness) {
  auto h = client_->Get("/healthz");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
  auto r = client_->Get("/readyz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  faulty_->FailReads(true);
  auto down = client_->Get("/readyz");
  EXPECT_EQ(down->status, 503);
}

TEST_F(ApiTest, CreateAccountThenCheck) {
  CreateAcme();
  auto allowed = Post("/v1/check", {{"subject", {{"id", "olga"}, {"subjectType", "USER"}}},
                                    {"permission", "team.delete-member"},
                                    {"asset", {{"id", "acme"}}}});
  ASSERT_TRUE(allowed);
  EXPECT_EQ(allowed->status, 200);
  EXPECT_EQ(allowed->body, R"({"allowed":true})");
  EXPECT_EQ(allowed->get_header_value("Content-Type"), "application/json");
  auto denied =
      Post("/v1/check", {{"subject", {{"id", "bob"}}}, {"permission", "site.view"}, {"asset", {{"id", "acme"}}}});
  EXPECT_EQ(denied->body, R"({"allowed":false})");
}

TEST_F(ApiTest, CheckExplains) {
  CreateAcme();
  auto r = Post(
      "/v1/check",
      {{"subject", {{"id", "olga"}}}, {"permission", "site.edit"}, {"asset", {{"id", "acme"}}}, {"explain", true}});
  json body = Body(r);
  EXPECT_TRUE(body["allowed"].get<bool>());
  EXPECT_EQ(body["explanation"]["policyId"], "owner");
  EXPECT_EQ(body["explanation"]["assignmentId"], "1");
  auto unknown =
      Post("/v1/check",
           {{"subject", {{"id", "olga"}}}, {"permission", "site.fly"}, {"asset", {{"id", "acme"}}}, {"explain", true}});
  json u = Body(unknown);
  EXPECT_FALSE(u["allowed"].get<bool>());
  EXPECT_EQ(u["explanation"]["reason"], "UNKNOWN_PERMISSION");
}

TEST_F(ApiTest, ValidationErrorsUseTheWixShape) {
  CreateAcme();
  auto r =
      Post("/v1/check",
           {{"subject", {{"id", "olga"}, {"subjectType", "ROBOT"}}}, {"permission", "x"}, {"asset", {{"id", "acme"}}}});
  ASSERT_EQ(r->status, 400);
  json body = Body(r);
  const auto& v = body["details"]["validationError"]["fieldViolations"][0];
  EXPECT_EQ(v["field"], "subject.subjectType");
  EXPECT_NE(body["message"].get<std::string>().find("ROBOT"), std::string::npos);
  auto missing = Post("/v1/check", {{"subject", {{"id", "olga"}}}, {"asset", {{"id", "acme"}}}});
  EXPECT_EQ(Body(missing)["details"]["validationError"]["fieldViolations"][0]["violatedRule"], "REQUIRED_FIELD");
  auto not_json =
      client_->Post("/v1/check", httplib::Headers{{"Authorization", kSystemKey}, {"wix-account-id", "acme"}}, "{nope",
                    "application/json");
  EXPECT_EQ(not_json->status, 400);
}

TEST_F(ApiTest, AuthenticationAndAccountHeader) {
  CreateAcme();
  json check = {{"subject", {{"id", "olga"}}}, {"permission", "site.view"}, {"asset", {{"id", "acme"}}}};
  auto none = Post("/v1/check", check, "");
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(Body(none)["details"]["applicationError"]["code"], "UNAUTHENTICATED");
  EXPECT_EQ(Post("/v1/check", check, "wrong-key")->status, 401);
  EXPECT_EQ(Post("/v1/check", check, kSystemKey, "")->status, 400);
  // x-account-id is an alias.
  auto alias = client_->Post("/v1/check", httplib::Headers{{"Authorization", kSystemKey}, {"x-account-id", "acme"}},
                             check.dump(), "application/json");
  EXPECT_EQ(alias->status, 200);
}

TEST_F(ApiTest, CreateAccountErrors) {
  CreateAcme();
  auto dup = Post("/v1/accounts", {{"id", "acme"}, {"name", "Again"}, {"ownerUserId", "x"}}, kSystemKey, "");
  EXPECT_EQ(dup->status, 409);
  auto bad = Post("/v1/accounts", {{"name", "No owner"}}, kSystemKey, "");
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(Body(bad)["details"]["validationError"]["fieldViolations"][0]["field"], "ownerUserId");
  auto wrong_type = Post("/v1/accounts", {{"name", 5}, {"ownerUserId", "x"}}, kSystemKey, "");
  EXPECT_EQ(wrong_type->status, 400);
}

TEST_F(ApiTest, StorageOutageIs503AndChangesNothing) {
  faulty_->FailAppends(true);
  auto r = Post("/v1/accounts", {{"id", "acme"}, {"name", "Acme"}, {"ownerUserId", "olga"}}, kSystemKey, "");
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(Body(r)["details"]["applicationError"]["code"], "UNAVAILABLE");
  auto get = client_->Get("/v1/accounts/acme", httplib::Headers{{"Authorization", kSystemKey}});
  EXPECT_EQ(get->status, 404);
  EXPECT_EQ(*log_->Head(), 0U);
  faulty_->FailAppends(false);
  CreateAcme();
}

TEST_F(ApiTest, GetAccount) {
  CreateAcme();
  auto r = client_->Get("/v1/accounts/acme", httplib::Headers{{"Authorization", kSystemKey}});
  ASSERT_EQ(r->status, 200);
  json body = Body(r);
  EXPECT_EQ(body["ownerUserId"], "olga");
  EXPECT_EQ(body["dateCreated"], "2027-01-15T08:00:00Z");
}

TEST_F(ApiTest, BodyLimitIs413WithErrorBody) {
  std::string big(128 * 1024, 'x');
  auto r = client_->Post("/v1/check", httplib::Headers{{"Authorization", kSystemKey}, {"wix-account-id", "acme"}},
                         "{\"pad\":\"" + big + "\"}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_TRUE(Body(r).contains("message"));
}

TEST_F(ApiTest, BatchCheckInOrderAndLimited) {
  CreateAcme();
  json checks = json::array();
  checks.push_back({{"subject", {{"id", "olga"}}}, {"permission", "site.view"}, {"asset", {{"id", "acme"}}}});
  checks.push_back({{"subject", {{"id", "bob"}}}, {"permission", "site.view"}, {"asset", {{"id", "acme"}}}});
  checks.push_back(
      {{"subject", {{"id", "olga"}}}, {"permission", "nope"}, {"asset", {{"id", "acme"}}}, {"explain", true}});
  auto r = Post("/v1/check/batch", {{"checks", checks}});
  ASSERT_EQ(r->status, 200) << r->body;
  json body = Body(r);
  ASSERT_EQ(body["results"].size(), 3U);
  EXPECT_TRUE(body["results"][0]["allowed"].get<bool>());
  EXPECT_FALSE(body["results"][1]["allowed"].get<bool>());
  EXPECT_EQ(body["results"][2]["explanation"]["reason"], "UNKNOWN_PERMISSION");
  json too_many = json::array();
  for (int i = 0; i < 6; ++i) too_many.push_back(checks[0]);
  EXPECT_EQ(Post("/v1/check/batch", {{"checks", too_many}})->status, 400);
  checks[1].erase("permission");
  auto bad = Post("/v1/check/batch", {{"checks", checks}});
  EXPECT_EQ(Body(bad)["details"]["validationError"]["fieldViolations"][0]["field"], "checks[1].permission");
}

// The batch reads well-formed checks without copying them; each answer equals the single
// check's, and a malformed entry still gets the full parser's error with its path.
TEST_F(ApiTest, BatchCheckAgreesWithSingleChecksAndExplainsBadEntries) {
  CreateAcme();
  const json olga_view = {{"permission", "site.view"}, {"asset", {{"id", "acme"}}}};
  json mixed = json::array();
  for (const json& subject :
       {json{{"id", "olga"}, {"subjectType", "USER"}}, json{{"id", "olga"}, {"subjectType", nullptr}},
        json{{"id", "olga"}, {"subjectType", "ACCOUNT"}}, json{{"id", "bob"}}}) {
    json c = olga_view;
    c["subject"] = subject;
    mixed.push_back(c);
  }
  mixed[0]["explain"] = nullptr;
  mixed[1]["explain"] = false;
  auto r = Post("/v1/check/batch", {{"checks", mixed}});
  ASSERT_EQ(r->status, 200) << r->body;
  const json results = Body(r)["results"];
  ASSERT_EQ(results.size(), mixed.size());
  for (std::size_t i = 0; i < mixed.size(); ++i) {
    auto single = Post("/v1/check", mixed[i]);
    ASSERT_EQ(single->status, 200) << single->body;
    EXPECT_EQ(results[i]["allowed"], Body(single)["allowed"]) << i;
  }
  EXPECT_TRUE(results[0]["allowed"].get<bool>());
  EXPECT_FALSE(results[2]["allowed"].get<bool>());
  const std::pair<json, const char*> broken[] = {
      {{{"subject", {{"id", "olga"}, {"subjectType", "ROBOT"}}}}, "checks[1].subject.subjectType"},
      {{{"subject", {{"id", 5}}}}, "checks[1].subject.id"},
      {{{"asset", {{"id", ""}}}}, "checks[1].asset.id"},
      {{{"explain", "yes"}}, "checks[1].explain"},
      {{{"permission", 7}}, "checks[1].permission"}};
  for (const auto& [patch, field] : broken) {
    json checks = mixed;
    checks[1].update(patch);
    auto bad = Post("/v1/check/batch", {{"checks", checks}});
    ASSERT_EQ(bad->status, 400) << field << ": " << bad->body;
    EXPECT_EQ(Body(bad)["details"]["validationError"]["fieldViolations"][0]["field"], field) << bad->body;
  }
}

TEST_F(ApiTest, ReverseQueries) {
  CreateAcme();
  auto assets = Post("/v1/access/assets", {{"subject", {{"id", "olga"}}}, {"permission", "site.view"}});
  ASSERT_EQ(assets->status, 200) << assets->body;
  EXPECT_EQ(Body(assets)["assets"][0]["id"], "acme");
  EXPECT_EQ(Body(assets)["assets"][0]["type"], "account");
  auto subjects = Post("/v1/access/subjects", {{"asset", {{"id", "acme"}}}, {"permission", "site.view"}});
  ASSERT_EQ(subjects->status, 200) << subjects->body;
  EXPECT_EQ(Body(subjects)["subjects"][0]["id"], "olga");
  auto bad_limit = Post("/v1/access/subjects", {{"asset", {{"id", "acme"}}}, {"permission", "x"}, {"limit", 5000}});
  EXPECT_EQ(bad_limit->status, 400);
}

// Bodies are read as JSON whatever their type; multipart (which no route takes) is refused
// with a message saying so, not parsed part by part.
TEST_F(ApiTest, MultipartBodyIsRefusedWithAClearError) {
  CreateAccount();
  httplib::MultipartFormDataItems items = {{"checks", "[]", "", "application/json"}};
  auto r = client_->Post("/v1/check/batch", Headers(testing::kSystemKey, "acme"), items);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("multipart/form-data bodies are not accepted; send JSON"), std::string::npos) << r->body;
}

TEST_F(ApiTest, UnknownRouteIsA404WithErrorBody) {
  auto r = client_->Get("/v1/nothing-here", httplib::Headers{{"Authorization", kSystemKey}});
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(Body(r)["details"]["applicationError"]["code"], "NOT_FOUND");
}

// Read-your-writes across nodes, on one node: every answer names its revision, and a
// request may ask to be answered from at least a given revision.
class RevisionHeaderTest : public testing::ApiFixture {
 protected:
  void Configure(ApiOptions&, ApiServices& services) override {
    services.min_revision_wait = std::chrono::milliseconds(1500);
  }
};

TEST_F(RevisionHeaderTest, WritesAndReadsNameTheirRevisionAndMinRevisionWaitsOrRefuses) {
  auto created = Post("/v1/accounts", {{"id", "acme"}, {"name", "acme"}, {"ownerUserId", "olga"}}, kSystemKey, "");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201);
  const std::string revision = created->get_header_value("X-Gatehouse-Revision");
  ASSERT_FALSE(revision.empty());
  EXPECT_EQ(std::stoull(revision), holder_->Load()->revision());
  auto read = Get("/v1/accounts/acme");
  ASSERT_TRUE(read);
  EXPECT_EQ(read->get_header_value("X-Gatehouse-Revision"), revision);
  // Already applied: answered at once.
  httplib::Headers h = Headers(kSystemKey, "acme");
  h.emplace("X-Gatehouse-Min-Revision", revision);
  auto at_least = client_->Get("/v1/accounts/acme", h);
  ASSERT_TRUE(at_least);
  EXPECT_EQ(at_least->status, 200);
  // Never applied here: 503 with Retry-After and where the node is, after the wait.
  h = Headers(kSystemKey, "acme");
  h.emplace("X-Gatehouse-Min-Revision", std::to_string(std::stoull(revision) + 5));
  auto ahead = client_->Get("/v1/accounts/acme", h);
  ASSERT_TRUE(ahead);
  EXPECT_EQ(ahead->status, 503) << ahead->body;
  EXPECT_EQ(ahead->get_header_value("Retry-After"), "1");
  EXPECT_NE(ahead->body.find("this node has applied revision " + revision), std::string::npos) << ahead->body;
  // A write published meanwhile releases the waiter.
  h = Headers(kSystemKey, "acme");
  h.emplace("X-Gatehouse-Min-Revision", std::to_string(std::stoull(revision) + 1));
  std::thread later([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    httplib::Client c("127.0.0.1", port_);
    c.Post("/v1/accounts", Headers(kSystemKey, ""),
           json{{"id", "later"}, {"name", "later"}, {"ownerUserId", "olga"}}.dump(), "application/json");
  });
  auto released = client_->Get("/v1/accounts/acme", h);
  later.join();
  ASSERT_TRUE(released);
  EXPECT_EQ(released->status, 200) << released->body;
  // Not a revision: 400 naming the header.
  for (const char* bad : {"abc", "-1", "1.5", "99999999999999999999999"}) {
    h = Headers(kSystemKey, "acme");
    h.emplace("X-Gatehouse-Min-Revision", bad);
    auto refused = client_->Get("/v1/accounts/acme", h);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 400) << bad;
    EXPECT_NE(refused->body.find("X-Gatehouse-Min-Revision"), std::string::npos) << refused->body;
  }
}

}  // namespace
}  // namespace gatehouse
