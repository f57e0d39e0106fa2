// Route registration, one function per area. Internal to api/.
#pragma once

#include <httplib.h>

#include "api/api_server.h"
#include "api/router.h"

namespace gatehouse::api {

// /healthz, /readyz, /metrics: on the API listener and on the ops listener.
void RegisterProbeRoutes(Router& server, const ApiServices& services);
// The probes plus /openapi.json and /v1/admin/*.
void RegisterOpsRoutes(Router& server, const ApiServices& services);
void RegisterDecisionRoutes(Router& server, const ApiServices& services, const ApiOptions& options);
void RegisterAccountRoutes(Router& server, const ApiServices& services);
void RegisterTeamRoutes(Router& server, const ApiServices& services, const ApiOptions& options);
void RegisterDataRoutes(Router& server, const ApiServices& services);
void RegisterInviteRoutes(Router& server, const ApiServices& services);
void RegisterRoleRoutes(Router& server, const ApiServices& services);
void RegisterAuditRoutes(Router& server, const ApiServices& services);
// GET /v1/admin/export, POST /v1/admin/import.
void RegisterTransferRoutes(Router& server, const ApiServices& services, const ApiOptions& options);

}  // namespace gatehouse::api
