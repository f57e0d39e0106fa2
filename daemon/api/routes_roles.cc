// Custom roles of an account (api.md §3.4): POST /v1/roles, PUT and DELETE /v1/roles/{id}.
#include "api/route_kernel.h"
#include "api/routes.h"
#include "api/team_json.h"

namespace gatehouse::api {
namespace {

// {locale: text} or a plain string (= {en: text}).
Result<std::map<std::string, std::string>> ParseText(const json& body, const char* field) {
  std::map<std::string, std::string> out;
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return out;
  if (it->is_string()) {
    out["en"] = it->get<std::string>();
    return out;
  }
  if (!it->is_object()) return FieldError(field, "must be text or a {locale: text} object");
  for (const auto& [locale, text] : it->items()) {
    if (!text.is_string()) return FieldError(std::string(field) + "." + locale, "must be text");
    out[locale] = text.get<std::string>();
  }
  return out;
}

Result<std::vector<std::string>> ParseStrings(const json& body, const char* field, const std::string& path) {
  std::vector<std::string> out;
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return out;
  if (!it->is_array() || it->size() > 1000) return FieldError(path, "must be a list of at most 1000 strings");
  for (const auto& v : *it) {
    if (!v.is_string()) return FieldError(path, "must be a list of strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

Result<RoleDefinition> ParseRole(const json& body, const std::string& account_id, const std::string& id) {
  RoleDefinition r;
  r.account_id = account_id;
  r.id = id;
  auto title = ParseText(body, "title");
  if (!title.ok()) return title.status();
  r.title = *title;
  auto description = ParseText(body, "description");
  if (!description.ok()) return description.status();
  r.description = *description;
  Status error;
  r.restrict_from_level = OptString(body, "restrictFromLevel", "", &error).value_or("NoRestriction");
  if (!error.ok()) return error;
  if (!ParseRestrictFromLevel(r.restrict_from_level)) {
    return FieldError("restrictFromLevel",
                      "unknown value \"" + r.restrict_from_level + "\" (expected NoRestriction, Site, Account)");
  }
  auto inherits = ParseStrings(body, "inherits", "inherits");
  if (!inherits.ok()) return inherits.status();
  r.inherits = *inherits;
  auto editors = ParseStrings(body, "editorTypes", "editorTypes");
  if (!editors.ok()) return editors.status();
  r.editor_types = *editors;
  auto statements = body.find("statements");
  if (statements != body.end() && !statements->is_null()) {
    if (!statements->is_array() || statements->size() > 100)
      return FieldError("statements", "must be a list of at most 100 statements");
    for (std::size_t i = 0; i < statements->size(); ++i) {
      const json& st = (*statements)[i];
      const std::string at = "statements[" + std::to_string(i) + "]";
      if (!st.is_object()) return FieldError(at, "must be {effect, permissions}");
      const std::string effect = st.value("effect", std::string());
      if (effect != "ALLOW" && effect != "DENY") return FieldError(at + ".effect", "must be ALLOW or DENY");
      auto perms = ParseStrings(st, "permissions", at + ".permissions");
      if (!perms.ok()) return perms.status();
      if (perms->empty()) return FieldError(at + ".permissions", "must list at least one permission", "REQUIRED_FIELD");
      r.statements.push_back({effect == "ALLOW", *perms});
    }
  }
  return r;
}

json RoleOut(const RoleDefinition& r) {
  json statements = json::array();
  for (const auto& st : r.statements)
    statements.push_back({{"effect", st.allow ? "ALLOW" : "DENY"}, {"permissions", st.permissions}});
  return {{"id", r.id},
          {"title", r.title},
          {"description", r.description},
          {"restrictFromLevel", r.restrict_from_level},
          {"inherits", r.inherits},
          {"editorTypes", r.editor_types},
          {"statements", statements}};
}

}  // namespace

void RegisterRoleRoutes(Router& server, const ApiServices& services) {
  const ApiServices* s = &services;
  auto put = [s](bool replace) {
    return [s, replace](Call& c) -> Result<Reply> {
      Status error;
      const std::string id = replace ? c.Param(1) : OptString(c.body, "id", "", &error).value_or("");
      if (!error.ok()) return error;
      auto role = ParseRole(c.body, c.account_id, id);
      if (!role.ok()) return role.status();
      auto stored = s->roles->Put(*role, replace, c.Actor());
      if (!stored.ok()) return stored.status();
      return Reply::Json(replace ? 200 : 201, RoleOut(*stored));
    };
  };
  Serve(server, services,
        {
            {"POST", "/v1/roles", Access::kAccount, "roles.manage", true, put(false)},
            {"PUT", R"(/v1/roles/([^/]+))", Access::kAccount, "roles.manage", true, put(true)},
            {"DELETE", R"(/v1/roles/([^/]+))", Access::kAccount, "roles.manage", false,
             [s](Call& c) -> Result<Reply> {
               if (Status st = s->roles->Delete(c.account_id, c.Param(1), c.Actor()); !st.ok()) return st;
               return Reply::Json(200, json::object());
             }},
        });
}

}  // namespace gatehouse::api
