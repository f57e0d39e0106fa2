// Config: the daemon configuration (policies.md §3). Every key has a default; the file
// overrides defaults; environment variables override the file.
//
// Environment names: GATEHOUSE_ + the key path in upper snake case, e.g. http.maxBodyBytes
// → GATEHOUSE_HTTP_MAX_BODY_BYTES, storage.options.path → GATEHOUSE_STORAGE_OPTIONS_PATH,
// auth.systemKeyHashes → GATEHOUSE_AUTH_SYSTEM_KEY_HASHES (comma-separated).
// GATEHOUSE_HTTP_PORT replaces only the port of http.listen. An unknown key in the file
// (with file:line:column) or an unknown GATEHOUSE_* variable is an error.
//
// Thread safety: plain value; LoadConfig is a pure function of its inputs.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"

namespace gatehouse {

inline constexpr const char* kDefaultSqlitePath = "/var/lib/gatehouse/gatehouse.db";

struct NotifierConfig {
  std::string plugin;
  std::string name;  // cursor and metrics label; default: the plugin name (+ "#2", ... if repeated)
  std::map<std::string, std::string> options;
};

struct Config {
  // http
  std::string listen_host = "127.0.0.1";
  int listen_port = 8080;
  std::string tls_cert;
  std::string tls_key;
  std::size_t max_body_bytes = 1048576;
  std::size_t max_import_bytes = 1073741824;
  int threads = 0;                       // API workers, one per open connection; 0 = automatic (1024)
  std::int64_t read_timeout_ms = 5000;   // longest wait for the next bytes of a request
  std::int64_t write_timeout_ms = 5000;  // longest wait for a client to take response bytes
  std::int64_t idle_timeout_ms = 30000;  // an idle keep-alive connection is closed after this
  std::size_t listen_backlog = 1024;     // connections the kernel queues before accept
  int shutdown_grace_seconds = 10;       // SIGTERM: in-flight requests get this long, then exit
  // ops: /healthz, /readyz, /metrics on their own listener and pool (empty host = off)
  std::string ops_host;
  int ops_port = 0;
  int ops_threads = 4;
  // the decision listener: POST /v1/check and /v1/check/batch on event loops (empty host = off)
  std::string decision_host;
  int decision_port = 0;
  int decision_threads = 0;  // 0 = one per core
  // policies
  std::string policies_dir = "/etc/gatehouse/policies";
  bool policies_watch = false;
  // auth
  std::vector<std::string> system_key_hashes;
  std::string system_key_file = "/var/lib/gatehouse/system-key";
  // invites
  std::int64_t invite_ttl_ms = 168LL * 3600 * 1000;
  std::string accept_base_url = "https://example.invalid/accept";
  // limits
  std::size_t batch_check_limit = 1000;
  std::size_t page_size_limit = 1000;
  // Requests per second each account's keys may make together (0 = unlimited), and how
  // many may come at once after a quiet spell (0 = one second's worth).
  std::size_t account_requests_per_second = 0;
  std::size_t account_burst = 0;
  // plugins
  std::string plugins_dir = "/usr/lib/gatehouse/plugins";
  std::string storage_plugin = "sqlite";
  // Options for the storage plugin. With the default plugin (sqlite) and no `path`, path
  // is kDefaultSqlitePath; other plugins get exactly what is written.
  std::map<std::string, std::string> storage_options;
  std::vector<NotifierConfig> notifiers;
  // notify (delivery tuning, a Gatehouse extension of the spec's config)
  std::size_t notify_batch_size = 100;
  std::int64_t notify_backoff_base_ms = 100;
  std::int64_t notify_backoff_max_ms = 30000;
  std::int64_t notify_poll_interval_ms = 1000;
  // cluster (several daemons on one shared log): how long a request carrying
  // X-Gatehouse-Min-Revision waits for this node to apply that revision
  std::int64_t min_revision_wait_ms = 2000;
  // history (snapshots and retention: team/compactor.h)
  std::int64_t history_retention_ms = 720LL * 3600 * 1000;  // 30 days; 0 = keep only what the newest snapshot needs
  std::uint64_t history_snapshot_every = 20000;             // revisions; 0 = snapshots on request only
  std::int64_t history_check_interval_ms = 60000;
  // log
  std::string log_level = "info";   // trace, debug, info, warn, error
  std::string log_format = "auto";  // auto, text, json, journald
  bool log_access = false;          // one info line per request (never a key)

  std::string file;  // where it was read from (empty: defaults only)
};

// Reads `path` (must exist), applies `env` overrides ("NAME=value" strings, like environ).
// All problems are reported in one kInvalidArgument status, one per line.
Result<Config> LoadConfig(const std::string& path, const std::vector<std::string>& env);

// Parses config text (for tests and fuzzing); `file` names it in errors.
Result<Config> ParseConfig(const std::string& text, const std::string& file, const std::vector<std::string>& env);

// The process environment as a vector.
std::vector<std::string> ProcessEnvironment();

}  // namespace gatehouse
