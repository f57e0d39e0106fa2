// GET /openapi.json documents every route, and real responses match its schemas.
#include <gtest/gtest.h>

#include <regex>

#include "support/api_fixture.h"

namespace gatehouse {
namespace {

using nlohmann::json;
using testing::kSystemKey;

// A small JSON-Schema subset validator: $ref, allOf, type, required, properties, items, enum.
class SchemaChecker {
 public:
  explicit SchemaChecker(json doc) : doc_(std::move(doc)) {}

  std::vector<std::string> Check(const json& value, const json& schema, const std::string& path = "$") const {
    std::vector<std::string> errors;
    Walk(value, schema, path, &errors);
    return errors;
  }

  const json& Component(const std::string& name) const { return doc_["components"]["schemas"][name]; }

 private:
  void Walk(const json& v, const json& s, const std::string& path, std::vector<std::string>* errors) const {
    if (s.contains("$ref")) {
      const std::string ref = s["$ref"];
      return Walk(v, Component(ref.substr(ref.rfind('/') + 1)), path, errors);
    }
    if (s.contains("allOf")) {
      for (const auto& part : s["allOf"]) Walk(v, part, path, errors);
      return;
    }
    if (s.contains("type")) {
      const std::string t = s["type"];
      const bool ok = (t == "object" && v.is_object()) || (t == "array" && v.is_array()) ||
                      (t == "string" && v.is_string()) || (t == "integer" && v.is_number_integer()) ||
                      (t == "boolean" && v.is_boolean());
      if (!ok) {
        errors->push_back(path + ": expected " + t + ", got " + v.dump());
        return;
      }
    }
    if (s.contains("enum") && std::find(s["enum"].begin(), s["enum"].end(), v) == s["enum"].end()) {
      errors->push_back(path + ": " + v.dump() + " is not in the enum");
    }
    if (v.is_object()) {
      for (const auto& r : s.value("required", json::array())) {
        if (!v.contains(r.get<std::string>())) errors->push_back(path + ": missing required " + r.get<std::string>());
      }
      const json properties = s.value("properties", json::object());
      for (const auto& [k, sub] : properties.items()) {
        if (v.contains(k)) Walk(v[k], sub, path + "." + k, errors);
      }
    }
    if (v.is_array() && s.contains("items")) {
      for (std::size_t i = 0; i < v.size(); ++i) Walk(v[i], s["items"], path + "[" + std::to_string(i) + "]", errors);
    }
  }
  json doc_;
};

class OpenApiTest : public testing::ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    auto r = client_->Get("/openapi.json");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200);
    doc_ = json::parse(r->body);
    checker_ = std::make_unique<SchemaChecker>(doc_);
  }

  // The documented 2xx schema of `method path`.
  json ResponseSchema(const std::string& path, const std::string& method) {
    const json& responses = doc_["paths"][path][method]["responses"];
    for (const auto& [code, r] : responses.items()) {
      if (code[0] == '2') return r["content"]["application/json"]["schema"];
    }
    ADD_FAILURE() << "no 2xx response documented for " << method << " " << path;
    return json::object();
  }

  void ExpectMatches(const httplib::Result& r, const std::string& path, const std::string& method) {
    ASSERT_TRUE(r);
    ASSERT_LT(r->status, 300) << method << " " << path << ": " << r->body;
    const auto errors = checker_->Check(json::parse(r->body), ResponseSchema(path, method));
    for (const auto& e : errors) ADD_FAILURE() << method << " " << path << " " << e;
  }

  json doc_;
  std::unique_ptr<SchemaChecker> checker_;
};

TEST_F(OpenApiTest, IsOpenApi3WithEveryRoute) {
  EXPECT_EQ(doc_["openapi"].get<std::string>().substr(0, 2), "3.");
  const std::vector<std::pair<std::string, std::string>> routes = {{"post", "/roles-management/v3/team/search"},
                                                                   {"post", "/roles-management/team/remove"},
                                                                   {"patch", "/roles-management/v2/team/assignments"},
                                                                   {"get", "/roles-management/roles"},
                                                                   {"post", "/roles-management-web/v3/team/search"},
                                                                   {"post", "/invites/account-invite/create"},
                                                                   {"post", "/account-invite/create"},
                                                                   {"get", "/v1/changes"},
                                                                   {"get", "/v1/access-review"},
                                                                   {"get", "/v1/access-review/diff"},
                                                                   {"post", "/v1/admin/policy-diff"},
                                                                   {"get", "/v1/admin/export"},
                                                                   {"post", "/v1/admin/import"},
                                                                   {"get", "/v1/api-keys"},
                                                                   {"post", "/v1/check"},
                                                                   {"post", "/v1/check/batch"},
                                                                   {"post", "/v1/access/assets"},
                                                                   {"post", "/v1/access/subjects"},
                                                                   {"post", "/v1/accounts"},
                                                                   {"get", "/v1/accounts/{id}"},
                                                                   {"put", "/v1/users/{userId}"},
                                                                   {"get", "/v1/users/{userId}"},
                                                                   {"put", "/v1/assets/{assetId}"},
                                                                   {"get", "/v1/assets/{assetId}"},
                                                                   {"delete", "/v1/assets/{assetId}"},
                                                                   {"post", "/v1/api-keys"},
                                                                   {"delete", "/v1/api-keys/{id}"},
                                                                   {"post", "/v1/assignments"},
                                                                   {"get", "/v1/assignments"},
                                                                   {"delete", "/v1/assignments/{assignmentId}"},
                                                                   {"get", "/v1/invites/{id}"},
                                                                   {"post", "/v1/invites/{id}/revoke"},
                                                                   {"post", "/v1/invites/{id}/resend"},
                                                                   {"post", "/v1/invites/accept"},
                                                                   {"post", "/v1/invites/decline"},
                                                                   {"post", "/v1/admin/reload"},
                                                                   {"post", "/v1/admin/compact"},
                                                                   {"get", "/v1/admin/status"},
                                                                   {"get", "/healthz"},
                                                                   {"get", "/readyz"},
                                                                   {"get", "/metrics"},
                                                                   {"get", "/openapi.json"},
                                                                   {"post", "/v1/roles"},
                                                                   {"put", "/v1/roles/{id}"},
                                                                   {"delete", "/v1/roles/{id}"}};
  for (const auto& [method, path] : routes) {
    EXPECT_TRUE(doc_["paths"].contains(path) && doc_["paths"][path].contains(method)) << method << " " << path;
  }
  // And nothing documented is missing from the server.
  for (const auto& [path, methods] : doc_["paths"].items()) {
    const std::string concrete = std::regex_replace(path, std::regex(R"(\{[^}]+\})"), "x");
    for (const auto& [method, op] : methods.items()) {
      if (method == "parameters") continue;  // path-level parameters, not an operation
      httplib::Result r = method == "get"      ? Get(concrete)
                          : method == "put"    ? Put(concrete, json::object())
                          : method == "patch"  ? Patch(concrete, json::object())
                          : method == "delete" ? Delete(concrete)
                                               : Post(concrete, json::object());
      ASSERT_TRUE(r) << method << " " << path;
      EXPECT_EQ(r->body.find("no route for"), std::string::npos)
          << method << " " << path << " is documented but not served";
    }
  }
}

TEST_F(OpenApiTest, TheCheckerRejectsWhatDoesNotMatch) {
  EXPECT_FALSE(checker_->Check(json{{"allowed", "yes"}}, checker_->Component("CheckResponse")).empty());
  EXPECT_FALSE(checker_->Check(json::object(), checker_->Component("Account")).empty());
  EXPECT_FALSE(checker_->Check(json{{"id", "x"}, {"subjectType", "ROBOT"}}, checker_->Component("Subject")).empty());
  EXPECT_TRUE(checker_->Check(json{{"allowed", true}}, checker_->Component("CheckResponse")).empty());
}

TEST_F(OpenApiTest, RealResponsesMatchTheSchemas) {
  auto account = Post("/v1/accounts", {{"id", "acme"}, {"name", "Acme"}, {"ownerUserId", "olga"}}, kSystemKey, "");
  ExpectMatches(account, "/v1/accounts", "post");
  ExpectMatches(Get("/v1/accounts/acme"), "/v1/accounts/{id}", "get");
  ExpectMatches(Put("/v1/users/ann", {{"email", "ann@acme.test"}, {"name", {{"firstName", "Ann"}, {"lastName", "B"}}}},
                    kSystemKey, ""),
                "/v1/users/{userId}", "put");
  ExpectMatches(Get("/v1/users/ann", kSystemKey, ""), "/v1/users/{userId}", "get");
  ExpectMatches(Put("/v1/assets/f1", {{"type", "folder"}, {"name", "F"}}), "/v1/assets/{assetId}", "put");
  ExpectMatches(Put("/v1/assets/s1", {{"type", "site"}, {"name", "S"}, {"parentId", "f1"}}), "/v1/assets/{assetId}",
                "put");
  ExpectMatches(Get("/v1/assets/s1"), "/v1/assets/{assetId}", "get");
  ExpectMatches(
      Post("/v1/assignments",
           {{"subject", {{"id", "ann"}}},
            {"policyId", "website-designer"},
            {"restrictions", {{"conditions", {{"conditions", {{{"conditionType", "FOLDER"}, {"id", "f1"}}}}}}}}}),
      "/v1/assignments", "post");
  ExpectMatches(Get("/v1/assignments?subjectId=ann"), "/v1/assignments", "get");
  ExpectMatches(
      Post("/v1/check",
           {{"subject", {{"id", "ann"}}}, {"permission", "site.edit"}, {"asset", {{"id", "s1"}}}, {"explain", true}}),
      "/v1/check", "post");
  ExpectMatches(
      Post("/v1/check/batch",
           {{"checks", {{{"subject", {{"id", "ann"}}}, {"permission", "site.edit"}, {"asset", {{"id", "s1"}}}}}}}),
      "/v1/check/batch", "post");
  ExpectMatches(Post("/v1/access/assets", {{"subject", {{"id", "ann"}}}, {"permission", "site.view"}}),
                "/v1/access/assets", "post");
  ExpectMatches(Post("/v1/access/subjects", {{"asset", {{"id", "s1"}}}, {"permission", "site.view"}}),
                "/v1/access/subjects", "post");
  auto invite =
      Post("/invites/account-invite/create",
           {{"subjectsAssignments",
             {{{"subjectEmail", "new@acme.test"},
               {"assignments",
                {{{"policyId", "website-designer"},
                  {"assignments", {{{"fullNameResource", {{"siteContext", {{"metasiteId", "s1"}}}}}}}}}}}}}}});
  ExpectMatches(invite, "/invites/account-invite/create", "post");
  const std::string invite_id = json::parse(invite->body)["successfulInvites"][0]["id"];
  ExpectMatches(Get("/v1/invites/" + invite_id), "/v1/invites/{id}", "get");
  ExpectMatches(Post("/roles-management/v3/team/search", {{"facets", {"Roles", "InviteStatus", "Users"}}}),
                "/roles-management/v3/team/search", "post");
  ExpectMatches(Get("/roles-management/roles"), "/roles-management/roles", "get");
  ExpectMatches(Patch("/roles-management/v2/team/assignments", {{"userId", "ann"},
                                                                {"newAssignments", {{{"policyId", "website-manager"}}}},
                                                                {"assignmentIdsToRemove", json::array()}}),
                "/roles-management/v2/team/assignments", "patch");
  ExpectMatches(Post("/v1/invites/" + invite_id + "/resend", json::object()), "/v1/invites/{id}/resend", "post");
  ExpectMatches(Post("/v1/api-keys", {{"subject", {{"id", "bot"}, {"subjectType", "WIX_APP"}}}}), "/v1/api-keys",
                "post");
  ExpectMatches(Post("/v1/roles", {{"id", "publisher"},
                                   {"title", "Publisher"},
                                   {"statements", {{{"effect", "ALLOW"}, {"permissions", {"site.publish"}}}}}}),
                "/v1/roles", "post");
  ExpectMatches(Get("/v1/access-review"), "/v1/access-review", "get");
  ExpectMatches(Get("/v1/access-review/diff?from=0&to=2"), "/v1/access-review/diff", "get");
  ExpectMatches(Post("/v1/admin/policy-diff", {{"files", {{"roles/x.yaml", "kind: Nope\n"}}}}, kSystemKey, ""),
                "/v1/admin/policy-diff", "post");
  ExpectMatches(Get("/v1/api-keys"), "/v1/api-keys", "get");
  ExpectMatches(client_->Get("/healthz"), "/healthz", "get");
  ExpectMatches(client_->Get("/readyz"), "/readyz", "get");
  ExpectMatches(Post("/v1/admin/compact", json::object(), kSystemKey, ""), "/v1/admin/compact", "post");
  // Errors use the documented error body.
  auto bad = Post("/v1/check", json::object());
  ASSERT_EQ(bad->status, 400);
  for (const auto& e : checker_->Check(json::parse(bad->body), checker_->Component("ErrorBody"))) ADD_FAILURE() << e;
}

}  // namespace
}  // namespace gatehouse
