// ApiServer: the HTTP surface (api.md) on cpp-httplib. Routes only parse, call a service
// and render; every decision or write happens in engine/ or team/.
//
// Every request except the open ones (/healthz, /readyz, /metrics, /openapi.json, invite
// accept/decline) is authenticated with an API key; account-scoped requests name their
// account in `wix-account-id` (or `x-account-id`) and are authorized through the engine.
//
// Threading: cpp-httplib serves each keep-alive connection on one worker for as long as
// it lives, so the pool is sized for connections (ApiOptions::worker_threads), and
// TCP_NODELAY is on. Start() binds and serves on a background thread; Stop() stops
// accepting, lets in-flight requests finish, and joins.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "api/key_auth.h"
#include "api/rate_limiter.h"
#include "core/metrics.h"
#include "core/status.h"
#include "core/time.h"
#include "engine/snapshot.h"
#include "team/account_service.h"
#include "team/assignment_service.h"
#include "team/directory_service.h"
#include "team/invite_service.h"
#include "team/role_service.h"

namespace httplib {
class Server;
}

namespace gatehouse {

struct ApiOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0 = pick a free port
  std::size_t max_body_bytes = 1048576;
  std::size_t worker_threads = 64;
  std::size_t batch_check_limit = 1000;
  std::size_t page_size_limit = 1000;
  std::string tls_cert, tls_key;
  // Called after every request with its method, path (no query, no headers: keys never
  // reach it) and status; the daemon logs it at debug level (SIGUSR1). Optional.
  std::function<void(const std::string& method, const std::string& path, int status)> access_log;
};

// What GET /v1/admin/status reports.
struct AdminStatus {
  std::uint64_t policy_generation = 0;
  std::vector<std::string> policy_files;
  bool last_reload_ok = true;
  std::string last_reload_message;
  std::string last_reload_at;        // RFC 3339, empty before the first reload
  std::vector<std::string> plugins;  // "storage sqlite 1.0.0 (ABI 1.0)"
};

// What the routes call. Pointers are borrowed and must outlive the server.
struct ApiServices {
  SnapshotHolder* snapshots = nullptr;
  AccountService* accounts = nullptr;
  AssignmentService* assignments = nullptr;
  DirectoryService* directory = nullptr;
  InviteService* invites = nullptr;
  RoleService* roles = nullptr;
  std::string accept_base_url = "https://example.invalid/accept";
  KeyAuthenticator* keys = nullptr;
  const Clock* clock = nullptr;
  Metrics* metrics = nullptr;                // rendered at /metrics (optional)
  std::function<Status()> readiness;         // OK when policies are loaded and storage reachable
  std::function<Status(bool force)> reload;  // POST /v1/admin/reload (same as SIGHUP)
  std::function<AdminStatus()> admin_status;
  // Per-account request limit for account keys (limits.accountRequestsPerSecond);
  // optional. System-key requests are not limited.
  RateLimiter* account_rate_limiter = nullptr;
};

class ApiServer {
 public:
  ApiServer(ApiOptions options, ApiServices services);
  ~ApiServer();

  // Binds; returns the bound port. kUnavailable when the address cannot be bound.
  Result<int> Start();
  void Stop();

 private:
  void Routes();

  ApiOptions options_;
  ApiServices services_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::atomic<bool> running_{false};
};

}  // namespace gatehouse
