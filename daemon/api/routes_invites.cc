// Account invites: the Wix Create Invite call (api.md §2.6) and the /v1 lifecycle (§3.3).
#include "api/route_kernel.h"
#include "api/routes.h"
#include "api/team_json.h"

namespace gatehouse::api {
namespace {

std::string AcceptLink(const ApiServices& services, const std::string& token) {
  if (token.empty()) return {};
  return services.accept_links != nullptr ? services.accept_links->LinkFor(token) : std::string();
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

// subjectsAssignments → per-entry failures and the entries to create.
static Result<Reply> CreateInvites(const ApiServices& services, Call& c) {
  auto list = c.body.find("subjectsAssignments");
  if (list == c.body.end() || !list->is_array() || list->empty() || list->size() > 50) {
    return FieldError("subjectsAssignments", "must hold 1 to 50 entries", "REQUIRED_FIELD");
  }
  std::vector<InviteEntry> entries;
  json failed = json::array();
  for (const auto& e : *list) {
    auto entry = ParseEntry(e, c.account_id);
    if (!entry.ok()) {
      failed.push_back({{"subjectEmail", e.is_object() ? e.value("subjectEmail", std::string()) : ""},
                        {"errorMessage", entry.status().message()}});
      continue;
    }
    entries.push_back(std::move(*entry));
  }
  json successful = json::array();
  if (!entries.empty()) {
    auto result =
        services.invites->Create(c.account_id, entries, c.Actor(), c.principal.system ? "" : c.principal.subject.id);
    if (!result.ok()) return result.status();
    auto after = services.snapshots->Load();
    const auto held = after->FindState(c.account_id);
    const AccountState& state = *held;
    for (const auto& created : result->created) {
      json inv = AccountInviteJson(state, created.invite, c.now, AcceptLink(services, created.token));
      if (c.principal.system) inv["inviterAccountId"] = c.account_id;
      successful.push_back(std::move(inv));
    }
    for (const auto& [email, why] : result->failed) failed.push_back({{"subjectEmail", email}, {"errorMessage", why}});
  }
  return Reply::Json(200, {{"successfulInvites", std::move(successful)}, {"failedInvites", std::move(failed)}});
}

static Result<std::string> RequiredToken(const json& body) {
  Status error;
  const std::string token = OptString(body, "token", "", &error).value_or("");
  if (!error.ok()) return error;
  if (token.empty()) return FieldError("token", "must not be empty", "REQUIRED_FIELD");
  return token;
}

void RegisterInviteRoutes(Router& server, const ApiServices& services) {
  const ApiServices* s = &services;
  auto create = [s](Call& c) { return CreateInvites(*s, c); };
  auto lifecycle = [s](bool resend) {
    return [s, resend](Call& c) -> Result<Reply> {
      Invite invite;
      std::string token;
      if (resend) {
        auto r = s->invites->Resend(c.account_id, c.Param(1), c.Actor());
        if (!r.ok()) return r.status();
        invite = r->invite;
        token = r->token;
      } else {
        auto r = s->invites->Revoke(c.account_id, c.Param(1), c.Actor());
        if (!r.ok()) return r.status();
        invite = *r;
      }
      auto after = s->snapshots->Load();
      return Reply::Json(200, AccountInviteJson(*after->FindState(c.account_id), invite, c.now, AcceptLink(*s, token)));
    };
  };
  Serve(server, services,
        {
            {"POST", "/invites/account-invite/create", Access::kAccount, "team.send-invite", true, create},
            // Wix's generated SDK, pointed at a host that is not Wix's, sends its bare proto path.
            {"POST", "/account-invite/create", Access::kAccount, "team.send-invite", true, create},
            {"GET", R"(/v1/invites/([^/]+))", Access::kAccount, "team.view-invites", false,
             [](Call& c) -> Result<Reply> {
               const auto state = c.snapshot->FindState(c.account_id);
               const Invite* inv = state == nullptr ? nullptr : state->FindInvite(c.Param(1));
               if (inv == nullptr) return NotFound("invite not found");
               return Reply::Json(200, AccountInviteJson(*state, *inv, c.now));
             }},
            {"POST", R"(/v1/invites/([^/]+)/revoke)", Access::kAccount, "team.delete-invite", false, lifecycle(false)},
            {"POST", R"(/v1/invites/([^/]+)/resend)", Access::kAccount, "team.send-invite", false, lifecycle(true)},
            // The token is the credential: no API key.
            {"POST", "/v1/invites/accept", Access::kOpen, "", true,
             [s](Call& c) -> Result<Reply> {
               auto token = RequiredToken(c.body);
               if (!token.ok()) return token.status();
               Status error;
               const std::string user_id = OptString(c.body, "userId", "", &error).value_or("");
               if (!error.ok()) return error;
               auto accepted = s->invites->Accept(*token, user_id);
               if (!accepted.ok()) return accepted.status();
               auto after = s->snapshots->Load();
               const auto held = after->FindState(accepted->invite.account_id);
               const AccountState& state = *held;
               json assignments = json::array();
               for (const auto& a : accepted->assignments) assignments.push_back(AssignmentJson(state, a));
               return Reply::Json(200, {{"invite", AccountInviteJson(state, accepted->invite, c.now)},
                                        {"assignments", std::move(assignments)}});
             }},
            {"POST", "/v1/invites/decline", Access::kOpen, "", true,
             [s](Call& c) -> Result<Reply> {
               auto token = RequiredToken(c.body);
               if (!token.ok()) return token.status();
               auto declined = s->invites->Decline(*token);
               if (!declined.ok()) return declined.status();
               auto after = s->snapshots->Load();
               return Reply::Json(
                   200, {{"invite", AccountInviteJson(*after->FindState(declined->account_id), *declined, c.now)}});
             }},
        });
}

}  // namespace gatehouse::api
