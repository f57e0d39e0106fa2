// The Wix-compatible Team API (api.md §2): Search Team, Remove Member, Update Team Member
// Assignments, Get Roles Info — each also under the legacy /roles-management-web prefix.
#include "api/route_kernel.h"
#include "api/routes.h"
#include "api/team_json.h"
#include "engine/role_listing.h"
#include "engine/team_search.h"

namespace gatehouse::api {
namespace {

// Each Team API route is served under both prefixes.
std::vector<Route> UnderBothPrefixes(std::vector<Route> routes) {
  std::vector<Route> out;
  for (const char* prefix : {"/roles-management", "/roles-management-web"}) {
    for (Route r : routes) {
      r.path = prefix + r.path;
      out.push_back(std::move(r));
    }
  }
  return out;
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

Result<Reply> SearchTeamRoute(const ApiOptions& options, Call& c) {
  auto request = ParseSearch(c.body, std::min<std::size_t>(1000, options.page_size_limit));
  if (!request.ok()) return request.status();
  const auto state = c.snapshot->FindState(c.account_id);
  if (state == nullptr) return NotFound("account not found");
  TeamSearchResult result = SearchTeam(*c.snapshot, *state, *request, c.now);
  json facets = json::array();
  for (const auto& f : result.facets) {
    json values = json::array();
    for (const auto& [value, count] : f.values) values.push_back({{"value", value}, {"count", count}});
    facets.push_back({{"facetType", FacetName(f.type)}, {"values", std::move(values)}});
  }
  json members = json::array();
  for (const auto& row : result.rows) {
    if (row.is_invite) {
      members.push_back({{"invite", InviteJson(*state, state->invites()[row.index], c.now)}});
    } else {
      members.push_back({{"user", UserJson(*c.snapshot, *state, state->subjects()[row.index], c.now)}});
    }
  }
  return Reply::Json(
      200, {{"facets", std::move(facets)},
            {"teamMembers", std::move(members)},
            {"pagingMetadata", {{"count", result.rows.size()}, {"offset", request->offset}, {"total", result.total}}}});
}

Result<Reply> UpdateAssignmentsRoute(const ApiServices& services, Call& c) {
  Status error;
  const std::string user_id = OptString(c.body, "userId", "", &error).value_or("");
  if (!error.ok()) return error;
  if (user_id.empty()) return FieldError("userId", "must not be empty", "REQUIRED_FIELD");
  auto adds = c.body.find("newAssignments");
  auto removes = c.body.find("assignmentIdsToRemove");
  if (adds == c.body.end() || !adds->is_array()) {
    return FieldError("newAssignments", "is required: a list (may be empty)", "REQUIRED_FIELD");
  }
  if (removes == c.body.end() || !removes->is_array()) {
    return FieldError("assignmentIdsToRemove", "is required: a list (may be empty)", "REQUIRED_FIELD");
  }
  if (adds->size() > 100 || removes->size() > 1000) {
    return FieldError("newAssignments", "at most 100 new and 1000 removed assignments per request", "MAX_SIZE");
  }
  std::vector<GrantRequest> grants;
  for (std::size_t i = 0; i < adds->size(); ++i) {
    auto g = ParseGrant((*adds)[i], "newAssignments[" + std::to_string(i) + "]");
    if (!g.ok()) return g.status();
    grants.push_back(std::move(*g));
  }
  std::vector<std::string> remove_ids;
  for (std::size_t i = 0; i < removes->size(); ++i) {
    if (!(*removes)[i].is_string())
      return FieldError("assignmentIdsToRemove[" + std::to_string(i) + "]", "must be a string");
    remove_ids.push_back((*removes)[i].get<std::string>());
  }
  auto created = services.assignments->UpdateMember(c.account_id, user_id, grants, remove_ids, c.Actor());
  if (!created.ok()) return created.status();
  auto after = services.snapshots->Load();
  const auto state = after->FindState(c.account_id);
  json out = json::array();
  for (const auto& a : *created) out.push_back(AssignmentJson(*state, a));
  return Reply::Json(200, {{"assignments", std::move(out)}});
}

Result<Reply> RolesInfoRoute(Call& c) {
  const std::string locale = c.http.has_param("locale") ? c.Query("locale") : "en";
  const std::string level = c.http.has_param("filter.roleLevel") ? c.Query("filter.roleLevel") : "ALL";
  RoleListingFilter filter;
  if (level == "SITE_LEVEL") {
    filter.level = RoleListingFilter::Level::kSiteLevel;
  } else if (level == "ACCOUNT_LEVEL") {
    filter.level = RoleListingFilter::Level::kAccountLevel;
  } else if (level != "ALL") {
    return FieldError("filter.roleLevel", "unknown value \"" + level + "\" (expected ALL, SITE_LEVEL, ACCOUNT_LEVEL)");
  }
  for (std::size_t i = 0; i < c.http.get_param_value_count("filter.editorTypes"); ++i) {
    filter.editor_types.push_back(c.http.get_param_value("filter.editorTypes", i));
  }
  const RoleListing roles = ListRoles(*c.snapshot, c.account_id, filter);
  json pre = json::array(), custom = json::array();
  for (const auto* role : roles.predefined) pre.push_back(RoleInfoJson(*role, locale));
  for (const auto* role : roles.custom) custom.push_back(RoleInfoJson(*role, locale));
  return Reply::Json(200, {{"predefinedRoles", std::move(pre)}, {"customRoles", std::move(custom)}});
}

}  // namespace

void RegisterTeamRoutes(Router& server, const ApiServices& services, const ApiOptions& options) {
  const ApiServices* s = &services;
  const ApiOptions* o = &options;
  Serve(server, services,
        UnderBothPrefixes({
            {"POST", "/v3/team/search", Access::kAccount, "team.view", true,
             [o](Call& c) { return SearchTeamRoute(*o, c); }},
            {"POST", "/team/remove", Access::kAccount, "team.delete-member", true,
             [s](Call& c) -> Result<Reply> {
               Status error;
               const std::string user_id = OptString(c.body, "userId", "", &error).value_or("");
               if (!error.ok()) return error;
               if (Status st = s->assignments->RemoveMember(c.account_id, user_id, c.Actor()); !st.ok()) return st;
               return Reply::Json(200, json::object());
             }},
            {"PATCH", "/v2/team/assignments", Access::kAccount, "team.manage-team-member-roles", true,
             [s](Call& c) { return UpdateAssignmentsRoute(*s, c); }},
            {"GET", "/roles", Access::kAccount, "roles.read", false, [](Call& c) { return RolesInfoRoute(c); }},
        }));
}

}  // namespace gatehouse::api
