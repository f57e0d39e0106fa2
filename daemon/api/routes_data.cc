// /v1 data the assignments refer to (api.md §3.2): users (system), assets, API keys,
// assignments of any subject type.
#include "api/request.h"
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

void RegisterDataRoutes(Router& server, const ApiServices& services) {
  server.Put(R"(/v1/users/([^/]+))", [&services](const httplib::Request& req, httplib::Response& res) {
    Guard(res, [&] {
      auto call = AuthorizeWithBody(services, req, res, "", /*account_scoped=*/false);
      if (!call) return;
      const Caller* caller = &call->caller;
      const json* body = &call->body;
      Status error;
      User u;
      u.id = req.matches[1];
      u.email = OptString(*body, "email", "", &error).value_or("");
      if (auto name = body->find("name"); name != body->end() && !name->is_null()) {
        if (!name->is_object()) return WriteError(res, FieldError("name", "must be {firstName, lastName}"));
        u.first_name = OptString(*name, "firstName", "name", &error).value_or("");
        u.last_name = OptString(*name, "lastName", "name", &error).value_or("");
      }
      u.profile_image = OptString(*body, "profileImage", "", &error).value_or("");
      if (!error.ok()) return WriteError(res, error);
      bool created = false;
      auto stored = services.directory->PutUser(u, caller->principal.Actor(), &created);
      if (!stored.ok()) return WriteError(res, stored.status());
      WriteJson(res, created ? 201 : 200, UserOut(*stored));
    });
  });
  server.Get(R"(/v1/users/([^/]+))", [&services](const httplib::Request& req, httplib::Response& res) {
    Guard(res, [&] {
      auto caller = Authorize(services, req, res, "", /*account_scoped=*/false);
      if (!caller) return;
      auto snap = services.snapshots->Load();
      const User* u = snap->users().Find(std::string(req.matches[1]));
      if (u == nullptr) return WriteError(res, NotFound("user not found"));
      WriteJson(res, 200, UserOut(*u));
    });
  });

  server.Put(R"(/v1/assets/([^/]+))", [&services](const httplib::Request& req, httplib::Response& res) {
    Guard(res, [&] {
      auto call = AuthorizeWithBody(services, req, res, "assets.manage");
      if (!call) return;
      const Caller* caller = &call->caller;
      const json* body = &call->body;
      Status error;
      Asset a;
      a.account_id = caller->account_id;
      a.id = req.matches[1];
      a.type = OptString(*body, "type", "", &error).value_or("");
      a.name = OptString(*body, "name", "", &error).value_or("");
      a.parent_id = OptString(*body, "parentId", "", &error).value_or("");
      if (!error.ok()) return WriteError(res, error);
      if (a.parent_id == caller->account_id) a.parent_id.clear();
      bool created = false;
      auto stored = services.directory->PutAsset(a, caller->principal.Actor(), &created);
      if (!stored.ok()) return WriteError(res, stored.status());
      auto snap = services.snapshots->Load();
      const AccountState& state = *snap->FindAccount(caller->account_id)->state;
      WriteJson(res, created ? 201 : 200, AssetOut(state, state.FindAsset(a.id)));
    });
  });
  server.Get(R"(/v1/assets/([^/]+))", [&services](const httplib::Request& req, httplib::Response& res) {
    Guard(res, [&] {
      auto caller = Authorize(services, req, res, "assets.manage");
      if (!caller) return;
      auto snap = services.snapshots->Load();
      const AccountView* view = snap->FindAccount(caller->account_id);
      const std::uint32_t node =
          view == nullptr ? AccountState::kNoNode : view->state->FindAsset(std::string(req.matches[1]));
      if (node == AccountState::kNoNode || node == AccountState::kRootNode)
        return WriteError(res, NotFound("asset not found"));
      WriteJson(res, 200, AssetOut(*view->state, node));
    });
  });
  server.Delete(R"(/v1/assets/([^/]+))", [&services](const httplib::Request& req, httplib::Response& res) {
    Guard(res, [&] {
      auto caller = Authorize(services, req, res, "assets.manage");
      if (!caller) return;
      Status st = services.directory->DeleteAsset(caller->account_id, req.matches[1], caller->principal.Actor());
      if (!st.ok()) return WriteError(res, st);
      WriteJson(res, 200, json::object());
    });
  });

  server.Post("/v1/api-keys", [&services](const httplib::Request& req, httplib::Response& res) {
    Guard(res, [&] {
      auto call = AuthorizeWithBody(services, req, res, "keys.manage");
      if (!call) return;
      const Caller* caller = &call->caller;
      const json* body = &call->body;
      auto subject = RequiredSubject(*body, "subject");
      if (!subject.ok()) return WriteError(res, subject.status());
      Status error;
      const std::string description = OptString(*body, "description", "", &error).value_or("");
      if (!error.ok()) return WriteError(res, error);
      auto key = services.directory->CreateApiKey(caller->account_id, *subject, description, caller->principal.Actor());
      if (!key.ok()) return WriteError(res, key.status());
      json out = {{"id", key->key.id},
                  {"key", key->secret},
                  {"subject", {{"id", subject->id}, {"subjectType", SubjectTypeName(subject->type)}}}};
      if (!description.empty()) out["description"] = description;
      WriteJson(res, 201, out);
    });
  });
  server.Delete(R"(/v1/api-keys/([^/]+))", [&services](const httplib::Request& req, httplib::Response& res) {
    Guard(res, [&] {
      auto caller = Authorize(services, req, res, "keys.manage");
      if (!caller) return;
      Status st = services.directory->RevokeApiKey(caller->account_id, req.matches[1], caller->principal.Actor());
      if (!st.ok()) return WriteError(res, st);
      WriteJson(res, 200, json::object());
    });
  });

  server.Post("/v1/assignments", [&services](const httplib::Request& req, httplib::Response& res) {
    Guard(res, [&] {
      auto call = AuthorizeWithBody(services, req, res, "team.manage-team-member-roles");
      if (!call) return;
      const Caller* caller = &call->caller;
      const json* body = &call->body;
      auto subject = RequiredSubject(*body, "subject");
      if (!subject.ok()) return WriteError(res, subject.status());
      auto grant = ParseGrant(*body, "");
      if (!grant.ok()) return WriteError(res, grant.status());
      bool created = false;
      auto a = services.assignments->Add(caller->account_id, *subject, *grant, caller->principal.Actor(), &created);
      if (!a.ok()) return WriteError(res, a.status());
      auto snap = services.snapshots->Load();
      WriteJson(res, created ? 201 : 200, AssignmentJson(*snap->FindAccount(caller->account_id)->state, *a));
    });
  });
  server.Get("/v1/assignments", [&services](const httplib::Request& req, httplib::Response& res) {
    Guard(res, [&] {
      auto caller = Authorize(services, req, res, "team.manage-team-member-roles");
      if (!caller) return;
      const std::string subject_id = req.get_param_value("subjectId");
      if (subject_id.empty()) return WriteError(res, FieldError("subjectId", "is required", "REQUIRED_FIELD"));
      const std::string type_name = req.has_param("subjectType") ? req.get_param_value("subjectType") : "USER";
      auto type = ParseSubjectType(type_name);
      if (!type) return WriteError(res, FieldError("subjectType", "unknown value \"" + type_name + "\""));
      auto snap = services.snapshots->Load();
      const AccountView* view = snap->FindAccount(caller->account_id);
      if (view == nullptr) return WriteError(res, NotFound("account not found"));
      json out = json::array();
      if (const auto* entry = view->state->FindSubject(*type, subject_id)) {
        for (const auto& g : entry->grants)
          out.push_back(AssignmentJson(*view->state, view->state->ToAssignment(*entry, g)));
      }
      WriteJson(res, 200, {{"assignments", std::move(out)}});
    });
  });
  server.Delete(R"(/v1/assignments/([^/]+))", [&services](const httplib::Request& req, httplib::Response& res) {
    Guard(res, [&] {
      auto caller = Authorize(services, req, res, "team.manage-team-member-roles");
      if (!caller) return;
      const std::string id = req.matches[1];
      std::uint64_t n = 0;
      if (id.empty() || id.size() > 19 || !std::all_of(id.begin(), id.end(), ::isdigit)) {
        return WriteError(res, NotFound("assignment not found"));
      }
      n = std::stoull(id);
      Status st = services.assignments->Delete(caller->account_id, n, caller->principal.Actor());
      if (!st.ok()) return WriteError(res, st);
      WriteJson(res, 200, json::object());
    });
  });
}

}  // namespace gatehouse::api
