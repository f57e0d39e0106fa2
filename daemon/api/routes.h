// Route registration, one function per area. Internal to api/.
#pragma once

#include <httplib.h>

#include "api/api_server.h"

namespace gatehouse::api {

void RegisterOpsRoutes(httplib::Server& server, const ApiServices& services);
void RegisterDecisionRoutes(httplib::Server& server, const ApiServices& services, const ApiOptions& options);
void RegisterAccountRoutes(httplib::Server& server, const ApiServices& services);
void RegisterTeamRoutes(httplib::Server& server, const ApiServices& services, const ApiOptions& options);
void RegisterDataRoutes(httplib::Server& server, const ApiServices& services);
void RegisterInviteRoutes(httplib::Server& server, const ApiServices& services);
void RegisterRoleRoutes(httplib::Server& server, const ApiServices& services);

}  // namespace gatehouse::api
