// POST /v1/accounts (system), GET /v1/accounts/{id} (api.md §3.2).
#include "api/route_kernel.h"
#include "api/routes.h"

namespace gatehouse::api {
namespace {

json AccountJson(const Account& a) {
  return {
      {"id", a.id}, {"name", a.name}, {"ownerUserId", a.owner_user_id}, {"dateCreated", FormatRfc3339(a.created_at)}};
}

}  // namespace

void RegisterAccountRoutes(Router& server, const ApiServices& services) {
  Serve(server, services,
        {
            {"POST", "/v1/accounts", Access::kSystem, "", true,
             [&services](Call& c) -> Result<Reply> {
               Status error;
               CreateAccountRequest request;
               request.id = OptString(c.body, "id", "", &error).value_or("");
               request.name = OptString(c.body, "name", "", &error).value_or("");
               request.owner_user_id = OptString(c.body, "ownerUserId", "", &error).value_or("");
               if (!error.ok()) return error;
               auto account = services.accounts->Create(request, c.Actor());
               if (!account.ok()) return account.status();
               return Reply::Json(201, AccountJson(*account));
             }},
            // The system key reads any account; an account key only its own, named in the header too.
            {"GET", R"(/v1/accounts/([^/]+))", Access::kSystemOrAccount, "team.view", false,
             [](Call& c) -> Result<Reply> {
               const std::string id = c.Param(1);
               if (!c.principal.system && c.account_id != id) {
                 return PermissionDenied("this key may not act on the requested account");
               }
               const AccountView* view = c.snapshot->FindAccount(id);
               if (view == nullptr) return NotFound("account not found");
               return Reply::Json(200, AccountJson(view->State()->account()));
             }},
        });
}

}  // namespace gatehouse::api
