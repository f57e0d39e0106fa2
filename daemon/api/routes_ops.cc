#include "api/openapi.h"
#include "api/request.h"
#include "api/routes.h"

namespace gatehouse::api {

void RegisterProbeRoutes(Router& server, const ApiServices& services) {
  server.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{\"status\":\"ok\"}", "application/json");
  });
  server.Get("/metrics", [&services](const httplib::Request&, httplib::Response& res) {
    const std::string text = services.metrics != nullptr ? services.metrics->RenderPrometheus() : std::string();
    res.set_content(text, "text/plain; version=0.0.4");
  });
  server.Get("/readyz", [&services](const httplib::Request&, httplib::Response& res) {
    Status ready = services.readiness ? services.readiness() : Status::Ok();
    if (!ready.ok()) {
      WriteJson(res, 503, {{"status", "unavailable"}, {"reason", ready.message()}});
      return;
    }
    WriteJson(res, 200, {{"status", "ready"}, {"revision", services.snapshots->Load()->revision()}});
  });
}

void RegisterOpsRoutes(Router& server, const ApiServices& services) {
  RegisterProbeRoutes(server, services);
  server.Get("/openapi.json", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(OpenApiDocument()), "application/json");
  });
  server.Post("/v1/admin/reload", [&services](const httplib::Request& req, httplib::Response& res) {
    Guard(res, [&] {
      auto caller = Authorize(services, req, res, "", /*account_scoped=*/false);
      if (!caller) return;
      if (!services.reload) return WriteError(res, FailedPrecondition("reload is not available"));
      const bool force = req.get_param_value("force") == "true";
      Status st = services.reload(force);
      if (!st.ok()) return WriteError(res, st);
      WriteJson(res, 200,
                {{"reloaded", true}, {"policyGeneration", services.snapshots->Load()->policy_set().generation()}});
    });
  });
  server.Get("/v1/admin/status", [&services](const httplib::Request& req, httplib::Response& res) {
    Guard(res, [&] {
      auto caller = Authorize(services, req, res, "", /*account_scoped=*/false);
      if (!caller) return;
      AdminStatus st = services.admin_status ? services.admin_status() : AdminStatus{};
      auto snap = services.snapshots->Load();
      json out = {{"revision", snap->revision()},
                  {"accounts", snap->AccountCount()},
                  {"policyGeneration", snap->policy_set().generation()},
                  {"policyFiles", snap->policy_set().files()},
                  {"lastReload", {{"ok", st.last_reload_ok}}},
                  {"plugins", st.plugins}};
      if (!st.last_reload_message.empty()) out["lastReload"]["message"] = st.last_reload_message;
      if (!st.last_reload_at.empty()) out["lastReload"]["at"] = st.last_reload_at;
      WriteJson(res, 200, out);
    });
  });
}

}  // namespace gatehouse::api
