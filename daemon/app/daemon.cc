#include "app/daemon.h"

#include <httplib.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>

#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "api/api_server.h"
#include "api/key_auth.h"
#include "app/logging.h"
#include "app/process_metrics.h"
#include "app/watchdog.h"
#include "codec/json_change_codec.h"
#include "config/config.h"
#include "core/metrics.h"
#include "notify/dispatcher.h"
#include "policy/policy_loader.h"
#include "policy/policy_reloader.h"
#include "policy/policy_watcher.h"
#include "store/plugin_change_log.h"
#include "store/plugin_host.h"
#include "store/plugin_notifier.h"
#include "team/accept_links.h"
#include "team/account_service.h"
#include "team/committer.h"
#include "team/import_service.h"
#include "team/log_follower.h"
#include "team/review_history.h"

namespace gatehouse {
namespace {

namespace fs = std::filesystem;

// The system key hashes to accept: configured ones, else the one generated on first start
// (stored beside the key file as <file>.sha256; the key itself is written once, 0600).
Result<std::vector<std::string>> SystemKeyHashes(const Config& config) {
  if (!config.system_key_hashes.empty()) return config.system_key_hashes;
  const std::string hash_file = config.system_key_file + ".sha256";
  std::ifstream existing(hash_file);
  std::string hash;
  if (existing >> hash && hash.size() == 64) {
    spdlog::info("system key: using the generated key whose hash is in {}", hash_file);
    return std::vector<std::string>{hash};
  }
  std::error_code ec;
  const fs::path dir = fs::path(config.system_key_file).parent_path();
  if (!dir.empty()) fs::create_directories(dir, ec);
  const std::string key = NewSecret("ghs_");
  hash = Sha256Hex(key);
  const mode_t old_mask = ::umask(077);
  {
    std::ofstream out(config.system_key_file, std::ios::trunc);
    out << key << "\n";
    if (!out) {
      ::umask(old_mask);
      return Unavailable("cannot write the generated system key to " + config.system_key_file);
    }
  }
  {
    std::ofstream out(hash_file, std::ios::trunc);
    out << hash << "\n";
    if (!out) {
      ::umask(old_mask);
      return Unavailable("cannot write the system key hash to " + hash_file);
    }
  }
  ::umask(old_mask);
  ::chmod(config.system_key_file.c_str(), 0600);
  spdlog::warn(
      "no system key configured: generated one and wrote it to {} (readable only by this user); "
      "store it safely, then delete the file",
      config.system_key_file);
  return std::vector<std::string>{hash};
}

void PluginLog(int level, std::string_view message) {
  switch (level) {
    case GH_LOG_DEBUG:
      spdlog::debug("plugin: {}", message);
      break;
    case GH_LOG_INFO:
      spdlog::info("plugin: {}", message);
      break;
    case GH_LOG_WARN:
      spdlog::warn("plugin: {}", message);
      break;
    default:
      spdlog::error("plugin: {}", message);
      break;
  }
}

std::size_t WorkerThreads(const Config& config) {
  if (config.threads > 0) return static_cast<std::size_t>(config.threads);
  // cpp-httplib holds a worker per open connection: size for connections, not cores.
  return 1024;
}

// Every connection is a descriptor: lift the soft limit to the hard one (systemd's default
// soft limit is 1024), so the pool, not EMFILE, bounds the connections.
// Where the watchdog's probe connects: the API listener's address, loopback for a
// wildcard one.
std::string ProbeHost(const std::string& listen_host) {
  if (listen_host.empty() || listen_host == "0.0.0.0") return "127.0.0.1";
  if (listen_host == "::" || listen_host == "[::]") return "::1";
  return listen_host;
}

// GET /healthz through the API listener (its pool, its accept loop) within `timeout`.
bool ProbeHealth(const std::string& host, int port, bool tls, std::chrono::milliseconds timeout) {
  auto get = [&](auto& client) {
    client.set_connection_timeout(timeout);
    client.set_read_timeout(timeout);
    client.set_write_timeout(timeout);
    auto r = client.Get("/healthz");
    return r && r->status == 200;
  };
  if (tls) {
    httplib::SSLClient client(host, port);
    client.enable_server_certificate_verification(false);  // our own listener
    return get(client);
  }
  httplib::Client client(host, port);
  return get(client);
}

void RaiseOpenFileLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0)
      spdlog::warn("cannot raise the open-file limit: {}", std::strerror(errno));
  }
}

// The cluster gauges: how far this node may lag the shared log, and whether it reaches it.
void DescribeFollowerMetrics(Metrics& metrics, const LogFollower& follower) {
  metrics.Describe("gatehouse_cluster_lag_revisions", Metrics::Type::kGauge,
                   "Revisions of the shared change log this node has seen but not yet applied");
  metrics.Describe("gatehouse_cluster_log_reachable", Metrics::Type::kGauge,
                   "1 while this node reaches the shared change log, 0 while it serves its last snapshot");
  metrics.AddCollector([&follower](Metrics& m) {
    const FollowerReport r = follower.Report();
    m.Set("gatehouse_cluster_lag_revisions", static_cast<double>(r.lag()));
    m.Set("gatehouse_cluster_log_reachable", r.reachable ? 1.0 : 0.0);
  });
}

// The HTTP listener's settings from the configuration, the access log included.
ApiOptions ApiOptionsFrom(const Config& cfg) {
  const Config* config = &cfg;
  ApiOptions options;
  options.host = config->listen_host;
  options.port = config->listen_port;
  options.max_body_bytes = config->max_body_bytes;
  options.max_import_bytes = config->max_import_bytes;
  options.worker_threads = WorkerThreads(*config);
  options.read_timeout_ms = config->read_timeout_ms;
  options.write_timeout_ms = config->write_timeout_ms;
  options.idle_timeout_ms = config->idle_timeout_ms;
  options.listen_backlog = static_cast<int>(config->listen_backlog);
  options.ops_host = config->ops_host;
  options.ops_port = config->ops_port;
  options.ops_threads = static_cast<std::size_t>(config->ops_threads);
  options.decision_host = config->decision_host;
  options.decision_port = config->decision_port;
  options.decision_threads = static_cast<unsigned>(config->decision_threads);
  options.batch_check_limit = config->batch_check_limit;
  options.page_size_limit = config->page_size_limit;
  options.tls_cert = config->tls_cert;
  options.tls_key = config->tls_key;
  options.access_log = [access = config->log_access](const std::string& method, const std::string& path, int status,
                                                     std::int64_t micros, const std::string& remote) {
    const auto level = access ? spdlog::level::info : spdlog::level::debug;
    if (spdlog::should_log(level)) {
      spdlog::log(level, "http {} {} {} {:.3f}ms {}", method, path, status, static_cast<double>(micros) / 1000.0,
                  remote);
    }
  };
  options.access_log_wanted = [access = config->log_access] {
    return spdlog::should_log(access ? spdlog::level::info : spdlog::level::debug);
  };
  return options;
}

// What start-up prepares before any thread runs: the configuration (logging set up from
// it), the policy set, and the plugins — storage opened, notifiers created.
struct Prepared {
  Config config;
  PolicyLoad policies;
  LoadedPlugin storage_plugin;
  std::unique_ptr<PluginChangeLog> log;
  std::vector<std::pair<std::string, std::unique_ptr<Notifier>>> notifiers;
};

// Nullopt with *exit_code set (and the reason logged) when start-up cannot go on.
std::optional<Prepared> Prepare(const DaemonArgs& args, int* exit_code) {
  Prepared out;
  auto loaded = LoadConfig(args.config_path, ProcessEnvironment());
  if (!loaded.ok()) {
    std::fprintf(stderr, "gatehoused: invalid configuration:\n%s\n", loaded.status().message().c_str());
    *exit_code = 2;
    return std::nullopt;
  }
  out.config = std::move(*loaded);
  const Config* config = &out.config;
  SetupLogging(*config);

  out.policies = LoadPolicyDirectory(config->policies_dir, 1);
  const PolicyLoad& policies = out.policies;
  if (!policies.ok()) {
    for (const auto& e : policies.errors) spdlog::error("{}", e.ToString());
    spdlog::critical("policy directory {} is invalid ({} error(s)); not starting", config->policies_dir,
                     policies.errors.size());
    *exit_code = 3;
    return std::nullopt;
  }
  spdlog::info("policies: {} file(s) from {}, {} role(s), {} permission(s)", policies.files.size(),
               config->policies_dir, policies.policy_set->predefined_roles().size(),
               policies.policy_set->PermissionCount());

  PluginHost host(config->plugins_dir, [](const std::string& m) { spdlog::info("{}", m); });
  auto storage_plugin = host.Load("storage", config->storage_plugin);
  if (!storage_plugin.ok()) {
    spdlog::critical("storage: {}", storage_plugin.status().message());
    *exit_code = 4;
    return std::nullopt;
  }
  spdlog::info("storage: opening plugin {} from {}", storage_plugin->info.name, storage_plugin->info.path);
  auto log = PluginChangeLog::Open(*storage_plugin, config->storage_options, &PluginLog);
  if (!log.ok()) {
    spdlog::critical("storage: {}", log.status().message());
    *exit_code = 4;
    return std::nullopt;
  }
  out.storage_plugin = std::move(*storage_plugin);
  out.log = std::move(*log);
  for (const auto& nc : config->notifiers) {
    auto plugin = host.Load("notifier", nc.plugin);
    if (!plugin.ok()) {
      spdlog::critical("notifier {}: {}", nc.name, plugin.status().message());
      *exit_code = 4;
      return std::nullopt;
    }
    spdlog::info("notifier {}: opening plugin {} from {}", nc.name, plugin->info.name, plugin->info.path);
    auto notifier = PluginNotifier::Open(*plugin, nc.options, &PluginLog);
    if (!notifier.ok()) {
      spdlog::critical("notifier {}: {}", nc.name, notifier.status().message());
      *exit_code = 4;
      return std::nullopt;
    }
    out.notifiers.emplace_back(nc.name, std::move(*notifier));
  }
  return out;
}

// The write path's instruments: commit and append latencies, snapshot publishes.
void InstrumentWritePath(Metrics& metrics, Committer& committer) {
  metrics.Describe("gatehouse_commit_duration_seconds", Metrics::Type::kHistogram,
                   "Latency of a write: queueing, validation, the durable append and the publish");
  metrics.Describe("gatehouse_storage_append_duration_seconds", Metrics::Type::kHistogram,
                   "Latency of one append to the storage plugin (one per group commit)");
  metrics.Describe("gatehouse_snapshot_publishes_total", Metrics::Type::kCounter,
                   "Snapshots published: write batches, catch-ups, policy swaps");
  committer.SetInstruments(
      {metrics.HistogramOf("gatehouse_commit_duration_seconds", "", Histogram::LatencyBounds()),
       metrics.HistogramOf("gatehouse_storage_append_duration_seconds", "", Histogram::LatencyBounds()),
       metrics.Counter("gatehouse_snapshot_publishes_total")});
}

// The daemon's own families: start-up replay, served revision, reloads by result, and the
// storage plugin's gauges.
void DescribeDaemonMetrics(Metrics& metrics, double replay_seconds, const SnapshotHolder& snapshots,
                           PluginChangeLog* storage_log) {
  metrics.Describe("gatehouse_startup_replay_seconds", Metrics::Type::kGauge,
                   "How long start-up took to replay the change log into memory");
  metrics.Set("gatehouse_startup_replay_seconds", replay_seconds);
  metrics.Describe("gatehouse_policy_reload_failures_total", Metrics::Type::kCounter,
                   "Policy reloads refused (invalid directory, or roles still assigned)");
  metrics.Describe("gatehouse_policy_reloads_total", Metrics::Type::kCounter, "Policy reloads, by result");
  metrics.Describe("gatehouse_state_revision", Metrics::Type::kGauge, "Change-log revision the served state reflects");
  metrics.Set("gatehouse_policy_reload_failures_total", 0);
  for (const char* result : {"ok", "failed"})
    metrics.Set(Series("gatehouse_policy_reloads_total", "result", result), 0);
  metrics.AddCollector([&snapshots](Metrics& m) {
    m.Set("gatehouse_state_revision", static_cast<double>(snapshots.Load()->revision()));
  });
  // The storage plugin's own gauges (ABI 1.1), e.g. gatehouse_storage_wal_bytes for SQLite.
  metrics.AddCollector([storage = storage_log](Metrics& m) {
    auto gauges = storage->Metrics();
    if (!gauges.ok()) return;
    for (const auto& [name, value] : *gauges) {
      std::string family = "gatehouse_storage_";
      for (char c : name) family += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
      m.Describe(family, Metrics::Type::kGauge, "Reported by the storage plugin");
      m.Set(family, value);
    }
  });
}

// The main thread's life after start-up: wait for signals, waking every second to poll
// the policy directory (policies.watch) and to end a SIGUSR1 debug period. Returns on
// SIGTERM or SIGINT.
void WaitForStop(const sigset_t& signals, const Config& cfg, PolicyReloader& reloader) {
  const Config* config = &cfg;
  std::optional<PolicyWatcher> watcher;
  if (config->policies_watch) {
    watcher.emplace(config->policies_dir);
    spdlog::info("watching {} for policy changes", config->policies_dir);
  }
  const auto configured_level = spdlog::get_level();
  std::optional<std::chrono::steady_clock::time_point> debug_until;
  auto reload_now = [&](const char* why) {
    spdlog::info("reload: {}", why);
    if (watcher) watcher->Reloaded();
    sd_notify(0, "RELOADING=1");
    (void)reloader.Reload(false).ok();  // reported in the log, the metric and /v1/admin/status
    sd_notify(0, "READY=1");
  };
  for (;;) {
    const timespec poll{1, 0};
    const int sig = sigtimedwait(&signals, nullptr, &poll);
    if (debug_until && std::chrono::steady_clock::now() >= *debug_until) {
      spdlog::set_level(configured_level);
      spdlog::info("debug logging ended; log level back to {}", config->log_level);
      debug_until.reset();
    }
    if (sig < 0) {  // timeout (EAGAIN) or interrupted (EINTR)
      if (watcher && watcher->Poll()) reload_now("policy files changed");
      continue;
    }
    if (sig == SIGHUP) {
      reload_now("SIGHUP");
      continue;
    }
    if (sig == SIGUSR1) {
      spdlog::set_level(spdlog::level::debug);
      debug_until = std::chrono::steady_clock::now() + std::chrono::minutes(10);
      spdlog::info("SIGUSR1: debug logging for 10 minutes");
      continue;
    }
    spdlog::info("signal {}: stopping (finishing in-flight requests)", sig);
    break;
  }
}

}  // namespace

int RunDaemon(const DaemonArgs& args) {
  int exit_code = 0;
  auto prepared = Prepare(args, &exit_code);
  if (!prepared) return exit_code;
  const Config* config = &prepared->config;
  const PolicyLoad& policies = prepared->policies;
  const LoadedPlugin* storage_plugin = &prepared->storage_plugin;
  auto* log = &prepared->log;
  auto& notifiers = prepared->notifiers;
  if (args.check_only) {
    std::printf("gatehoused: configuration %s, policies and plugins are valid\n", args.config_path.c_str());
    return 0;
  }

  auto hashes = SystemKeyHashes(*config);
  if (!hashes.ok()) {
    spdlog::critical("{}", hashes.status().message());
    return 5;
  }

  // Block the signals we handle before any thread starts, so only sigwait sees them.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGTERM, SIGINT, SIGHUP, SIGUSR1}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  JsonChangeCodec codec;
  SystemClock clock;
  SnapshotHolder snapshots(std::make_shared<Snapshot>(policies.policy_set, 0));
  Committer committer(log->get(), &codec, &snapshots);
  Metrics metrics;
  AddProcessMetrics(metrics, GATEHOUSE_VERSION);
  InstrumentWritePath(metrics, committer);
  const auto started = std::chrono::steady_clock::now();
  auto head = committer.LoadAll();
  if (!head.ok()) {
    spdlog::critical("loading the change log: {}", head.status().message());
    return 6;
  }
  const double replay_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  spdlog::info("state: revision {} with {} account(s) loaded in {} ms", *head, snapshots.Load()->AccountCount(),
               static_cast<long long>(replay_seconds * 1000));
  DescribeDaemonMetrics(metrics, replay_seconds, snapshots, log->get());
  DispatcherOptions delivery;
  delivery.batch_size = config->notify_batch_size;
  delivery.backoff_base = std::chrono::milliseconds(config->notify_backoff_base_ms);
  delivery.backoff_max = std::chrono::milliseconds(config->notify_backoff_max_ms);
  delivery.poll_interval = std::chrono::milliseconds(config->notify_poll_interval_ms);
  NotificationDispatcher dispatcher(log->get(), &metrics, delivery, [](bool error, const std::string& m) {
    if (error) {
      spdlog::error("{}", m);
    } else {
      spdlog::warn("{}", m);
    }
  });
  CompactionOptions compaction;
  compaction.snapshot_every = config->history_snapshot_every;
  compaction.retention = std::chrono::milliseconds(config->history_retention_ms);
  compaction.check_interval = std::chrono::milliseconds(config->history_check_interval_ms);
  for (auto& [name, notifier] : notifiers) {
    compaction.notifier_cursors.push_back("notifier:" + name);
    dispatcher.Add(name, std::move(notifier));
  }
  AcceptTokenVault accept_tokens;
  AcceptLinks accept_links(config->accept_base_url, &accept_tokens, AddAcceptLinks);
  dispatcher.SetEnricher([&accept_links](ChangeRecord& r) { accept_links.Enrich(r); });
  if (Status st = dispatcher.Start(); !st.ok()) {
    spdlog::critical("notifiers: {}", st.message());
    return 6;
  }
  committer.AddListener([&dispatcher](std::uint64_t) { dispatcher.Wake(); });
  // Several daemons on one shared log: follow the others' writes (team/log_follower.h).
  std::optional<LogFollower> follower;
  if (log->get()->IsShared()) {
    follower.emplace(log->get(), &committer, &snapshots, FollowerOptions{},
                     [](const std::string& m) { spdlog::warn("cluster: {}", m); });
    follower->Start();
    DescribeFollowerMetrics(metrics, *follower);
    spdlog::info("cluster: the change log is shared; following other nodes' writes from revision {}", *head);
  }

  AccountService accounts(&committer, &clock);
  OpenSslSecrets secrets;
  AssignmentService assignments(&committer, &clock);
  DirectoryService directory(&committer, &clock, &secrets);
  InviteService invites(&committer, &clock, &secrets, config->invite_ttl_ms, &accept_tokens);
  RoleService roles(&committer, &clock);
  ChangeFeed feed(log->get(), &snapshots);
  committer.AddListener([&feed](std::uint64_t revision) { feed.Notify(revision); });
  KeyAuthenticator keys(*hashes);
  ApiServices services;
  services.snapshots = &snapshots;
  services.accounts = &accounts;
  services.assignments = &assignments;
  services.directory = &directory;
  services.invites = &invites;
  services.roles = &roles;
  services.feed = &feed;
  ReviewHistory history(log->get(), &codec);
  services.history = &history;
  ImportService importer(&committer, &clock);
  services.codec = &codec;
  services.importer = &importer;
  services.compile_policies = CompileCandidatePolicies;
  services.accept_links = &accept_links;
  services.keys = &keys;
  services.clock = &clock;
  services.metrics = &metrics;
  RateLimiter account_limiter(
      static_cast<double>(config->account_requests_per_second),
      static_cast<double>(config->account_burst != 0 ? config->account_burst : config->account_requests_per_second));
  metrics.Describe("gatehouse_rate_limited_total", Metrics::Type::kCounter,
                   "Requests refused with 429 because their account was over limits.accountRequestsPerSecond");
  metrics.Set("gatehouse_rate_limited_total", 0);
  if (account_limiter.enabled()) services.account_rate_limiter = &account_limiter;
  ChangeLog* change_log = log->get();
  // Snapshots and retention (team/compactor.h): a background check, and `gatehouse compact`.
  Compactor compactor(change_log, &snapshots, &clock, compaction, [](const std::string& m) { spdlog::info("{}", m); });
  if (change_log->SupportsSnapshots()) {
    compactor.Start();
    services.compact = [&compactor] { return compactor.RunOnce(true); };
  }
  services.min_revision_wait = std::chrono::milliseconds(config->min_revision_wait_ms);
  if (follower) {
    // A cluster node stays ready while the log is away: it serves its last snapshot and
    // /readyz says "degraded" with the lag (the follower's report).
    services.follower = [&follower] { return follower->Report(); };
  } else {
    services.readiness = [change_log]() -> Status {
      auto log_head = change_log->Head();
      return log_head.ok() ? Status::Ok() : Unavailable("storage unreachable: " + log_head.status().message());
    };
  }
  PolicyReloader reloader(
      config->policies_dir, 1,
      [&committer, &metrics](std::shared_ptr<const PolicySet> set, bool force, bool dry_run) {
        Status st = committer.ReplacePolicies(std::move(set), force, dry_run);
        if (st.ok() && !dry_run) metrics.Add(Series("gatehouse_policy_reloads_total", "result", "ok"));
        return st;
      },
      &clock,
      [](int level, const std::string& m) {
        if (level > 0) {
          spdlog::error("{}", m);
        } else {
          spdlog::info("{}", m);
        }
      },
      [&metrics] {
        metrics.Add("gatehouse_policy_reload_failures_total");
        metrics.Add(Series("gatehouse_policy_reloads_total", "result", "failed"));
      });
  std::vector<std::string> plugin_lines;
  plugin_lines.push_back("storage " + storage_plugin->info.name + " " + storage_plugin->info.version);
  for (const auto& nc : config->notifiers) plugin_lines.push_back("notifier " + nc.plugin + " (" + nc.name + ")");
  services.reload = [&reloader](bool force, bool dry_run) {
    return dry_run ? reloader.DryRun(force) : reloader.Reload(force);
  };
  services.admin_status = [&reloader, plugin_lines, change_log]() {
    const PolicyReloader::Outcome last = reloader.LastOutcome();
    AdminStatus admin;
    admin.last_reload_ok = last.ok;
    admin.last_reload_message = last.message;
    admin.last_reload_at = last.at;
    admin.plugins = plugin_lines;
    if (change_log->SupportsSnapshots()) {
      if (auto kept = change_log->History(); kept.ok()) {
        admin.snapshots_supported = true;
        admin.history_from = kept->forgotten_through;
        admin.newest_snapshot = kept->snapshots.empty() ? 0 : kept->snapshots.back().revision;
        admin.snapshot_count = kept->snapshots.size();
      }
    }
    return admin;
  };
  ApiOptions options = ApiOptionsFrom(*config);
  RaiseOpenFileLimit();
  ApiServer server(options, services);
  auto port = server.Start();
  if (!port.ok()) {
    spdlog::critical("http: {}", port.status().message());
    return 7;
  }
  spdlog::info("listening on {}://{}:{} ({} workers)", config->tls_cert.empty() ? "http" : "https", config->listen_host,
               *port, options.worker_threads);
  if (server.ops_port() != 0) {
    spdlog::info("ops listener on http://{}:{} (/healthz, /readyz, /metrics)", config->ops_host, server.ops_port());
  }
  if (server.decision_port() != 0) {
    spdlog::info("decision listener on http://{}:{} (POST /v1/check, /v1/check/batch; event loops)",
                 config->decision_host, server.decision_port());
  }
  sd_notify(0, "READY=1");
  Watchdog watchdog([host = ProbeHost(config->listen_host), port = *port, tls = !config->tls_cert.empty()](
                        std::chrono::milliseconds timeout) { return ProbeHealth(host, port, tls, timeout); },
                    [](const std::string& m) { spdlog::warn("{}", m); });
  if (watchdog.Start()) spdlog::info("systemd watchdog: probing the API listener");

  WaitForStop(signals, *config, reloader);
  sd_notify(0, "STOPPING=1");
  watchdog.Stop();
  const bool drained = server.Stop(std::chrono::seconds(config->shutdown_grace_seconds));
  if (follower) follower->Stop();
  dispatcher.Stop();
  if (!drained) {
    // Acknowledged writes are durable already; what is cut off was never answered.
    spdlog::warn("stopped after http.shutdownGraceSeconds ({} s) with requests still in flight; closing them",
                 config->shutdown_grace_seconds);
    spdlog::shutdown();
    std::_Exit(0);
  }
  spdlog::info("stopped");
  return 0;
}

}  // namespace gatehouse
