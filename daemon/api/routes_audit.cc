// The change feed (GET /v1/changes): an account's committed changes in revision order,
// read from the change log, with long-polling.
#include "api/route_kernel.h"
#include "api/routes.h"

namespace gatehouse::api {
namespace {

// A query parameter as a whole number in [min, max]; `fallback` when absent.
Result<std::uint64_t> QueryNumber(const Call& c, const char* name, std::uint64_t fallback, std::uint64_t min,
                                  std::uint64_t max) {
  if (!c.http.has_param(name)) return fallback;
  const std::string v = c.Query(name);
  if (v.empty() || v.size() > 19 || v.find_first_not_of("0123456789") != std::string::npos) {
    return FieldError(name, "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max));
  }
  const std::uint64_t n = std::stoull(v);
  if (n < min || n > max) {
    return FieldError(name, "must be from " + std::to_string(min) + " to " + std::to_string(max), "OUT_OF_RANGE");
  }
  return n;
}

// The feed never carries secrets, not even their hashes: only ids.
void StripSecrets(json& j) {
  if (j.is_object()) {
    j.erase("tokenHash");
    j.erase("keyHash");
    for (auto& [key, value] : j.items()) StripSecrets(value);
  } else if (j.is_array()) {
    for (auto& item : j) StripSecrets(item);
  }
}

json ChangeJson(const ChangeRecord& r) {
  json data = json::parse(r.payload, nullptr, false);
  if (data.is_discarded()) data = json::object();
  StripSecrets(data);
  return {{"revision", r.revision},    {"type", r.type},         {"accountId", r.account_id}, {"actor", r.actor},
          {"at", FormatRfc3339(r.at)}, {"data", std::move(data)}};
}

}  // namespace

void RegisterAuditRoutes(Router& server, const ApiServices& services) {
  const ApiServices* s = &services;
  Serve(server, services,
        {
            {"GET", "/v1/changes", Access::kAccount, "audit.read", false,
             [s](Call& c) -> Result<Reply> {
               if (s->feed == nullptr) return FailedPrecondition("the change feed is not available");
               auto since = QueryNumber(c, "since", 0, 0, std::numeric_limits<std::int64_t>::max());
               if (!since.ok()) return since.status();
               auto limit = QueryNumber(c, "limit", 100, 1, 1000);
               if (!limit.ok()) return limit.status();
               auto wait = QueryNumber(c, "wait", 0, 0, 60);
               if (!wait.ok()) return wait.status();
               auto page = s->feed->Read(c.account_id, *since, *limit, std::chrono::seconds(*wait));
               if (!page.ok()) return page.status();
               json changes = json::array();
               for (const auto& r : page->changes) changes.push_back(ChangeJson(r));
               return Reply::Json(
                   200, {{"changes", std::move(changes)}, {"nextSince", page->next_since}, {"head", page->head}});
             }},
        });
}

}  // namespace gatehouse::api
