// Account invites: the Wix Create Invite call (api.md §2.6) and the /v1 lifecycle (§3.3).
#include "api/request.h"
#include "api/routes.h"
#include "api/team_json.h"

namespace gatehouse::api {
namespace {

std::string AcceptLink(const ApiServices& services, const std::string& token) {
  if (token.empty()) return {};
  const char sep = services.accept_base_url.find('?') == std::string::npos ? '?' : '&';
  return services.accept_base_url + sep + "token=" + token;
}

// One subjectsAssignments entry → InviteEntry; a malformed entry is a per-entry failure.
Result<InviteEntry> ParseEntry(const json& e, const std::string& account_id) {
  InviteEntry out;
  if (!e.is_object()) return InvalidArgument("entry must be an object");
  out.email = e.value("subjectEmail", std::string());
  auto roles = e.find("assignments");
  if (roles == e.end() || !roles->is_array() || roles->empty()) return InvalidArgument("no role to invite to");
  for (const auto& role : *roles) {
    if (!role.is_object() || !role.contains("policyId") || !role["policyId"].is_string()) {
      return InvalidArgument("each assignment needs a policyId");
    }
    const std::string policy = role["policyId"].get<std::string>();
    auto resources = role.find("assignments");
    if (resources == role.end() || resources->is_null() || (resources->is_array() && resources->empty())) {
      out.grants.push_back(GrantRequest{policy, {}, {}, {}});
      continue;
    }
    if (!resources->is_array()) return InvalidArgument("invalid resource: assignments must be a list");
    for (const auto& r : *resources) {
      const json* full = r.is_object() && r.contains("fullNameResource") ? &r["fullNameResource"] : nullptr;
      if (full == nullptr || !full->is_object()) return InvalidArgument("invalid resource: missing fullNameResource");
      if (full->contains("siteContext")) {
        const json& site = (*full)["siteContext"];
        if (!site.is_object() || !site.contains("metasiteId") || !site["metasiteId"].is_string()) {
          return InvalidArgument("invalid resource: siteContext needs a metasiteId");
        }
        out.grants.push_back(GrantRequest{
            policy, Restriction{Restriction::Kind::kSite, {site["metasiteId"].get<std::string>()}}, {}, {}});
      } else if (full->contains("accountContext")) {
        const json& acct = (*full)["accountContext"];
        if (!acct.is_object() || acct.value("accountId", std::string()) != account_id) {
          return InvalidArgument("invalid resource: accountContext must name this account");
        }
        out.grants.push_back(GrantRequest{policy, {}, {}, {}});
      } else {
        return InvalidArgument("invalid resource: expected siteContext or accountContext");
      }
    }
  }
  return out;
}

}  // namespace

void RegisterInviteRoutes(Router& server, const ApiServices& services) {
  const Router::Handler create = [&services](const httplib::Request& req, httplib::Response& res) {
    Guard(res, [&] {
      auto call = AuthorizeWithBody(services, req, res, "team.send-invite");
      if (!call) return;
      const Caller* caller = &call->caller;
      const json* body = &call->body;
      auto list = body->find("subjectsAssignments");
      if (list == body->end() || !list->is_array() || list->empty() || list->size() > 50) {
        return WriteError(res, FieldError("subjectsAssignments", "must hold 1 to 50 entries", "REQUIRED_FIELD"));
      }
      std::vector<InviteEntry> entries;
      json failed = json::array();
      for (const auto& e : *list) {
        auto entry = ParseEntry(e, caller->account_id);
        if (!entry.ok()) {
          failed.push_back({{"subjectEmail", e.is_object() ? e.value("subjectEmail", std::string()) : ""},
                            {"errorMessage", entry.status().message()}});
          continue;
        }
        entries.push_back(std::move(*entry));
      }
      json successful = json::array();
      if (!entries.empty()) {
        auto result = services.invites->Create(caller->account_id, entries, caller->principal.Actor(),
                                               caller->principal.system ? "" : caller->principal.subject.id);
        if (!result.ok()) return WriteError(res, result.status());
        auto snap = services.snapshots->Load();
        const AccountState& state = *snap->FindAccount(caller->account_id)->state;
        const Timestamp now = services.clock->Now();
        for (const auto& c : result->created) {
          json inv = AccountInviteJson(state, c.invite, now, AcceptLink(services, c.token));
          if (caller->principal.system) inv["inviterAccountId"] = caller->account_id;
          successful.push_back(std::move(inv));
        }
        for (const auto& [email, why] : result->failed)
          failed.push_back({{"subjectEmail", email}, {"errorMessage", why}});
      }
      WriteJson(res, 200, {{"successfulInvites", std::move(successful)}, {"failedInvites", std::move(failed)}});
    });
  };
  server.Post("/invites/account-invite/create", create);
  // Wix's generated SDK, pointed at a host that is not Wix's, sends its bare proto path.
  server.Post("/account-invite/create", create);

  server.Get(R"(/v1/invites/([^/]+))", [&services](const httplib::Request& req, httplib::Response& res) {
    Guard(res, [&] {
      auto caller = Authorize(services, req, res, "team.view-invites");
      if (!caller) return;
      auto snap = services.snapshots->Load();
      const AccountView* view = snap->FindAccount(caller->account_id);
      const Invite* inv = view == nullptr ? nullptr : view->state->FindInvite(std::string(req.matches[1]));
      if (inv == nullptr) return WriteError(res, NotFound("invite not found"));
      WriteJson(res, 200, AccountInviteJson(*view->state, *inv, services.clock->Now()));
    });
  });

  auto lifecycle = [&services](const char* permission, bool resend) {
    return [&services, permission, resend](const httplib::Request& req, httplib::Response& res) {
      Guard(res, [&] {
        auto caller = Authorize(services, req, res, permission);
        if (!caller) return;
        const std::string id = req.matches[1];
        Invite invite;
        std::string token;
        if (resend) {
          auto r = services.invites->Resend(caller->account_id, id, caller->principal.Actor());
          if (!r.ok()) return WriteError(res, r.status());
          invite = r->invite;
          token = r->token;
        } else {
          auto r = services.invites->Revoke(caller->account_id, id, caller->principal.Actor());
          if (!r.ok()) return WriteError(res, r.status());
          invite = *r;
        }
        auto snap = services.snapshots->Load();
        WriteJson(res, 200,
                  AccountInviteJson(*snap->FindAccount(caller->account_id)->state, invite, services.clock->Now(),
                                    AcceptLink(services, token)));
      });
    };
  };
  server.Post(R"(/v1/invites/([^/]+)/revoke)", lifecycle("team.delete-invite", false));
  server.Post(R"(/v1/invites/([^/]+)/resend)", lifecycle("team.send-invite", true));

  // The token is the credential: no API key.
  server.Post("/v1/invites/accept", [&services](const httplib::Request& req, httplib::Response& res) {
    Guard(res, [&] {
      auto body = ParseBody(req, res);
      if (!body) return;
      Status error;
      const std::string token = OptString(*body, "token", "", &error).value_or("");
      const std::string user_id = OptString(*body, "userId", "", &error).value_or("");
      if (!error.ok()) return WriteError(res, error);
      if (token.empty()) return WriteError(res, FieldError("token", "must not be empty", "REQUIRED_FIELD"));
      auto accepted = services.invites->Accept(token, user_id);
      if (!accepted.ok()) return WriteError(res, accepted.status());
      auto snap = services.snapshots->Load();
      const AccountState& state = *snap->FindAccount(accepted->invite.account_id)->state;
      json assignments = json::array();
      for (const auto& a : accepted->assignments) assignments.push_back(AssignmentJson(state, a));
      WriteJson(res, 200,
                {{"invite", AccountInviteJson(state, accepted->invite, services.clock->Now())},
                 {"assignments", std::move(assignments)}});
    });
  });
  server.Post("/v1/invites/decline", [&services](const httplib::Request& req, httplib::Response& res) {
    Guard(res, [&] {
      auto body = ParseBody(req, res);
      if (!body) return;
      Status error;
      const std::string token = OptString(*body, "token", "", &error).value_or("");
      if (!error.ok()) return WriteError(res, error);
      if (token.empty()) return WriteError(res, FieldError("token", "must not be empty", "REQUIRED_FIELD"));
      auto declined = services.invites->Decline(token);
      if (!declined.ok()) return WriteError(res, declined.status());
      auto snap = services.snapshots->Load();
      WriteJson(res, 200,
                {{"invite", AccountInviteJson(*snap->FindAccount(declined->account_id)->state, *declined,
                                              services.clock->Now())}});
    });
  });
}

}  // namespace gatehouse::api
