// gatehouse-storage-postgres: the change log in a PostgreSQL database, shared by several
// daemons (ABI 1.2: wait_for_changes and leases).
//
// Schema (in the `schema` option's schema, created on first use):
//   changes(revision bigint PRIMARY KEY, type, account_id, actor text, at bigint, payload bytea)
//   cursors(name text PRIMARY KEY, value text), meta(key text PRIMARY KEY, value text)
//   snapshots(revision bigint PRIMARY KEY, taken_at, bytes, chunks bigint)
//   snapshot_chunks(revision, seq bigint, data bytea, PRIMARY KEY (revision, seq))
//
// Snapshots (ABI 1.3) are written in one transaction, their `snapshots` row with the
// chunks; forgetting history deletes records and older snapshots and sets
// meta.forgotten_through in one transaction, and the head is never below it.
//
// Append is one transaction: take the log's advisory transaction lock, read the head,
// refuse with CONFLICT unless it is the expected one, insert the records with revisions
// head+1.., NOTIFY the log's channel with the new head, COMMIT. The lock serializes
// appenders, so revisions commit in order: a reader that sees revision N has every
// revision below it (no gaps, even for a moment), and the primary key would turn any
// duplicate into a CONFLICT as a second guard. PostgreSQL's synchronous_commit makes the
// COMMIT durable before the call returns. A connection lost during COMMIT is reported as
// UNAVAILABLE although the records may be stored: the write is then not acknowledged, and
// the next append sees the moved head and catches up (never a lost acknowledged write).
//
// Connections (libpq, each behind its own mutex): one for appends, reads and cursors; one
// that LISTENs on the channel for wait_for_changes; one that holds leases as session-level
// advisory locks, so a daemon that dies (its session ends) hands its leases on. A broken
// connection is dropped and opened again on the next call; calls fail with UNAVAILABLE
// meanwhile (the host retries with backoff).
//
// Passwords never appear in the options: `conninfo` may not contain one; `password_file`
// names a file holding it. TLS and every other connection setting are libpq's own
// (sslmode, sslrootcert, ... in conninfo, or PG* environment variables).
#include <libpq-fe.h>
#include <poll.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <gatehouse/plugin.hpp>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

using gatehouse::sdk::Host;
using gatehouse::sdk::Options;
using gatehouse::sdk::PluginError;
using gatehouse::sdk::Record;

constexpr int kSchemaVersion = 1;
constexpr std::size_t kReadBatch = 10000;
constexpr std::size_t kRowsPerInsert = 1000;  // 6 parameters a row, well under libpq's 65 535

// Owns one PGresult.
struct ResultPtr {
  explicit ResultPtr(PGresult* r = nullptr) : r(r) {}
  ~ResultPtr() {
    if (r != nullptr) PQclear(r);
  }
  ResultPtr(ResultPtr&& o) noexcept : r(o.r) { o.r = nullptr; }
  ResultPtr& operator=(ResultPtr&& o) noexcept {
    std::swap(r, o.r);
    return *this;
  }
  ResultPtr(const ResultPtr&) = delete;
  ResultPtr& operator=(const ResultPtr&) = delete;
  PGresult* r;
};

std::uint64_t BigEndian64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

// A 31-bit key for advisory locks from a name (FNV-1a).
std::int32_t Key31(std::string_view s) {
  std::uint32_t h = 2166136261u;
  for (unsigned char c : s) h = (h ^ c) * 16777619u;
  return static_cast<std::int32_t>(h & 0x7fffffff);
}

// The second key of a lease's advisory lock (the first is the log's); 0 and 1 are the
// log's own: appends and schema creation.
std::string LeaseKey(std::string_view name) { return std::to_string(Key31(name) | 2); }

// One libpq connection that reconnects when it breaks.
class Connection {
 public:
  Connection(std::vector<std::pair<std::string, std::string>> params, std::string label)
      : params_(std::move(params)), label_(std::move(label)) {}
  ~Connection() { Drop(); }

  // The open connection, opening it when needed. Throws UNAVAILABLE when the server
  // cannot be reached. `fresh` is set when this call opened it.
  PGconn* Get(bool* fresh = nullptr) {
    if (fresh != nullptr) *fresh = false;
    if (conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK) return conn_;
    Drop();
    std::vector<const char*> keys, values;
    for (const auto& [k, v] : params_) {
      keys.push_back(k.c_str());
      values.push_back(v.c_str());
    }
    keys.push_back(nullptr);
    values.push_back(nullptr);
    conn_ = PQconnectdbParams(keys.data(), values.data(), 0);
    if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
      std::string why = conn_ != nullptr ? PQerrorMessage(conn_) : "out of memory";
      Drop();
      while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
      throw PluginError(GH_ERR_UNAVAILABLE, "postgres: cannot connect (" + label_ + "): " + why);
    }
    // Server notices ("relation already exists, skipping") are not for the daemon's stderr.
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);
    if (fresh != nullptr) *fresh = true;
    return conn_;
  }

  // Runs a statement (several, separated by ';', when there are no parameters); throws on
  // failure: UNAVAILABLE when the connection broke (it is dropped), `sql_status` otherwise.
  ResultPtr Exec(const std::string& sql, const std::vector<std::string>& params = {},
                 gh_status sql_status = GH_ERR_INTERNAL, const std::vector<int>& binary_params = {}) {
    PGconn* c = Get();
    ResultPtr res;
    if (params.empty() && sql.find(';') != std::string::npos) {
      res = ResultPtr(PQexec(c, sql.c_str()));  // several statements: text results
    } else if (params.empty()) {
      res = ResultPtr(PQexecParams(c, sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 1));
    } else {
      std::vector<const char*> values;
      std::vector<int> lengths, formats;
      for (std::size_t i = 0; i < params.size(); ++i) {
        values.push_back(params[i].data());
        lengths.push_back(static_cast<int>(params[i].size()));
        formats.push_back(0);
      }
      for (int i : binary_params) formats[static_cast<std::size_t>(i)] = 1;
      res = ResultPtr(PQexecParams(c, sql.c_str(), static_cast<int>(params.size()), nullptr, values.data(),
                                   lengths.data(), formats.data(), 1));
    }
    Check(res, sql, sql_status);
    return res;
  }

  void Check(const ResultPtr& res, const std::string& sql, gh_status sql_status) {
    const ExecStatusType st = res.r != nullptr ? PQresultStatus(res.r) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return;
    std::string why = res.r != nullptr ? PQresultErrorMessage(res.r) : PQerrorMessage(conn_);
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    const char* state = res.r != nullptr ? PQresultErrorField(res.r, PG_DIAG_SQLSTATE) : nullptr;
    const std::string what = "postgres (" + label_ + "): " + sql.substr(0, 60) + ": " + why;
    if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
      Drop();
      throw PluginError(GH_ERR_UNAVAILABLE, what);
    }
    // Class 08 (connection exception), 57P (operator intervention: shutdown, restart) and
    // 53 (insufficient resources) are the environment's, not ours.
    if (state != nullptr && (std::strncmp(state, "08", 2) == 0 || std::strncmp(state, "57P", 3) == 0 ||
                             std::strncmp(state, "53", 2) == 0)) {
      Drop();
      throw PluginError(GH_ERR_UNAVAILABLE, what);
    }
    if (state != nullptr && std::strcmp(state, "23505") == 0) throw PluginError(GH_ERR_CONFLICT, what);
    throw PluginError(sql_status, what);
  }

  // Best effort, after a failure inside a transaction.
  void Rollback() {
    if (conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK) ResultPtr r(PQexec(conn_, "ROLLBACK"));
  }

  void Drop() {
    if (conn_ != nullptr) PQfinish(conn_);
    conn_ = nullptr;
  }

 private:
  std::vector<std::pair<std::string, std::string>> params_;
  std::string label_;
  PGconn* conn_ = nullptr;
};

class PostgresStorage final : public gatehouse::sdk::StoragePlugin {
 public:
  static constexpr bool kShared = true;
  static constexpr bool kSnapshots = true;

  static std::unique_ptr<PostgresStorage> Create(Host host, const Options& options) {
    auto self = std::unique_ptr<PostgresStorage>(new PostgresStorage(host, options));
    self->Init();
    return self;
  }

  std::uint64_t Load(const Sink& sink) override {
    std::uint64_t last = 0;
    for (;;) {
      std::size_t n = ReadSince(last, kReadBatch, [&](const Record& r) {
        last = r.revision;
        sink(r);
      });
      if (n < kReadBatch) break;
    }
    return std::max(last, Head());
  }

  std::uint64_t Append(const std::vector<Record>& records, std::uint64_t expected_head) override {
    std::lock_guard lock(mu_);
    try {
      auto res = main_.Exec("BEGIN; SELECT pg_advisory_xact_lock(" + std::to_string(log_key_) + ", 0); " + HeadSql(),
                            {}, GH_ERR_UNAVAILABLE);
      const std::uint64_t head = std::stoull(PQgetvalue(res.r, 0, 0));
      if (head != expected_head) {
        throw PluginError(GH_ERR_CONFLICT,
                          "log head is " + std::to_string(head) + ", expected " + std::to_string(expected_head));
      }
      std::uint64_t rev = head;
      for (std::size_t start = 0; start < records.size(); start += kRowsPerInsert) {
        const std::size_t end = std::min(records.size(), start + kRowsPerInsert);
        std::string sql =
            "INSERT INTO " + Table("changes") + " (revision, type, account_id, actor, at, payload) VALUES ";
        std::vector<std::string> params;
        std::vector<int> binary;
        for (std::size_t i = start; i < end; ++i) {
          const std::size_t p = params.size();
          sql += (i == start ? "" : ",") + ("($" + std::to_string(p + 1) + "::bigint,$" + std::to_string(p + 2) + ",$" +
                                            std::to_string(p + 3) + ",$" + std::to_string(p + 4) + ",$" +
                                            std::to_string(p + 5) + "::bigint,$" + std::to_string(p + 6) + "::bytea)");
          const Record& r = records[i];
          params.push_back(std::to_string(++rev));
          params.emplace_back(r.type);
          params.emplace_back(r.account_id);
          params.emplace_back(r.actor);
          params.push_back(std::to_string(r.at_ms));
          params.emplace_back(r.payload);
          binary.push_back(static_cast<int>(p + 5));
        }
        main_.Exec(sql, params, GH_ERR_INTERNAL, binary);
      }
      main_.Exec("SELECT pg_notify('" + channel_ + "', '" + std::to_string(rev) + "'); COMMIT", {}, GH_ERR_UNAVAILABLE);
      return rev;
    } catch (...) {
      main_.Rollback();
      throw;
    }
  }

  std::size_t ReadSince(std::uint64_t since, std::size_t limit, const Sink& sink) override {
    std::vector<Row> rows;
    {
      std::lock_guard lock(mu_);
      auto res =
          main_.Exec("SELECT revision, type, account_id, actor, at, payload FROM " + Table("changes") +
                         " WHERE revision > $1::bigint ORDER BY revision LIMIT $2::bigint",
                     {std::to_string(since), limit == 0 ? std::string("9223372036854775807") : std::to_string(limit)},
                     GH_ERR_UNAVAILABLE);
      const int n = PQntuples(res.r);
      rows.reserve(static_cast<std::size_t>(n));
      for (int i = 0; i < n; ++i) {
        Row row;
        row.revision = BigEndian64(PQgetvalue(res.r, i, 0));
        row.type.assign(PQgetvalue(res.r, i, 1), static_cast<std::size_t>(PQgetlength(res.r, i, 1)));
        row.account_id.assign(PQgetvalue(res.r, i, 2), static_cast<std::size_t>(PQgetlength(res.r, i, 2)));
        row.actor.assign(PQgetvalue(res.r, i, 3), static_cast<std::size_t>(PQgetlength(res.r, i, 3)));
        row.at = static_cast<std::int64_t>(BigEndian64(PQgetvalue(res.r, i, 4)));
        row.payload.assign(PQgetvalue(res.r, i, 5), static_cast<std::size_t>(PQgetlength(res.r, i, 5)));
        rows.push_back(std::move(row));
      }
    }
    // The sink runs outside the lock: it may take long (a replay), and other calls go on.
    for (const Row& row : rows) sink(Record{row.revision, row.type, row.account_id, row.actor, row.at, row.payload});
    return rows.size();
  }

  std::uint64_t Head() override {
    std::lock_guard lock(mu_);
    return HeadOn(main_);
  }

  std::optional<std::string> CursorGet(std::string_view name) override {
    std::lock_guard lock(mu_);
    auto res = main_.Exec("SELECT value FROM " + Table("cursors") + " WHERE name = $1", {std::string(name)},
                          GH_ERR_UNAVAILABLE);
    if (PQntuples(res.r) == 0) return std::nullopt;
    return std::string(PQgetvalue(res.r, 0, 0), static_cast<std::size_t>(PQgetlength(res.r, 0, 0)));
  }

  void CursorPut(std::string_view name, std::string_view value) override {
    std::lock_guard lock(mu_);
    main_.Exec("INSERT INTO " + Table("cursors") +
                   " (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
               {std::string(name), std::string(value)}, GH_ERR_UNAVAILABLE);
  }

  void SnapshotPut(std::uint64_t revision, std::int64_t taken_at_ms,
                   const std::vector<std::string_view>& chunks) override {
    std::lock_guard lock(mu_);
    try {
      auto res = main_.Exec("BEGIN; " + HeadSql(), {}, GH_ERR_UNAVAILABLE);
      const std::uint64_t head = std::stoull(PQgetvalue(res.r, 0, 0));
      if (revision > head) {
        throw PluginError(GH_ERR_INVALID_ARGUMENT, "snapshot revision " + std::to_string(revision) +
                                                       " is past the head " + std::to_string(head));
      }
      const std::string rev = std::to_string(revision);
      main_.Exec("DELETE FROM " + Table("snapshots") + " WHERE revision = $1::bigint", {rev}, GH_ERR_UNAVAILABLE);
      main_.Exec("DELETE FROM " + Table("snapshot_chunks") + " WHERE revision = $1::bigint", {rev}, GH_ERR_UNAVAILABLE);
      std::uint64_t bytes = 0;
      for (std::size_t i = 0; i < chunks.size(); ++i) {
        main_.Exec("INSERT INTO " + Table("snapshot_chunks") +
                       " (revision, seq, data) VALUES ($1::bigint, $2::bigint, $3::bytea)",
                   {rev, std::to_string(i), std::string(chunks[i])}, GH_ERR_UNAVAILABLE, {2});
        bytes += chunks[i].size();
      }
      main_.Exec("INSERT INTO " + Table("snapshots") +
                     " (revision, taken_at, bytes, chunks) VALUES ($1::bigint, $2::bigint, $3::bigint, $4::bigint)",
                 {rev, std::to_string(taken_at_ms), std::to_string(bytes), std::to_string(chunks.size())},
                 GH_ERR_UNAVAILABLE);
      main_.Exec("COMMIT", {}, GH_ERR_UNAVAILABLE);
    } catch (...) {
      main_.Rollback();
      throw;
    }
  }

  std::vector<SnapshotInfo> SnapshotList(std::uint64_t* forgotten_through) override {
    std::lock_guard lock(mu_);
    auto res = main_.Exec("SELECT revision, taken_at, bytes FROM " + Table("snapshots") + " ORDER BY revision", {},
                          GH_ERR_UNAVAILABLE);
    std::vector<SnapshotInfo> out;
    for (int i = 0; i < PQntuples(res.r); ++i) {
      out.push_back(SnapshotInfo{BigEndian64(PQgetvalue(res.r, i, 0)),
                                 static_cast<std::int64_t>(BigEndian64(PQgetvalue(res.r, i, 1))),
                                 BigEndian64(PQgetvalue(res.r, i, 2))});
    }
    *forgotten_through = ForgottenLocked();
    return out;
  }

  void SnapshotRead(std::uint64_t revision, const std::function<void(std::string_view)>& chunk) override {
    std::vector<std::string> chunks;
    {
      std::lock_guard lock(mu_);
      try {
        // One snapshot of the database for both reads: a concurrent forget cannot take
        // chunks away between them.
        main_.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ", {}, GH_ERR_UNAVAILABLE);
        const std::string rev = std::to_string(revision);
        auto head = main_.Exec("SELECT chunks FROM " + Table("snapshots") + " WHERE revision = $1::bigint", {rev},
                               GH_ERR_UNAVAILABLE);
        if (PQntuples(head.r) == 0) {
          throw PluginError(GH_ERR_NOT_FOUND, "no snapshot at revision " + std::to_string(revision));
        }
        const std::uint64_t expected = BigEndian64(PQgetvalue(head.r, 0, 0));
        auto res = main_.Exec(
            "SELECT seq, data FROM " + Table("snapshot_chunks") + " WHERE revision = $1::bigint ORDER BY seq", {rev},
            GH_ERR_UNAVAILABLE);
        main_.Exec("COMMIT", {}, GH_ERR_UNAVAILABLE);
        for (int i = 0; i < PQntuples(res.r); ++i) {
          if (BigEndian64(PQgetvalue(res.r, i, 0)) != static_cast<std::uint64_t>(i)) break;
          chunks.emplace_back(PQgetvalue(res.r, i, 1), static_cast<std::size_t>(PQgetlength(res.r, i, 1)));
        }
        if (chunks.size() != expected) {
          throw PluginError(GH_ERR_INTERNAL, "postgres: snapshot " + rev + " has " + std::to_string(chunks.size()) +
                                                 " of its " + std::to_string(expected) + " chunks in order");
        }
      } catch (...) {
        main_.Rollback();
        throw;
      }
    }
    for (const auto& c : chunks) chunk(c);
  }

  void ForgetHistory(std::uint64_t through) override {
    std::lock_guard lock(mu_);
    try {
      main_.Exec("BEGIN; SELECT pg_advisory_xact_lock(" + std::to_string(log_key_) + ", 0)", {}, GH_ERR_UNAVAILABLE);
      if (!SnapshotExistsLocked(through)) {
        throw PluginError(GH_ERR_NOT_FOUND, "no snapshot at revision " + std::to_string(through) +
                                                ": history is forgotten only up to a snapshot");
      }
      if (through > ForgottenLocked()) {
        const std::string rev = std::to_string(through);
        main_.Exec("DELETE FROM " + Table("changes") + " WHERE revision <= $1::bigint", {rev}, GH_ERR_UNAVAILABLE);
        main_.Exec("DELETE FROM " + Table("snapshot_chunks") + " WHERE revision < $1::bigint", {rev},
                   GH_ERR_UNAVAILABLE);
        main_.Exec("DELETE FROM " + Table("snapshots") + " WHERE revision < $1::bigint", {rev}, GH_ERR_UNAVAILABLE);
        main_.Exec("INSERT INTO " + Table("meta") +
                       " (key, value) VALUES ('forgotten_through', $1) ON CONFLICT (key) DO UPDATE SET value = "
                       "excluded.value",
                   {rev}, GH_ERR_UNAVAILABLE);
      }
      main_.Exec("COMMIT", {}, GH_ERR_UNAVAILABLE);
    } catch (...) {
      main_.Rollback();
      throw;
    }
  }

  void SnapshotDrop(std::uint64_t revision) override {
    std::lock_guard lock(mu_);
    try {
      main_.Exec("BEGIN; SELECT pg_advisory_xact_lock(" + std::to_string(log_key_) + ", 0)", {}, GH_ERR_UNAVAILABLE);
      if (!SnapshotExistsLocked(revision)) {
        throw PluginError(GH_ERR_NOT_FOUND, "no snapshot at revision " + std::to_string(revision));
      }
      if (revision == ForgottenLocked()) {
        throw PluginError(GH_ERR_INVALID_ARGUMENT,
                          "snapshot " + std::to_string(revision) + " is where the kept history starts");
      }
      const std::string rev = std::to_string(revision);
      main_.Exec("DELETE FROM " + Table("snapshots") + " WHERE revision = $1::bigint", {rev}, GH_ERR_UNAVAILABLE);
      main_.Exec("DELETE FROM " + Table("snapshot_chunks") + " WHERE revision = $1::bigint", {rev}, GH_ERR_UNAVAILABLE);
      main_.Exec("COMMIT", {}, GH_ERR_UNAVAILABLE);
    } catch (...) {
      main_.Rollback();
      throw;
    }
  }

  void Compact() override {
    std::lock_guard lock(mu_);
    main_.Exec("VACUUM (ANALYZE) " + Table("changes"), {}, GH_ERR_UNAVAILABLE);
  }

  std::vector<std::pair<std::string, double>> Metrics() override {
    std::unique_lock lock(mu_, std::try_to_lock);
    if (!lock.owns_lock()) return {};  // must be cheap: skip while a long call runs
    try {
      auto res = main_.Exec("SELECT pg_total_relation_size('" + Table("changes") + "')::text", {}, GH_ERR_UNAVAILABLE);
      return {{"postgres_changes_bytes", std::stod(PQgetvalue(res.r, 0, 0))}, {"postgres_connected", 1}};
    } catch (const PluginError&) {
      return {{"postgres_connected", 0}};
    }
  }

  std::uint64_t WaitForChanges(std::uint64_t since, std::uint32_t timeout_ms) override {
    std::lock_guard lock(listen_mu_);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    bool fresh = false;
    PGconn* c = listen_.Get(&fresh);
    if (fresh) listen_.Exec("LISTEN " + channel_, {}, GH_ERR_UNAVAILABLE);
    // LISTEN is in place before the head is read: a commit after this read notifies us.
    Drain(c);
    std::uint64_t head = HeadOn(listen_);
    while (head <= since) {
      // A notification that arrived while the head was being read sits in libpq's queue,
      // not on the socket: polling now would sleep through it (seen: a write became visible
      // on another node only after the whole timeout, once in 2000).
      if (Drain(c)) {
        head = HeadOn(listen_);
        continue;
      }
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd pfd{PQsocket(c), POLLIN, 0};
      const int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
      if (ready < 0 && errno != EINTR) throw PluginError(GH_ERR_UNAVAILABLE, std::string("poll: ") + strerror(errno));
      if (ready <= 0) continue;
      if (PQconsumeInput(c) == 0) {
        std::string why = PQerrorMessage(c);
        listen_.Drop();
        throw PluginError(GH_ERR_UNAVAILABLE, "postgres (listen): " + why);
      }
      if (Drain(c)) head = HeadOn(listen_);
    }
    return head;
  }

  bool TryLease(std::string_view name) override {
    std::lock_guard lock(lease_mu_);
    bool fresh = false;
    lease_.Get(&fresh);
    if (fresh) held_.clear();  // a new session holds nothing
    const std::string key = LeaseKey(name);
    if (held_.count(std::string(name)) != 0) {
      // Still ours while the session lives; ask the server, which also tests the session.
      auto res = lease_.Exec(
          "SELECT count(*)::text FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() "
          "AND classid = $1::int4::oid AND objid = $2::int4::oid AND objsubid = 2 AND granted",
          {std::to_string(log_key_), key}, GH_ERR_UNAVAILABLE);
      if (std::string(PQgetvalue(res.r, 0, 0)) != "0") return true;
      held_.erase(std::string(name));
    }
    auto res = lease_.Exec("SELECT pg_try_advisory_lock($1::int4, $2::int4)::text", {std::to_string(log_key_), key},
                           GH_ERR_UNAVAILABLE);
    const bool got = std::string(PQgetvalue(res.r, 0, 0)) == "true";
    if (got) held_.insert(std::string(name));
    return got;
  }

  void ReleaseLease(std::string_view name) override {
    std::lock_guard lock(lease_mu_);
    if (held_.erase(std::string(name)) == 0) return;
    const std::string key = LeaseKey(name);
    lease_.Exec("SELECT pg_advisory_unlock($1::int4, $2::int4)", {std::to_string(log_key_), key}, GH_ERR_UNAVAILABLE);
  }

 private:
  struct Row {
    std::uint64_t revision = 0;
    std::string type, account_id, actor;
    std::int64_t at = 0;
    std::string payload;
  };

  PostgresStorage(Host host, const Options& options)
      : host_(host),
        schema_(options.Get("schema", "gatehouse")),
        main_(Params(options), "main"),
        listen_(Params(options), "listen"),
        lease_(Params(options), "lease") {}

  static void Refuse(const std::string& message) { throw PluginError(GH_ERR_INVALID_ARGUMENT, message); }

  // libpq keyword/value pairs from the options. A password may come only from a file.
  static std::vector<std::pair<std::string, std::string>> Params(const Options& options) {
    std::vector<std::pair<std::string, std::string>> out;
    const std::string conninfo = options.Get("conninfo");
    if (!conninfo.empty()) {
      char* error = nullptr;
      PQconninfoOption* parsed = PQconninfoParse(conninfo.c_str(), &error);
      if (parsed == nullptr) {
        std::string why = error != nullptr ? error : "out of memory";
        PQfreemem(error);
        while (!why.empty() && why.back() == '\n') why.pop_back();
        Refuse("option \"conninfo\": " + why);
      }
      for (PQconninfoOption* o = parsed; o->keyword != nullptr; ++o) {
        if (o->val == nullptr) continue;
        if (std::strcmp(o->keyword, "password") == 0) {
          PQconninfoFree(parsed);
          Refuse(
              "option \"conninfo\" contains a password: put it in a file named by \"password_file\" (or a "
              "~/.pgpass of the service user), never in the configuration");
        }
        out.emplace_back(o->keyword, o->val);
      }
      PQconninfoFree(parsed);
    }
    for (const char* key : {"host", "port", "dbname", "user", "sslmode"}) {
      const std::string v = options.Get(key);
      if (!v.empty()) out.emplace_back(key, v);
    }
    const std::string password_file = options.Get("password_file");
    if (!password_file.empty()) {
      std::ifstream in(password_file);
      if (!in) Refuse("option \"password_file\": cannot read \"" + password_file + "\": " + std::strerror(errno));
      std::string password;
      std::getline(in, password);
      out.emplace_back("password", password);
    }
    out.emplace_back("connect_timeout",
                     std::to_string(std::max<std::int64_t>(1, options.GetInt("connect_timeout_s", 5))));
    out.emplace_back("application_name", "gatehouse");
    // A dead server or network is noticed by the kernel within seconds, not hours.
    out.emplace_back("keepalives_idle", "5");
    out.emplace_back("keepalives_interval", "2");
    out.emplace_back("keepalives_count", "3");
    return out;
  }

  std::string Table(const char* name) const { return "\"" + schema_ + "\"." + name; }

  std::uint64_t HeadOn(Connection& conn) {
    auto res = conn.Exec(HeadSql() + ";", {}, GH_ERR_UNAVAILABLE);  // ';': a text result
    return std::stoull(PQgetvalue(res.r, 0, 0));
  }

  // The head as text: the last record's revision, never below what was forgotten.
  std::string HeadSql() const {
    return "SELECT GREATEST(COALESCE((SELECT MAX(revision) FROM " + Table("changes") +
           "), 0), COALESCE((SELECT value::bigint FROM " + Table("meta") +
           " WHERE key = 'forgotten_through'), 0))::text";
  }

  std::uint64_t ForgottenLocked() {
    auto res =
        main_.Exec("SELECT value FROM " + Table("meta") + " WHERE key = 'forgotten_through'", {}, GH_ERR_UNAVAILABLE);
    if (PQntuples(res.r) == 0) return 0;
    return std::stoull(std::string(PQgetvalue(res.r, 0, 0), static_cast<std::size_t>(PQgetlength(res.r, 0, 0))));
  }

  bool SnapshotExistsLocked(std::uint64_t revision) {
    auto res = main_.Exec("SELECT 1 FROM " + Table("snapshots") + " WHERE revision = $1::bigint",
                          {std::to_string(revision)}, GH_ERR_UNAVAILABLE);
    return PQntuples(res.r) > 0;
  }

  // Consumes queued notifications; true when there was any.
  static bool Drain(PGconn* c) {
    bool any = false;
    while (PGnotify* n = PQnotifies(c)) {
      any = true;
      PQfreemem(n);
    }
    return any;
  }

  void Init() {
    if (schema_.empty() || schema_.size() > 48 ||
        schema_.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos ||
        (schema_[0] >= '0' && schema_[0] <= '9')) {
      Refuse("option \"schema\": expected 1 to 48 of a-z, 0-9 and _ (not starting with a digit), got \"" + schema_ +
             "\"");
    }
    log_key_ = Key31("gatehouse:" + schema_);
    channel_ = "gatehouse_" + schema_;
    std::lock_guard lock(mu_);
    // Several daemons may start at once: the DDL runs under the log's second advisory key.
    try {
      main_.Exec("BEGIN; SELECT pg_advisory_xact_lock(" + std::to_string(log_key_) + ", 1); " +
                     "CREATE SCHEMA IF NOT EXISTS \"" + schema_ + "\"; CREATE TABLE IF NOT EXISTS " + Table("changes") +
                     " (revision bigint PRIMARY KEY, type text NOT NULL, account_id text NOT NULL, "
                     "actor text NOT NULL, at bigint NOT NULL, payload bytea NOT NULL); "
                     "CREATE TABLE IF NOT EXISTS " +
                     Table("cursors") + " (name text PRIMARY KEY, value text NOT NULL); CREATE TABLE IF NOT EXISTS " +
                     Table("meta") + " (key text PRIMARY KEY, value text NOT NULL); INSERT INTO " + Table("meta") +
                     " (key, value) VALUES ('schema_version', '" + std::to_string(kSchemaVersion) +
                     "') ON CONFLICT (key) DO NOTHING; CREATE TABLE IF NOT EXISTS " + Table("snapshots") +
                     " (revision bigint PRIMARY KEY, taken_at bigint NOT NULL, bytes bigint NOT NULL, "
                     "chunks bigint NOT NULL); CREATE TABLE IF NOT EXISTS " +
                     Table("snapshot_chunks") +
                     " (revision bigint NOT NULL, seq bigint NOT NULL, data bytea NOT NULL, "
                     "PRIMARY KEY (revision, seq)); COMMIT",
                 {}, GH_ERR_UNAVAILABLE);
    } catch (...) {
      main_.Rollback();
      throw;
    }
    auto version = main_.Exec("SELECT value FROM " + Table("meta") + " WHERE key = 'schema_version'");
    const std::string v = PQntuples(version.r) > 0 ? PQgetvalue(version.r, 0, 0) : "";
    if (v != std::to_string(kSchemaVersion)) {
      throw PluginError(GH_ERR_UNAVAILABLE, "postgres schema \"" + schema_ + "\" has version " + v +
                                                "; this plugin reads version " + std::to_string(kSchemaVersion));
    }
    host_.Log(GH_LOG_INFO, "postgres storage opened (schema " + schema_ + ", server " +
                               std::to_string(PQserverVersion(main_.Get())) + ")");
  }

  Host host_;
  std::string schema_;
  std::int32_t log_key_ = 0;
  std::string channel_;
  std::mutex mu_;
  Connection main_;
  std::mutex listen_mu_;
  Connection listen_;
  std::mutex lease_mu_;
  Connection lease_;
  std::set<std::string> held_;
};

const gh_option_spec kOptions[] = {
    {sizeof(gh_option_spec), "conninfo", GH_OPT_STRING, "",
     "libpq connection string (\"host=db port=5432 dbname=gatehouse user=gatehouse sslmode=verify-full\"); no "
     "password",
     0},
    {sizeof(gh_option_spec), "host", GH_OPT_STRING, "", "Server host (overrides conninfo)", 0},
    {sizeof(gh_option_spec), "port", GH_OPT_STRING, "", "Server port (overrides conninfo)", 0},
    {sizeof(gh_option_spec), "dbname", GH_OPT_STRING, "", "Database name (overrides conninfo)", 0},
    {sizeof(gh_option_spec), "user", GH_OPT_STRING, "", "User name (overrides conninfo)", 0},
    {sizeof(gh_option_spec), "sslmode", GH_OPT_STRING, "", "libpq sslmode (overrides conninfo)", 0},
    {sizeof(gh_option_spec), "password_file", GH_OPT_STRING, "",
     "File whose first line is the password (readable by the daemon's user only)", 0},
    {sizeof(gh_option_spec), "schema", GH_OPT_STRING, "gatehouse",
     "Schema that holds the log's tables (created when missing); one schema per cluster of daemons", 0},
    {sizeof(gh_option_spec), "connect_timeout_s", GH_OPT_INT, "5", "Longest wait for a connection, in seconds", 0},
};

}  // namespace

GH_DEFINE_STORAGE_PLUGIN(PostgresStorage, "postgres", "1.0.0",
                         "Change log in PostgreSQL, shared by several daemons (LISTEN/NOTIFY, advisory-lock leases)",
                         kOptions)
