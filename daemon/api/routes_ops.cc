#include "api/request.h"
#include "api/routes.h"

namespace gatehouse::api {

void RegisterOpsRoutes(httplib::Server& server, const ApiServices& services) {
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

}  // namespace gatehouse::api
