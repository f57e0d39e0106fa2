// ApiServer: the HTTP surface on cpp-httplib. Every route is an entry of the route kernel
// (api/route_kernel.h): it parses, calls a service or an engine query, and renders; every
// decision or write happens in engine/ or team/.
//
// Every request except the open ones (/healthz, /readyz, /metrics, /openapi.json, invite
// accept/decline) is authenticated with an API key; account-scoped requests name their
// account in `wix-account-id` (or `x-account-id`) and are authorized through the engine.
//
// Threading: cpp-httplib serves each keep-alive connection on one worker for as long as
// it lives, so the pool is sized for connections (ApiOptions::worker_threads), every wait
// on a client is bounded (read, write and keep-alive idle timeouts), and TCP_NODELAY is on.
// The optional ops listener serves /healthz, /readyz and /metrics on its own address and
// small pool, so probes are answered whatever the API listener's pool is suffering.
// Start() binds both (without SO_REUSEPORT: an address in use is an error, never a second
// daemon sharing the port) and serves on background threads; Stop() stops accepting and
// waits, up to a deadline, for in-flight requests to finish.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "api/key_auth.h"
#include "api/rate_limiter.h"
#include "core/metrics.h"
#include "core/status.h"
#include "core/time.h"
#include "engine/policy_compiler.h"
#include "engine/snapshot.h"
#include "team/accept_links.h"
#include "team/account_service.h"
#include "team/assignment_service.h"
#include "team/change_feed.h"
#include "team/compactor.h"
#include "team/directory_service.h"
#include "team/import_service.h"
#include "team/invite_service.h"
#include "team/log_follower.h"
#include "team/review_history.h"
#include "team/role_service.h"

namespace httplib {
class Server;
}
#include "api/decision_server.h"

namespace gatehouse {

struct ApiOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0 = pick a free port
  std::size_t max_body_bytes = 1048576;
  std::size_t max_import_bytes = 1073741824;  // POST /v1/admin/import only
  std::size_t worker_threads = 1024;
  std::int64_t read_timeout_ms = 5000;
  std::int64_t write_timeout_ms = 5000;
  std::int64_t idle_timeout_ms = 30000;
  int listen_backlog = 1024;
  // The ops listener; empty host = none.
  std::string ops_host;
  int ops_port = 0;  // 0 = pick a free port
  std::size_t ops_threads = 4;
  // The decision listener (POST /v1/check, /v1/check/batch on Boost.Beast event loops:
  // api/decision_server.h); empty host = none.
  std::string decision_host;
  int decision_port = 0;          // 0 = pick a free port
  unsigned decision_threads = 0;  // 0 = one per core
  std::size_t batch_check_limit = 1000;
  std::size_t page_size_limit = 1000;
  std::string tls_cert, tls_key;
  // Called after every request with its method, path (no query, no headers: keys never
  // reach it), status, duration in microseconds and the client's address; the daemon logs
  // it (log.access, or at debug level after SIGUSR1). Optional.
  std::function<void(const std::string& method, const std::string& path, int status, std::int64_t micros,
                     const std::string& remote)>
      access_log;
  // Whether a request arriving now will be logged (log.access, or debug after SIGUSR1):
  // only those are timed for the log. Optional; absent = always.
  std::function<bool()> access_log_wanted;
};

// What GET /v1/admin/status reports.
struct AdminStatus {
  std::uint64_t policy_generation = 0;
  std::vector<std::string> policy_files;
  bool last_reload_ok = true;
  std::string last_reload_message;
  std::string last_reload_at;        // RFC 3339, empty before the first reload
  std::vector<std::string> plugins;  // "storage sqlite 1.0.0 (ABI 1.0)"
  // The change log's history (when the storage keeps snapshots).
  bool snapshots_supported = false;
  std::uint64_t history_from = 0;     // records up to here were forgotten (0: all kept)
  std::uint64_t newest_snapshot = 0;  // 0: none
  std::size_t snapshot_count = 0;
};

// What the routes call. Pointers are borrowed and must outlive the server.
struct ApiServices {
  SnapshotHolder* snapshots = nullptr;
  AccountService* accounts = nullptr;
  AssignmentService* assignments = nullptr;
  DirectoryService* directory = nullptr;
  InviteService* invites = nullptr;
  RoleService* roles = nullptr;
  ChangeFeed* feed = nullptr;              // GET /v1/changes (optional)
  const ReviewHistory* history = nullptr;  // access review `at`, review diff (optional)
  const ChangeCodec* codec = nullptr;      // export / import lines (optional)
  ImportService* importer = nullptr;       // POST /v1/admin/import (optional)
  // Compiles a candidate policy set given as (path, text) pairs with the same loader and
  // compiler as a reload (POST /v1/admin/policy-diff; optional). Errors name the paths.
  std::function<CompileOutput(const std::vector<std::pair<std::string, std::string>>& files)> compile_policies;
  const AcceptLinks* accept_links = nullptr;  // how invite answers spell the accept link
  KeyAuthenticator* keys = nullptr;
  const Clock* clock = nullptr;
  Metrics* metrics = nullptr;                              // rendered at /metrics (optional)
  std::function<Status()> readiness;                       // OK when policies are loaded and storage reachable
  std::function<Status(bool force, bool dry_run)> reload;  // POST /v1/admin/reload (same as SIGHUP)
  std::function<AdminStatus()> admin_status;
  std::function<Result<CompactionReport>()> compact;  // POST /v1/admin/compact (optional)
  // Per-account request limit for account keys (limits.accountRequestsPerSecond);
  // optional. System-key requests are not limited.
  RateLimiter* account_rate_limiter = nullptr;
  // Read-your-writes across nodes: how long a request with X-Gatehouse-Min-Revision waits
  // for this node to apply that revision before answering 503.
  std::chrono::milliseconds min_revision_wait{2000};
  // Several daemons on one shared log: how this node follows the others (optional; /readyz
  // reports it as "degraded" while the log is unreachable).
  std::function<FollowerReport()> follower;
};

class ApiServer {
 public:
  ApiServer(ApiOptions options, ApiServices services);
  ~ApiServer();

  // Binds both listeners; returns the API port. kUnavailable naming the address and the
  // system's reason when one cannot be bound (nothing is left listening then).
  Result<int> Start();
  // The ops listener's bound port; 0 when there is none.
  int ops_port() const { return ops_bound_port_; }
  // The decision listener's bound port; 0 when there is none.
  int decision_port() const { return decision_bound_port_; }
  // Stops accepting and waits up to `grace` for in-flight requests. True when everything
  // finished; false when the deadline passed with connections still being served — the
  // server is then abandoned (its threads keep running) and the caller should exit.
  bool Stop(std::chrono::milliseconds grace = std::chrono::milliseconds(10000));

 private:
  struct Listener;
  void Routes();

  ApiOptions options_;
  ApiServices services_;
  std::unique_ptr<Listener> api_;
  std::unique_ptr<Listener> ops_;
  int ops_bound_port_ = 0;
  std::vector<api::Router::Recorded> decision_routes_;
  std::unique_ptr<api::DecisionServer> decision_;
  int decision_bound_port_ = 0;
  std::atomic<bool> running_{false};
};

}  // namespace gatehouse
