#include "api/openapi.h"
#include "api/route_kernel.h"
#include "api/routes.h"

namespace gatehouse::api {

void RegisterProbeRoutes(Router& server, const ApiServices& services) {
  const ApiServices* s = &services;
  Serve(server, services,
        {
            {"GET", "/healthz", Access::kOpen, "", false,
             [](Call&) -> Result<Reply> { return Reply::Text(200, "{\"status\":\"ok\"}", "application/json"); }},
            {"GET", "/metrics", Access::kOpen, "", false,
             [s](Call&) -> Result<Reply> {
               return Reply::Text(200, s->metrics != nullptr ? s->metrics->RenderPrometheus() : std::string(),
                                  "text/plain; version=0.0.4");
             }},
            {"GET", "/readyz", Access::kOpen, "", false,
             [s](Call& c) -> Result<Reply> {
               Status ready = s->readiness ? s->readiness() : Status::Ok();
               if (!ready.ok()) return Reply::Json(503, {{"status", "unavailable"}, {"reason", ready.message()}});
               json out = {{"status", "ready"}, {"revision", c.snapshot->revision()}};
               if (s->follower) {
                 // A node that cannot reach the shared log still answers reads from its last
                 // snapshot: it stays in rotation (200) and says how stale it may be.
                 const FollowerReport f = s->follower();
                 out["lagRevisions"] = f.lag();
                 if (!f.reachable) {
                   out["status"] = "degraded";
                   out["reason"] = "change log unreachable: " + f.error;
                   out["unreachableForMs"] = f.unreachable_ms;
                 }
               }
               return Reply::Json(200, out);
             }},
        });
}

void RegisterOpsRoutes(Router& server, const ApiServices& services) {
  RegisterProbeRoutes(server, services);
  const ApiServices* s = &services;
  Serve(
      server, services,
      {
          {"GET", "/openapi.json", Access::kOpen, "", false,
           [](Call&) -> Result<Reply> { return Reply::Text(200, std::string(OpenApiDocument()), "application/json"); }},
          {"POST", "/v1/admin/reload", Access::kSystem, "", false,
           [s](Call& c) -> Result<Reply> {
             if (!s->reload) return FailedPrecondition("reload is not available");
             const bool dry_run = c.Query("dryRun") == "true";
             if (Status st = s->reload(c.Query("force") == "true", dry_run); !st.ok()) return st;
             if (dry_run) return Reply::Json(200, {{"reloaded", false}, {"valid", true}});
             return Reply::Json(
                 200, {{"reloaded", true}, {"policyGeneration", s->snapshots->Load()->policy_set().generation()}});
           }},
          {"GET", "/v1/admin/status", Access::kSystem, "", false,
           [s](Call& c) -> Result<Reply> {
             AdminStatus st = s->admin_status ? s->admin_status() : AdminStatus{};
             json out = {{"revision", c.snapshot->revision()},
                         {"accounts", c.snapshot->AccountCount()},
                         {"policyGeneration", c.snapshot->policy_set().generation()},
                         {"policyFiles", c.snapshot->policy_set().files()},
                         {"lastReload", {{"ok", st.last_reload_ok}}},
                         {"plugins", st.plugins}};
             if (!st.last_reload_message.empty()) out["lastReload"]["message"] = st.last_reload_message;
             if (!st.last_reload_at.empty()) out["lastReload"]["at"] = st.last_reload_at;
             if (st.snapshots_supported) {
               out["history"] = {{"forgottenThrough", st.history_from},
                                 {"newestSnapshot", st.newest_snapshot},
                                 {"snapshots", st.snapshot_count}};
             }
             return Reply::Json(200, out);
           }},
          {"POST", "/v1/admin/compact", Access::kSystem, "", false,
           [s](Call&) -> Result<Reply> {
             if (!s->compact) return FailedPrecondition("compaction is not available");
             auto report = s->compact();
             if (!report.ok()) return report.status();
             json out = {{"ran", report->ran},
                         {"snapshotRevision", report->snapshot_revision},
                         {"snapshotBytes", report->snapshot_bytes},
                         {"snapshotMs", static_cast<std::int64_t>(report->snapshot_seconds * 1000)},
                         {"forgottenThrough", report->forgotten_through},
                         {"snapshotsKept", report->snapshots_kept},
                         {"snapshotsDropped", report->snapshots_dropped}};
             if (!report->skipped.empty()) out["skipped"] = report->skipped;
             return Reply::Json(200, out);
           }},
      });
}

}  // namespace gatehouse::api
