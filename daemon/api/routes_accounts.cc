// POST /v1/accounts (system), GET /v1/accounts/{id} (api.md §3.2).
#include "api/request.h"
#include "api/routes.h"

namespace gatehouse::api {
namespace {

json AccountJson(const Account& a) {
  return {
      {"id", a.id}, {"name", a.name}, {"ownerUserId", a.owner_user_id}, {"dateCreated", FormatRfc3339(a.created_at)}};
}

}  // namespace

void RegisterAccountRoutes(Router& server, const ApiServices& services) {
  server.Post("/v1/accounts", [&services](const httplib::Request& req, httplib::Response& res) {
    Guard(res, [&] {
      auto call = AuthorizeWithBody(services, req, res, "", /*account_scoped=*/false);
      if (!call) return;
      const Caller* caller = &call->caller;
      const json* body = &call->body;
      Status error;
      CreateAccountRequest request;
      request.id = OptString(*body, "id", "", &error).value_or("");
      request.name = OptString(*body, "name", "", &error).value_or("");
      request.owner_user_id = OptString(*body, "ownerUserId", "", &error).value_or("");
      if (!error.ok()) return WriteError(res, error);
      auto account = services.accounts->Create(request, caller->principal.Actor());
      if (!account.ok()) return WriteError(res, account.status());
      WriteJson(res, 201, AccountJson(*account));
    });
  });

  server.Get(R"(/v1/accounts/([^/]+))", [&services](const httplib::Request& req, httplib::Response& res) {
    Guard(res, [&] {
      const std::string id = req.matches[1];
      auto principal = services.keys->Authenticate(req.get_header_value("Authorization"));
      if (!principal.ok()) return WriteError(res, principal.status());
      if (!principal->system) {
        // An account key reads only its own account, named in the header too.
        auto caller = Authorize(services, req, res, "team.view");
        if (!caller) return;
        if (caller->account_id != id)
          return WriteError(res, PermissionDenied("this key may not act on the requested account"));
      }
      auto snap = services.snapshots->Load();
      const AccountView* view = snap->FindAccount(id);
      if (view == nullptr) return WriteError(res, NotFound("account not found"));
      WriteJson(res, 200, AccountJson(view->state->account()));
    });
  });
}

}  // namespace gatehouse::api
