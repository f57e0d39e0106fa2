// /v1 data the assignments refer to (api.md §3.2): users (system), assets, API keys,
// assignments of any subject type.
#include "api/route_kernel.h"
#include "api/routes.h"
#include "api/team_json.h"

namespace gatehouse::api {
namespace {

json UserOut(const User& u) {
  json j = {{"id", u.id}, {"email", u.email}, {"name", {{"firstName", u.first_name}, {"lastName", u.last_name}}}};
  if (!u.profile_image.empty()) j["profileImage"] = u.profile_image;
  return j;
}

json AssetOut(const AccountState& account, std::uint32_t node) {
  const auto& n = account.Node(node);
  json j = {{"id", n.id}, {"type", n.type}, {"name", n.name}};
  j["parentId"] = account.Node(n.parent).id;
  return j;
}

}  // namespace

static Result<std::uint64_t> AssignmentIdOf(const std::string& id) {
  if (id.empty() || id.size() > 19 || !std::all_of(id.begin(), id.end(), ::isdigit)) {
    return NotFound("assignment not found");
  }
  return std::stoull(id);
}

void RegisterDataRoutes(Router& server, const ApiServices& services) {
  const ApiServices* s = &services;
  Serve(server, services,
        {
            {"PUT", R"(/v1/users/([^/]+))", Access::kSystem, "", true,
             [s](Call& c) -> Result<Reply> {
               Status error;
               User u;
               u.id = c.Param(1);
               u.email = OptString(c.body, "email", "", &error).value_or("");
               if (auto name = c.body.find("name"); name != c.body.end() && !name->is_null()) {
                 if (!name->is_object()) return FieldError("name", "must be {firstName, lastName}");
                 u.first_name = OptString(*name, "firstName", "name", &error).value_or("");
                 u.last_name = OptString(*name, "lastName", "name", &error).value_or("");
               }
               u.profile_image = OptString(c.body, "profileImage", "", &error).value_or("");
               if (!error.ok()) return error;
               bool created = false;
               auto stored = s->directory->PutUser(u, c.Actor(), &created);
               if (!stored.ok()) return stored.status();
               return Reply::Json(created ? 201 : 200, UserOut(*stored));
             }},
            {"GET", R"(/v1/users/([^/]+))", Access::kSystem, "", false,
             [](Call& c) -> Result<Reply> {
               const User* u = c.snapshot->users().Find(c.Param(1));
               if (u == nullptr) return NotFound("user not found");
               return Reply::Json(200, UserOut(*u));
             }},

            {"PUT", R"(/v1/assets/([^/]+))", Access::kAccount, "assets.manage", true,
             [s](Call& c) -> Result<Reply> {
               Status error;
               Asset a;
               a.account_id = c.account_id;
               a.id = c.Param(1);
               a.type = OptString(c.body, "type", "", &error).value_or("");
               a.name = OptString(c.body, "name", "", &error).value_or("");
               a.parent_id = OptString(c.body, "parentId", "", &error).value_or("");
               if (!error.ok()) return error;
               if (a.parent_id == c.account_id) a.parent_id.clear();
               bool created = false;
               auto stored = s->directory->PutAsset(a, c.Actor(), &created);
               if (!stored.ok()) return stored.status();
               auto after = s->snapshots->Load();  // the write's own state
               const auto held = after->FindState(c.account_id);
               const AccountState& state = *held;
               return Reply::Json(created ? 201 : 200, AssetOut(state, state.FindAsset(a.id)));
             }},
            {"GET", R"(/v1/assets/([^/]+))", Access::kAccount, "assets.manage", false,
             [](Call& c) -> Result<Reply> {
               const auto state = c.snapshot->FindState(c.account_id);
               const std::uint32_t node = state == nullptr ? AccountState::kNoNode : state->FindAsset(c.Param(1));
               if (node == AccountState::kNoNode || node == AccountState::kRootNode) return NotFound("asset not found");
               return Reply::Json(200, AssetOut(*state, node));
             }},
            {"DELETE", R"(/v1/assets/([^/]+))", Access::kAccount, "assets.manage", false,
             [s](Call& c) -> Result<Reply> {
               if (Status st = s->directory->DeleteAsset(c.account_id, c.Param(1), c.Actor()); !st.ok()) return st;
               return Reply::Json(200, json::object());
             }},

            {"POST", "/v1/api-keys", Access::kAccount, "keys.manage", true,
             [s](Call& c) -> Result<Reply> {
               auto subject = RequiredSubject(c.body, "subject");
               if (!subject.ok()) return subject.status();
               Status error;
               const std::string description = OptString(c.body, "description", "", &error).value_or("");
               if (!error.ok()) return error;
               auto key = s->directory->CreateApiKey(c.account_id, *subject, description, c.Actor());
               if (!key.ok()) return key.status();
               json out = {{"id", key->key.id},
                           {"key", key->secret},
                           {"subject", {{"id", subject->id}, {"subjectType", SubjectTypeName(subject->type)}}}};
               if (!description.empty()) out["description"] = description;
               return Reply::Json(201, out);
             }},
            {"GET", "/v1/api-keys", Access::kAccount, "keys.manage", false,
             [](Call& c) -> Result<Reply> {
               // The account's live keys, oldest first; never the key or its hash.
               json keys = json::array();
               if (const auto state = c.snapshot->FindState(c.account_id); state != nullptr) {
                 for (const auto& k : state->api_keys()) {
                   json key = {{"id", k.id},
                               {"subject", {{"id", k.subject.id}, {"subjectType", SubjectTypeName(k.subject.type)}}},
                               {"createdAt", FormatRfc3339(k.created_at)}};
                   if (!k.description.empty()) key["description"] = k.description;
                   keys.push_back(std::move(key));
                 }
               }
               return Reply::Json(200, {{"keys", std::move(keys)}});
             }},
            {"DELETE", R"(/v1/api-keys/([^/]+))", Access::kAccount, "keys.manage", false,
             [s](Call& c) -> Result<Reply> {
               if (Status st = s->directory->RevokeApiKey(c.account_id, c.Param(1), c.Actor()); !st.ok()) return st;
               return Reply::Json(200, json::object());
             }},

            {"POST", "/v1/assignments", Access::kAccount, "team.manage-team-member-roles", true,
             [s](Call& c) -> Result<Reply> {
               auto subject = RequiredSubject(c.body, "subject");
               if (!subject.ok()) return subject.status();
               auto grant = ParseGrant(c.body, "");
               if (!grant.ok()) return grant.status();
               bool created = false;
               auto a = s->assignments->Add(c.account_id, *subject, *grant, c.Actor(), &created);
               if (!a.ok()) return a.status();
               auto after = s->snapshots->Load();
               return Reply::Json(created ? 201 : 200, AssignmentJson(*after->FindState(c.account_id), *a));
             }},
            {"GET", "/v1/assignments", Access::kAccount, "team.manage-team-member-roles", false,
             [](Call& c) -> Result<Reply> {
               const std::string subject_id = c.Query("subjectId");
               if (subject_id.empty()) return FieldError("subjectId", "is required", "REQUIRED_FIELD");
               const std::string type_name = c.http.has_param("subjectType") ? c.Query("subjectType") : "USER";
               auto type = ParseSubjectType(type_name);
               if (!type) return FieldError("subjectType", "unknown value \"" + type_name + "\"");
               const auto state = c.snapshot->FindState(c.account_id);
               if (state == nullptr) return NotFound("account not found");
               json out = json::array();
               if (const auto* entry = state->FindSubject(*type, subject_id)) {
                 for (const auto& g : entry->grants) {
                   out.push_back(AssignmentJson(*state, state->ToAssignment(*entry, g)));
                 }
               }
               return Reply::Json(200, {{"assignments", std::move(out)}});
             }},
            {"DELETE", R"(/v1/assignments/([^/]+))", Access::kAccount, "team.manage-team-member-roles", false,
             [s](Call& c) -> Result<Reply> {
               auto id = AssignmentIdOf(c.Param(1));
               if (!id.ok()) return id.status();
               if (Status st = s->assignments->Delete(c.account_id, *id, c.Actor()); !st.ok()) return st;
               return Reply::Json(200, json::object());
             }},
        });
}

}  // namespace gatehouse::api
