// Storage benchmarks (make bench): durable appends through the real SQLite plugin (one
// record per transaction, and batches), concurrent writers through the Committer (group
// commit), and start-up: replaying a log that holds 1 M assignments.
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "codec/json_change_codec.h"
#include "policy/policy_loader.h"
#include "store/plugin_change_log.h"
#include "team/account_service.h"
#include "team/committer.h"
#include "team/compactor.h"

namespace gatehouse {
namespace {

namespace fs = std::filesystem;

std::string FreshDb(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / "gatehouse-bench";
  fs::create_directories(dir);
  const fs::path db = dir / name;
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db.string() + suffix);
  return db.string();
}

std::unique_ptr<PluginChangeLog> OpenSqlite(const std::string& path, const std::string& sync = "FULL") {
  PluginHost host(GATEHOUSE_PLUGIN_DIR);
  auto plugin = host.Load("storage", "sqlite");
  if (!plugin.ok()) std::abort();
  auto log = PluginChangeLog::Open(*plugin, {{"path", path}, {"synchronous", sync}}, nullptr);
  if (!log.ok()) std::abort();
  return std::move(*log);
}

// The PostgreSQL plugin on the server named by $BENCH_PG_CONNINFO (a libpq conninfo; make
// bench starts a throwaway cluster and sets it), in a fresh schema; nullptr without it.
std::unique_ptr<PluginChangeLog> OpenPostgres(benchmark::State& state) {
  const char* conninfo = std::getenv("BENCH_PG_CONNINFO");
  if (conninfo == nullptr || *conninfo == '\0') {
    state.SkipWithError("BENCH_PG_CONNINFO is not set (scripts/bench.sh starts a PostgreSQL cluster)");
    return nullptr;
  }
  static int schemas = 0;
  PluginHost host(GATEHOUSE_PLUGIN_DIR);
  auto plugin = host.Load("storage", "postgres");
  if (!plugin.ok()) std::abort();
  auto log = PluginChangeLog::Open(
      *plugin,
      {{"conninfo", conninfo}, {"schema", "bench_" + std::to_string(::getpid()) + "_" + std::to_string(schemas++)}},
      nullptr);
  if (!log.ok()) {
    state.SkipWithError(log.status().message().c_str());
    return nullptr;
  }
  return std::move(*log);
}

std::shared_ptr<const PolicySet> Policies() {
  static auto set = LoadPolicyDirectory(std::string(GATEHOUSE_SOURCE_DIR) + "/policies").policy_set;
  return set;
}

ChangeRecord AssignmentRecord(const JsonChangeCodec& codec, std::uint64_t id, const std::string& account) {
  ChangeSet set;
  set.type = "assignments.updated";
  set.account_id = account;
  set.actor = "system";
  set.at = 1'800'000'000'000;
  Assignment a;
  a.id = id;
  a.account_id = account;
  a.subject = Subject{"user-" + std::to_string(id), SubjectType::kUser};
  a.role_id = "website-designer";
  a.restriction = Restriction{Restriction::Kind::kSite, {"s1"}};
  set.changes.push_back(AssignmentAdded{a});
  return codec.ToRecord(set);
}

void Appends(benchmark::State& state, ChangeLog* log) {
  const std::size_t batch = static_cast<std::size_t>(state.range(0));
  JsonChangeCodec codec;
  std::vector<ChangeRecord> records;
  for (std::size_t i = 0; i < batch; ++i) records.push_back(AssignmentRecord(codec, i + 1, "acme"));
  std::uint64_t head = 0;
  for (auto _ : state) {
    auto r = log->Append(records, head);
    if (!r.ok()) state.SkipWithError(r.status().message().c_str());
    head = *r;
  }
  state.counters["records_per_s"] = benchmark::Counter(static_cast<double>(head), benchmark::Counter::kIsRate);
}

void BM_SqliteAppend(benchmark::State& state) {
  auto log = OpenSqlite(FreshDb("append.db"));
  Appends(state, log.get());
}
BENCHMARK(BM_SqliteAppend)->Arg(1)->Arg(16)->Arg(128)->UseRealTime()->MinTime(2.0)->Unit(benchmark::kMicrosecond);

// Concurrent writers through the whole write path (validate → append → apply → publish);
// each write creates an account with its owner assignment. Group commit turns N waiting
// writers into one fsync.
void CommitterWrites(benchmark::State& state, ChangeLog* log) {
  const int writers = static_cast<int>(state.range(0));
  JsonChangeCodec codec;
  SnapshotHolder holder(std::make_shared<Snapshot>(Policies(), 0));
  Committer committer(log, &codec, &holder);
  SystemClock clock;
  AccountService accounts(&committer, &clock);
  std::atomic<std::uint64_t> next{0};
  std::uint64_t total = 0;
  for (auto _ : state) {
    constexpr int kPerWriter = 200;
    std::vector<std::thread> threads;
    for (int t = 0; t < writers; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < kPerWriter; ++i) {
          std::string id = "a";
          id += std::to_string(next++);
          if (!accounts.Create({id, id, "owner"}, "bench").ok()) std::abort();
        }
      });
    }
    for (auto& th : threads) th.join();
    total += static_cast<std::uint64_t>(writers) * kPerWriter;
  }
  state.counters["writes_per_s"] = benchmark::Counter(static_cast<double>(total), benchmark::Counter::kIsRate);
}

void BM_CommitterWrites(benchmark::State& state) {
  auto log = OpenSqlite(FreshDb("commit.db"));
  CommitterWrites(state, log.get());
}
BENCHMARK(BM_CommitterWrites)->Arg(1)->Arg(16)->Arg(64)->UseRealTime()->Iterations(3)->Unit(benchmark::kMillisecond);

// The same two on PostgreSQL (a loopback server with synchronous_commit on: each COMMIT
// waits for its WAL flush): one record per append, and group commit.
void BM_PostgresAppend(benchmark::State& state) {
  auto log = OpenPostgres(state);
  if (log) Appends(state, log.get());
}
BENCHMARK(BM_PostgresAppend)->Arg(1)->Arg(16)->Arg(128)->UseRealTime()->MinTime(2.0)->Unit(benchmark::kMicrosecond);

void BM_PostgresCommitterWrites(benchmark::State& state) {
  auto log = OpenPostgres(state);
  if (log) CommitterWrites(state, log.get());
}
BENCHMARK(BM_PostgresCommitterWrites)
    ->Arg(1)
    ->Arg(16)
    ->Arg(64)
    ->UseRealTime()
    ->Iterations(3)
    ->Unit(benchmark::kMillisecond);

// Start-up: a log of 100 k account records (owner assignments) and 450 k records of two
// assignments each — 1 M assignments. `record(i)` is the i-th record (0-based).
constexpr std::size_t kStartupRecords = 550'000;
ChangeRecord StartupRecord(const JsonChangeCodec& codec, std::size_t i) {
  ChangeSet set;
  if (i < 100'000) {
    const std::string account = "acct-" + std::to_string(i);
    set.type = "account.created";
    set.account_id = account;
    set.at = 1;
    set.changes.push_back(AccountCreated{Account{account, account, "owner", 1}});
    set.changes.push_back(AssetPut{Asset{account, "s1", "site", "Site", ""}});
    Assignment owner;
    owner.id = i + 1;
    owner.account_id = account;
    owner.subject = Subject{"owner", SubjectType::kUser};
    owner.role_id = "owner";
    set.changes.push_back(AssignmentAdded{owner});
    return codec.ToRecord(set);
  }
  const std::size_t r = i - 100'000;
  const std::string account = "acct-" + std::to_string(r % 100'000);
  set.type = "assignments.updated";
  set.account_id = account;
  set.at = 2;
  for (std::size_t k = 0; k < 2; ++k) {
    Assignment a;
    a.id = 100'000 + 2 * r + k + 1;
    a.account_id = account;
    a.subject = Subject{"m" + std::to_string(r / 100'000) + "-" + std::to_string(k), SubjectType::kUser};
    a.role_id = k == 0 ? "website-designer" : "back-office-manager";
    a.restriction = Restriction{Restriction::Kind::kSite, {"s1"}};
    set.changes.push_back(AssignmentAdded{a});
  }
  return codec.ToRecord(set);
}

void AppendStartupRecords(ChangeLog& log, const JsonChangeCodec& codec, std::size_t from, std::size_t to) {
  std::vector<ChangeRecord> batch;
  std::uint64_t head = from;
  for (std::size_t i = from; i < to; ++i) {
    batch.push_back(StartupRecord(codec, i));
    if (batch.size() == 5000 || i + 1 == to) {
      head = *log.Append(batch, head);
      batch.clear();
    }
  }
}

// Times start-up (Committer::LoadAll on a freshly opened log) once per iteration; freeing
// the loaded state is not timed.
void TimeStartup(benchmark::State& state, const std::string& path, const JsonChangeCodec& codec) {
  for (auto _ : state) {
    std::shared_ptr<const Snapshot> loaded;
    {
      auto log = OpenSqlite(path);
      SnapshotHolder holder(std::make_shared<Snapshot>(Policies(), 0));
      Committer committer(log.get(), &codec, &holder);
      auto head = committer.LoadAll();
      if (!head.ok()) state.SkipWithError(head.status().message().c_str());
      if (*head != kStartupRecords) state.SkipWithError("start-up did not reach the head");
      loaded = holder.Load();
    }
    state.PauseTiming();
    loaded.reset();
    state.ResumeTiming();
  }
  state.counters["assignments"] = 1'000'000;
  state.counters["db_mib"] = static_cast<double>(fs::file_size(path)) / (1 << 20);
}

// The whole log replayed: no snapshot.
void BM_StartupReplay1MAssignments(benchmark::State& state) {
  const std::string path = FreshDb("startup.db");
  JsonChangeCodec codec;
  {
    auto log = OpenSqlite(path, "NORMAL");
    AppendStartupRecords(*log, codec, 0, kStartupRecords);
  }
  TimeStartup(state, path, codec);
}
BENCHMARK(BM_StartupReplay1MAssignments)->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);

// From a snapshot (issue 13, item 6): the snapshot was written range(0) records before the
// head (0: at the head; 19 999: the most the default history.snapshotEvery of 20 000 leaves
// to replay), and start-up loads it and replays the tail.
void BM_StartupFromSnapshot1MAssignments(benchmark::State& state) {
  const std::string path = FreshDb("startup-snapshot.db");
  JsonChangeCodec codec;
  const auto tail = static_cast<std::size_t>(state.range(0));
  {
    auto log = OpenSqlite(path, "NORMAL");
    AppendStartupRecords(*log, codec, 0, kStartupRecords - tail);
    SnapshotHolder holder(std::make_shared<Snapshot>(Policies(), 0));
    Committer committer(log.get(), &codec, &holder);
    if (!committer.LoadAll().ok()) state.SkipWithError("loading the log to snapshot it failed");
    ManualClock clock(0);
    CompactionOptions options;
    options.snapshot_every = 0;
    options.retention = std::chrono::hours(1'000'000);  // write the snapshot, forget nothing
    Compactor compactor(log.get(), &holder, &clock, options);
    auto report = compactor.RunOnce(true);
    if (!report.ok() || report->snapshot_revision == 0) state.SkipWithError("the snapshot was not written");
    state.counters["snapshot_mib"] = static_cast<double>(report->snapshot_bytes) / (1 << 20);
    state.counters["snapshot_write_ms"] = report->snapshot_seconds * 1000;
    AppendStartupRecords(*log, codec, kStartupRecords - tail, kStartupRecords);
  }
  TimeStartup(state, path, codec);
  state.counters["tail_records"] = static_cast<double>(tail);
}
BENCHMARK(BM_StartupFromSnapshot1MAssignments)
    ->Arg(0)
    ->Arg(19'999)
    ->Iterations(3)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace gatehouse

BENCHMARK_MAIN();
