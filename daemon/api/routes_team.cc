// The Wix-compatible Team API (api.md §2): Search Team, Remove Member, Update Team Member
// Assignments, Get Roles Info — each also under the legacy /roles-management-web prefix.
#include "api/request.h"
#include "api/routes.h"
#include "api/team_json.h"
#include "engine/team_search.h"

namespace gatehouse::api {
namespace {

using Handler = Router::Handler;

void Both(Router& server, const std::string& method, const std::string& suffix, const Handler& handler) {
  for (const char* prefix : {"/roles-management", "/roles-management-web"}) {
    const std::string path = prefix + suffix;
    if (method == "GET") server.Get(path, handler);
    if (method == "POST") server.Post(path, handler);
    if (method == "PATCH") server.Patch(path, handler);
  }
}

Result<TeamSearchRequest> ParseSearch(const json& body, std::size_t max_limit) {
  TeamSearchRequest r;
  Status error;
  r.query = OptString(body, "query", "", &error).value_or("");
  if (!error.ok()) return error;
  if (auto f = body.find("filter"); f != body.end() && !f->is_null()) {
    auto filter = ParseTeamFilter(*f);
    if (!filter.ok()) return filter.status();
    r.filter = std::move(*filter);
  }
  if (auto o = body.find("orderBy"); o != body.end() && !o->is_null()) {
    if (!o->is_array()) return FieldError("orderBy", "expected a list of {fieldName, direction}");
    for (std::size_t i = 0; i < o->size(); ++i) {
      const json& item = (*o)[i];
      const std::string at = "orderBy[" + std::to_string(i) + "]";
      if (!item.is_object()) return FieldError(at, "expected {fieldName, direction}");
      TeamSearchRequest::Order order;
      const std::string field = item.value("fieldName", "Name");
      if (field == "JoinedAt")
        order.by_joined = true;
      else if (field != "Name")
        return FieldError(at + ".fieldName", "unknown value \"" + field + "\" (expected Name or JoinedAt)");
      const std::string dir = item.value("direction", "ASC");
      if (dir == "DESC")
        order.descending = true;
      else if (dir != "ASC")
        return FieldError(at + ".direction", "unknown value \"" + dir + "\" (expected ASC or DESC)");
      r.order.push_back(order);
    }
  }
  if (auto f = body.find("facets"); f != body.end() && !f->is_null()) {
    if (!f->is_array()) return FieldError("facets", "expected a list of Roles, InviteStatus, Users");
    for (std::size_t i = 0; i < f->size(); ++i) {
      const json& item = (*f)[i];
      const std::string name = item.is_string()   ? item.get<std::string>()
                               : item.is_object() ? item.value("facetType", std::string())
                                                  : "";
      if (name == "Roles")
        r.facets.push_back(TeamSearchRequest::Facet::kRoles);
      else if (name == "InviteStatus")
        r.facets.push_back(TeamSearchRequest::Facet::kInviteStatus);
      else if (name == "Users")
        r.facets.push_back(TeamSearchRequest::Facet::kUsers);
      else
        return FieldError("facets[" + std::to_string(i) + "]",
                          "unknown facet \"" + name + "\" (expected Roles, InviteStatus, Users)");
    }
  }
  if (auto p = body.find("paging"); p != body.end() && !p->is_null()) {
    if (!p->is_object()) return FieldError("paging", "expected {limit, offset}");
    auto limit = OptInt(*p, "limit", "paging", &error);
    auto offset = OptInt(*p, "offset", "paging", &error);
    if (!error.ok()) return error;
    if (limit) {
      if (*limit < 0 || static_cast<std::size_t>(*limit) > max_limit) {
        return FieldError("paging.limit", "must be from 0 to " + std::to_string(max_limit), "OUT_OF_RANGE");
      }
      r.limit = static_cast<std::size_t>(*limit);
    }
    if (offset) {
      if (*offset < 0) return FieldError("paging.offset", "must not be negative", "OUT_OF_RANGE");
      r.offset = static_cast<std::size_t>(*offset);
    }
  }
  return r;
}

std::string_view FacetName(TeamSearchRequest::Facet f) {
  switch (f) {
    case TeamSearchRequest::Facet::kRoles:
      return "Roles";
    case TeamSearchRequest::Facet::kInviteStatus:
      return "InviteStatus";
    case TeamSearchRequest::Facet::kUsers:
      return "Users";
  }
  return "";
}

json RoleInfoJson(const CompiledRole& role, const std::string& locale) {
  return {{"id", role.decl.id},
          {"title", Localize(role.decl.title, locale)},
          {"description", Localize(role.decl.description, locale)},
          {"restrictFromLevel", RestrictFromLevelName(role.decl.restrict_from_level)}};
}

}  // namespace

void RegisterTeamRoutes(Router& server, const ApiServices& services, const ApiOptions& options) {
  Both(server, "POST", "/v3/team/search", [&services, &options](const httplib::Request& req, httplib::Response& res) {
    Guard(res, [&] {
      auto call = AuthorizeWithBody(services, req, res, "team.view");
      if (!call) return;
      const Caller* caller = &call->caller;
      const json* body = &call->body;
      auto request = ParseSearch(*body, std::min<std::size_t>(1000, options.page_size_limit));
      if (!request.ok()) return WriteError(res, request.status());
      auto snap = services.snapshots->Load();
      const AccountView* view = snap->FindAccount(caller->account_id);
      if (view == nullptr) return WriteError(res, NotFound("account not found"));
      const Timestamp now = services.clock->Now();
      TeamSearchResult result = SearchTeam(*snap, *view->state, *request, now);
      json facets = json::array();
      for (const auto& f : result.facets) {
        json values = json::array();
        for (const auto& [value, count] : f.values) values.push_back({{"value", value}, {"count", count}});
        facets.push_back({{"facetType", FacetName(f.type)}, {"values", std::move(values)}});
      }
      json members = json::array();
      for (const auto& row : result.rows) {
        if (row.is_invite) {
          members.push_back({{"invite", InviteJson(*view->state, view->state->invites()[row.index], now)}});
        } else {
          members.push_back({{"user", UserJson(*snap, *view->state, view->state->subjects()[row.index], now)}});
        }
      }
      WriteJson(
          res, 200,
          {{"facets", std::move(facets)},
           {"teamMembers", std::move(members)},
           {"pagingMetadata", {{"count", result.rows.size()}, {"offset", request->offset}, {"total", result.total}}}});
    });
  });

  Both(server, "POST", "/team/remove", [&services](const httplib::Request& req, httplib::Response& res) {
    Guard(res, [&] {
      auto call = AuthorizeWithBody(services, req, res, "team.delete-member");
      if (!call) return;
      const Caller* caller = &call->caller;
      const json* body = &call->body;
      Status error;
      const std::string user_id = OptString(*body, "userId", "", &error).value_or("");
      if (!error.ok()) return WriteError(res, error);
      Status st = services.assignments->RemoveMember(caller->account_id, user_id, caller->principal.Actor());
      if (!st.ok()) return WriteError(res, st);
      WriteJson(res, 200, json::object());
    });
  });

  Both(server, "PATCH", "/v2/team/assignments", [&services](const httplib::Request& req, httplib::Response& res) {
    Guard(res, [&] {
      auto call = AuthorizeWithBody(services, req, res, "team.manage-team-member-roles");
      if (!call) return;
      const Caller* caller = &call->caller;
      const json* body = &call->body;
      Status error;
      const std::string user_id = OptString(*body, "userId", "", &error).value_or("");
      if (!error.ok()) return WriteError(res, error);
      if (user_id.empty()) return WriteError(res, FieldError("userId", "must not be empty", "REQUIRED_FIELD"));
      auto adds = body->find("newAssignments");
      auto removes = body->find("assignmentIdsToRemove");
      if (adds == body->end() || !adds->is_array()) {
        return WriteError(res, FieldError("newAssignments", "is required: a list (may be empty)", "REQUIRED_FIELD"));
      }
      if (removes == body->end() || !removes->is_array()) {
        return WriteError(res,
                          FieldError("assignmentIdsToRemove", "is required: a list (may be empty)", "REQUIRED_FIELD"));
      }
      if (adds->size() > 100 || removes->size() > 1000) {
        return WriteError(
            res, FieldError("newAssignments", "at most 100 new and 1000 removed assignments per request", "MAX_SIZE"));
      }
      std::vector<GrantRequest> grants;
      for (std::size_t i = 0; i < adds->size(); ++i) {
        auto g = ParseGrant((*adds)[i], "newAssignments[" + std::to_string(i) + "]");
        if (!g.ok()) return WriteError(res, g.status());
        grants.push_back(std::move(*g));
      }
      std::vector<std::string> remove_ids;
      for (std::size_t i = 0; i < removes->size(); ++i) {
        if (!(*removes)[i].is_string()) {
          return WriteError(res, FieldError("assignmentIdsToRemove[" + std::to_string(i) + "]", "must be a string"));
        }
        remove_ids.push_back((*removes)[i].get<std::string>());
      }
      auto created = services.assignments->UpdateMember(caller->account_id, user_id, grants, remove_ids,
                                                        caller->principal.Actor());
      if (!created.ok()) return WriteError(res, created.status());
      auto snap = services.snapshots->Load();
      const AccountView* view = snap->FindAccount(caller->account_id);
      json out = json::array();
      for (const auto& a : *created) out.push_back(AssignmentJson(*view->state, a));
      WriteJson(res, 200, {{"assignments", std::move(out)}});
    });
  });

  Both(server, "GET", "/roles", [&services](const httplib::Request& req, httplib::Response& res) {
    Guard(res, [&] {
      auto caller = Authorize(services, req, res, "roles.read");
      if (!caller) return;
      const std::string locale = req.has_param("locale") ? req.get_param_value("locale") : "en";
      const std::string level = req.has_param("filter.roleLevel") ? req.get_param_value("filter.roleLevel") : "ALL";
      if (level != "ALL" && level != "SITE_LEVEL" && level != "ACCOUNT_LEVEL") {
        return WriteError(res, FieldError("filter.roleLevel",
                                          "unknown value \"" + level + "\" (expected ALL, SITE_LEVEL, ACCOUNT_LEVEL)"));
      }
      std::vector<std::string> editor_types;
      for (std::size_t i = 0; i < req.get_param_value_count("filter.editorTypes"); ++i) {
        editor_types.push_back(req.get_param_value("filter.editorTypes", i));
      }
      auto keep = [&](const CompiledRole& role) {
        const auto rfl = role.decl.restrict_from_level;
        if (level == "SITE_LEVEL" && rfl == RestrictFromLevel::kSite) return false;
        if (level == "ACCOUNT_LEVEL" && rfl == RestrictFromLevel::kAccount) return false;
        if (!editor_types.empty() && !role.decl.editor_types.empty()) {
          return std::any_of(role.decl.editor_types.begin(), role.decl.editor_types.end(), [&](const std::string& t) {
            return std::find(editor_types.begin(), editor_types.end(), t) != editor_types.end();
          });
        }
        return true;
      };
      auto snap = services.snapshots->Load();
      std::vector<const CompiledRole*> predefined;
      for (const auto& role : snap->policy_set().predefined_roles()) predefined.push_back(&role);
      std::sort(predefined.begin(), predefined.end(),
                [](const CompiledRole* a, const CompiledRole* b) { return a->decl.id < b->decl.id; });
      json pre = json::array(), custom = json::array();
      for (const auto* role : predefined) {
        if (keep(*role)) pre.push_back(RoleInfoJson(*role, locale));
      }
      std::vector<const CompiledRole*> customs = snap->policy_set().FileCustomRoles(caller->account_id);
      if (const AccountView* view = snap->FindAccount(caller->account_id); view != nullptr && view->custom_roles) {
        for (const auto& role : *view->custom_roles) customs.push_back(&role);
      }
      std::sort(customs.begin(), customs.end(),
                [](const CompiledRole* a, const CompiledRole* b) { return a->decl.id < b->decl.id; });
      for (const auto* role : customs) {
        if (keep(*role)) custom.push_back(RoleInfoJson(*role, locale));
      }
      WriteJson(res, 200, {{"predefinedRoles", std::move(pre)}, {"customRoles", std::move(custom)}});
    });
  });
}

}  // namespace gatehouse::api
