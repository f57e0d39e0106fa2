// gatehouse-storage-sqlite: the default change log, one SQLite file in WAL mode.
//
// Durability: each append is one IMMEDIATE transaction, committed with synchronous=FULL
// by default before the call returns, so an acknowledged write survives kill -9 and power
// loss. Revisions are the table's INTEGER PRIMARY KEY, so the file itself enforces order.
// One connection, guarded by a mutex: SQLite serializes writers anyway.
//
// One process per database: Open takes an exclusive lock (flock) on "<path>.lock" and
// writes its PID there; a second daemon on the same file is refused with "database PATH is
// in use by process N" instead of serving a state it can never update.
//
// The write-ahead log stays bounded: every statement is reset as soon as its rows are read
// (an un-reset SELECT holds a read snapshot that stops every checkpoint from completing), a
// PASSIVE checkpoint runs every `wal_autocheckpoint` pages, and `journal_size_limit`
// truncates the -wal file after each checkpoint. `metrics` reports wal_bytes and db_bytes.
//
// Snapshots (ABI 1.3): the host's chunks are rows of `snapshot_chunks`, and a row of
// `snapshots` — written last, in the same transaction — says the snapshot is whole.
// Forgetting history deletes records and older snapshots and records `forgotten_through`
// in `meta` in one transaction; the head is never below it, even when no record is left.
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <gatehouse/plugin.hpp>
#include <mutex>
#include <string>

namespace {

using gatehouse::sdk::Host;
using gatehouse::sdk::Options;
using gatehouse::sdk::PluginError;
using gatehouse::sdk::Record;

constexpr int kSchemaVersion = 1;

class SqliteStorage final : public gatehouse::sdk::StoragePlugin {
 public:
  static constexpr bool kSnapshots = true;

  static std::unique_ptr<SqliteStorage> Create(Host host, const Options& options) {
    auto self = std::unique_ptr<SqliteStorage>(new SqliteStorage(host));
    self->Open(options);
    return self;
  }

  ~SqliteStorage() override {
    for (auto* st : {insert_, read_since_, head_, cursor_get_, cursor_put_, chunk_put_, chunk_get_, snapshot_get_,
                     snapshot_list_, forgotten_}) {
      sqlite3_finalize(st);
    }
    if (db_ != nullptr) sqlite3_close(db_);
    if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
  }

  std::uint64_t Load(const Sink& sink) override {
    std::lock_guard lock(mu_);
    std::uint64_t last = 0;
    ReadLocked(0, 0, sink, &last);
    return std::max(last, HeadLocked());
  }

  std::uint64_t Append(const std::vector<Record>& records, std::uint64_t expected_head) override {
    std::lock_guard lock(mu_);
    Exec("BEGIN IMMEDIATE", GH_ERR_UNAVAILABLE);
    try {
      const std::uint64_t head = HeadLocked();
      if (head != expected_head) {
        throw PluginError(GH_ERR_CONFLICT,
                          "log head is " + std::to_string(head) + ", expected " + std::to_string(expected_head));
      }
      std::uint64_t rev = head;
      for (const auto& r : records) {
        ++rev;
        sqlite3_reset(insert_);
        sqlite3_bind_int64(insert_, 1, static_cast<sqlite3_int64>(rev));
        BindText(insert_, 2, r.type);
        BindText(insert_, 3, r.account_id);
        BindText(insert_, 4, r.actor);
        sqlite3_bind_int64(insert_, 5, r.at_ms);
        sqlite3_bind_blob(insert_, 6, r.payload.data(), static_cast<int>(r.payload.size()), SQLITE_STATIC);
        Step(insert_, SQLITE_DONE, GH_ERR_UNAVAILABLE);
      }
      Exec("COMMIT", GH_ERR_UNAVAILABLE);
      return rev;
    } catch (...) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }

  std::size_t ReadSince(std::uint64_t since, std::size_t limit, const Sink& sink) override {
    std::lock_guard lock(mu_);
    std::uint64_t last = 0;
    return ReadLocked(since, limit, sink, &last);
  }

  std::uint64_t Head() override {
    std::lock_guard lock(mu_);
    return HeadLocked();
  }

  std::optional<std::string> CursorGet(std::string_view name) override {
    std::lock_guard lock(mu_);
    Reset done(cursor_get_);
    BindText(cursor_get_, 1, name);
    const int rc = sqlite3_step(cursor_get_);
    if (rc == SQLITE_DONE) return std::nullopt;
    if (rc != SQLITE_ROW) Fail(GH_ERR_UNAVAILABLE, "reading cursor");
    return ColumnText(cursor_get_, 0);
  }

  void CursorPut(std::string_view name, std::string_view value) override {
    std::lock_guard lock(mu_);
    Reset done(cursor_put_);
    BindText(cursor_put_, 1, name);
    BindText(cursor_put_, 2, value);
    Step(cursor_put_, SQLITE_DONE, GH_ERR_UNAVAILABLE);
  }

  void Compact() override {
    std::lock_guard lock(mu_);
    Exec("PRAGMA wal_checkpoint(TRUNCATE)", GH_ERR_UNAVAILABLE);
  }

  void SnapshotPut(std::uint64_t revision, std::int64_t taken_at_ms,
                   const std::vector<std::string_view>& chunks) override {
    std::lock_guard lock(mu_);
    Exec("BEGIN IMMEDIATE", GH_ERR_UNAVAILABLE);
    try {
      if (revision > HeadLocked()) {
        throw PluginError(GH_ERR_INVALID_ARGUMENT, "snapshot revision " + std::to_string(revision) +
                                                       " is past the head " + std::to_string(HeadLocked()));
      }
      const std::string rev = std::to_string(revision);
      Exec("DELETE FROM snapshots WHERE revision = " + rev, GH_ERR_UNAVAILABLE);
      Exec("DELETE FROM snapshot_chunks WHERE revision = " + rev, GH_ERR_UNAVAILABLE);
      std::uint64_t bytes = 0;
      for (std::size_t i = 0; i < chunks.size(); ++i) {
        Reset done(chunk_put_);
        sqlite3_bind_int64(chunk_put_, 1, static_cast<sqlite3_int64>(revision));
        sqlite3_bind_int64(chunk_put_, 2, static_cast<sqlite3_int64>(i));
        sqlite3_bind_blob(chunk_put_, 3, chunks[i].data(), static_cast<int>(chunks[i].size()), SQLITE_STATIC);
        Step(chunk_put_, SQLITE_DONE, GH_ERR_UNAVAILABLE);
        bytes += chunks[i].size();
      }
      Exec("INSERT INTO snapshots (revision, taken_at, bytes, chunks) VALUES (" + rev + ", " +
               std::to_string(taken_at_ms) + ", " + std::to_string(bytes) + ", " + std::to_string(chunks.size()) + ")",
           GH_ERR_UNAVAILABLE);
      Exec("COMMIT", GH_ERR_UNAVAILABLE);
    } catch (...) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }

  std::vector<SnapshotInfo> SnapshotList(std::uint64_t* forgotten_through) override {
    std::lock_guard lock(mu_);
    std::vector<SnapshotInfo> out;
    {
      Reset done(snapshot_list_);
      for (;;) {
        const int rc = sqlite3_step(snapshot_list_);
        if (rc == SQLITE_DONE) break;
        if (rc != SQLITE_ROW) Fail(GH_ERR_UNAVAILABLE, "listing snapshots");
        out.push_back(SnapshotInfo{static_cast<std::uint64_t>(sqlite3_column_int64(snapshot_list_, 0)),
                                   sqlite3_column_int64(snapshot_list_, 1),
                                   static_cast<std::uint64_t>(sqlite3_column_int64(snapshot_list_, 2))});
      }
    }
    *forgotten_through = ForgottenLocked();
    return out;
  }

  void SnapshotRead(std::uint64_t revision, const std::function<void(std::string_view)>& chunk) override {
    std::lock_guard lock(mu_);
    // One read transaction, so a concurrent forget cannot take chunks away halfway.
    Exec("BEGIN", GH_ERR_UNAVAILABLE);
    try {
      std::int64_t expected = -1;
      {
        Reset done(snapshot_get_);
        sqlite3_bind_int64(snapshot_get_, 1, static_cast<sqlite3_int64>(revision));
        const int rc = sqlite3_step(snapshot_get_);
        if (rc == SQLITE_ROW)
          expected = sqlite3_column_int64(snapshot_get_, 0);
        else if (rc != SQLITE_DONE)
          Fail(GH_ERR_UNAVAILABLE, "reading a snapshot");
      }
      if (expected < 0) throw PluginError(GH_ERR_NOT_FOUND, "no snapshot at revision " + std::to_string(revision));
      std::int64_t seen = 0;
      {
        Reset done(chunk_get_);
        sqlite3_bind_int64(chunk_get_, 1, static_cast<sqlite3_int64>(revision));
        for (;;) {
          const int rc = sqlite3_step(chunk_get_);
          if (rc == SQLITE_DONE) break;
          if (rc != SQLITE_ROW) Fail(GH_ERR_UNAVAILABLE, "reading snapshot chunks");
          if (sqlite3_column_int64(chunk_get_, 0) != seen) break;
          const auto* p = static_cast<const char*>(sqlite3_column_blob(chunk_get_, 1));
          chunk(std::string_view(p == nullptr ? "" : p, static_cast<std::size_t>(sqlite3_column_bytes(chunk_get_, 1))));
          ++seen;
        }
      }
      if (seen != expected) {
        throw PluginError(GH_ERR_INTERNAL, "sqlite " + path_ + ": snapshot " + std::to_string(revision) + " has " +
                                               std::to_string(seen) + " of its " + std::to_string(expected) +
                                               " chunks in order");
      }
      Exec("COMMIT", GH_ERR_UNAVAILABLE);
    } catch (...) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }

  void ForgetHistory(std::uint64_t through) override {
    std::lock_guard lock(mu_);
    Exec("BEGIN IMMEDIATE", GH_ERR_UNAVAILABLE);
    try {
      bool exists = false;
      {
        Reset done(snapshot_get_);
        sqlite3_bind_int64(snapshot_get_, 1, static_cast<sqlite3_int64>(through));
        const int rc = sqlite3_step(snapshot_get_);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) Fail(GH_ERR_UNAVAILABLE, "reading a snapshot");
        exists = rc == SQLITE_ROW;
      }
      if (!exists) {
        throw PluginError(GH_ERR_NOT_FOUND, "no snapshot at revision " + std::to_string(through) +
                                                ": history is forgotten only up to a snapshot");
      }
      if (through > ForgottenLocked()) {
        const std::string rev = std::to_string(through);
        Exec("DELETE FROM changes WHERE revision <= " + rev, GH_ERR_UNAVAILABLE);
        Exec("DELETE FROM snapshot_chunks WHERE revision < " + rev, GH_ERR_UNAVAILABLE);
        Exec("DELETE FROM snapshots WHERE revision < " + rev, GH_ERR_UNAVAILABLE);
        Exec("INSERT INTO meta (key, value) VALUES ('forgotten_through', '" + rev +
                 "') ON CONFLICT(key) DO UPDATE SET value = excluded.value",
             GH_ERR_UNAVAILABLE);
      }
      Exec("COMMIT", GH_ERR_UNAVAILABLE);
    } catch (...) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }

  void SnapshotDrop(std::uint64_t revision) override {
    std::lock_guard lock(mu_);
    Exec("BEGIN IMMEDIATE", GH_ERR_UNAVAILABLE);
    try {
      {
        Reset done(snapshot_get_);
        sqlite3_bind_int64(snapshot_get_, 1, static_cast<sqlite3_int64>(revision));
        const int rc = sqlite3_step(snapshot_get_);
        if (rc == SQLITE_DONE)
          throw PluginError(GH_ERR_NOT_FOUND, "no snapshot at revision " + std::to_string(revision));
        if (rc != SQLITE_ROW) Fail(GH_ERR_UNAVAILABLE, "reading a snapshot");
      }
      if (revision == ForgottenLocked()) {
        throw PluginError(GH_ERR_INVALID_ARGUMENT,
                          "snapshot " + std::to_string(revision) + " is where the kept history starts");
      }
      const std::string rev = std::to_string(revision);
      Exec("DELETE FROM snapshots WHERE revision = " + rev, GH_ERR_UNAVAILABLE);
      Exec("DELETE FROM snapshot_chunks WHERE revision = " + rev, GH_ERR_UNAVAILABLE);
      Exec("COMMIT", GH_ERR_UNAVAILABLE);
    } catch (...) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }

  std::vector<std::pair<std::string, double>> Metrics() override {
    return {{"wal_bytes", FileSize(path_ + "-wal")}, {"db_bytes", FileSize(path_)}};
  }

 private:
  explicit SqliteStorage(Host host) : host_(host) {}

  // Resets a statement when the scope ends, so no read snapshot outlives its call.
  struct Reset {
    explicit Reset(sqlite3_stmt* st) : st_(st) { sqlite3_reset(st_); }
    ~Reset() {
      sqlite3_reset(st_);
      sqlite3_clear_bindings(st_);
    }
    Reset(const Reset&) = delete;
    Reset& operator=(const Reset&) = delete;
    sqlite3_stmt* st_;
  };

  static double FileSize(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? static_cast<double>(st.st_size) : 0.0;
  }

  // One process per database file: an exclusive flock on <path>.lock, holding our PID.
  void LockDatabase() {
    const std::string lock_path = path_ + ".lock";
    lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock_fd_ < 0) {
      throw PluginError(GH_ERR_UNAVAILABLE, "cannot open lock file \"" + lock_path + "\" for database \"" + path_ +
                                                "\": " + std::strerror(errno));
    }
    if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      char buf[32] = {0};
      const ssize_t n = ::pread(lock_fd_, buf, sizeof buf - 1, 0);
      std::string holder = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
      while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
      ::close(lock_fd_);
      lock_fd_ = -1;
      if (err == EWOULDBLOCK) {
        throw PluginError(GH_ERR_UNAVAILABLE, "database \"" + path_ + "\" is in use by process " +
                                                  (holder.empty() ? std::string("(unknown)") : holder) +
                                                  " (lock file " + lock_path + "); one daemon per database file");
      }
      throw PluginError(GH_ERR_UNAVAILABLE, "cannot lock \"" + lock_path + "\": " + std::strerror(err));
    }
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(lock_fd_, 0) != 0 || ::pwrite(lock_fd_, pid.data(), pid.size(), 0) < 0) {
      host_.Log(GH_LOG_WARN, "cannot write the PID into " + lock_path + ": " + std::strerror(errno));
    }
  }

  // The database file must be readable and writable by us: say why when it is not (SQLite
  // itself only says "unable to open database file").
  void CheckAccess() const {
    const int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
      throw PluginError(GH_ERR_UNAVAILABLE, "cannot open SQLite database \"" + path_ + "\": " + std::strerror(errno));
    }
    ::close(fd);
  }

  void Open(const Options& options) {
    path_ = options.Get("path");
    if (path_.empty()) throw PluginError(GH_ERR_INVALID_ARGUMENT, "option \"path\" must not be empty");
    const std::string sync = options.Get("synchronous", "FULL");
    if (sync != "FULL" && sync != "NORMAL" && sync != "EXTRA") {
      throw PluginError(GH_ERR_INVALID_ARGUMENT,
                        "option \"synchronous\": expected FULL, EXTRA or NORMAL, got \"" + sync + "\"");
    }
    CheckAccess();
    LockDatabase();
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
    if (sqlite3_open_v2(path_.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      std::string msg = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
      throw PluginError(GH_ERR_UNAVAILABLE, "cannot open SQLite database \"" + path_ + "\": " + msg);
    }
    sqlite3_busy_timeout(db_, static_cast<int>(options.GetInt("busy_timeout_ms", 5000)));
    Exec("PRAGMA journal_mode=WAL", GH_ERR_UNAVAILABLE);
    Exec("PRAGMA synchronous=" + sync, GH_ERR_UNAVAILABLE);
    Exec("PRAGMA wal_autocheckpoint=" + std::to_string(options.GetInt("wal_autocheckpoint_pages", 1000)),
         GH_ERR_UNAVAILABLE);
    Exec("PRAGMA journal_size_limit=" + std::to_string(options.GetInt("wal_size_limit_bytes", 64 << 20)),
         GH_ERR_UNAVAILABLE);
    Exec(
        "CREATE TABLE IF NOT EXISTS changes (revision INTEGER PRIMARY KEY, type TEXT NOT NULL, "
        "account_id TEXT NOT NULL, actor TEXT NOT NULL, at INTEGER NOT NULL, payload BLOB NOT NULL)",
        GH_ERR_UNAVAILABLE);
    Exec("CREATE TABLE IF NOT EXISTS cursors (name TEXT PRIMARY KEY, value TEXT NOT NULL)", GH_ERR_UNAVAILABLE);
    Exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)", GH_ERR_UNAVAILABLE);
    Exec("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', '" + std::to_string(kSchemaVersion) + "')",
         GH_ERR_UNAVAILABLE);
    Exec(
        "CREATE TABLE IF NOT EXISTS snapshots (revision INTEGER PRIMARY KEY, taken_at INTEGER NOT NULL, "
        "bytes INTEGER NOT NULL, chunks INTEGER NOT NULL)",
        GH_ERR_UNAVAILABLE);
    Exec(
        "CREATE TABLE IF NOT EXISTS snapshot_chunks (revision INTEGER NOT NULL, seq INTEGER NOT NULL, "
        "data BLOB NOT NULL, PRIMARY KEY (revision, seq))",
        GH_ERR_UNAVAILABLE);
    insert_ = Prepare(
        "INSERT INTO changes (revision, type, account_id, actor, at, payload) "
        "VALUES (?, ?, ?, ?, ?, ?)");
    read_since_ = Prepare(
        "SELECT revision, type, account_id, actor, at, payload FROM changes "
        "WHERE revision > ? ORDER BY revision LIMIT ?");
    // Never below what was forgotten: a log whose every record was forgotten keeps its head.
    head_ = Prepare(
        "SELECT MAX(COALESCE((SELECT MAX(revision) FROM changes), 0), "
        "COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'forgotten_through'), 0))");
    forgotten_ = Prepare("SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'forgotten_through'");
    chunk_put_ = Prepare("INSERT INTO snapshot_chunks (revision, seq, data) VALUES (?, ?, ?)");
    chunk_get_ = Prepare("SELECT seq, data FROM snapshot_chunks WHERE revision = ? ORDER BY seq");
    snapshot_get_ = Prepare("SELECT chunks FROM snapshots WHERE revision = ?");
    snapshot_list_ = Prepare("SELECT revision, taken_at, bytes FROM snapshots ORDER BY revision");
    cursor_get_ = Prepare("SELECT value FROM cursors WHERE name = ?");
    cursor_put_ = Prepare(
        "INSERT INTO cursors (name, value) VALUES (?, ?) "
        "ON CONFLICT(name) DO UPDATE SET value = excluded.value");
    host_.Log(GH_LOG_INFO, "sqlite storage opened " + path_ + " (WAL, synchronous=" + sync + ")");
  }

  [[noreturn]] void Fail(gh_status status, const std::string& what) const {
    std::string message = "sqlite " + path_ + ": " + what + ": " + sqlite3_errmsg(db_);
    if (const int err = sqlite3_system_errno(db_); err != 0) message += std::string(" (") + std::strerror(err) + ")";
    throw PluginError(status, message);
  }

  void Exec(const std::string& sql, gh_status status) {
    char* msg = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
      std::string m = msg != nullptr ? msg : "error";
      sqlite3_free(msg);
      throw PluginError(status, "sqlite " + path_ + ": " + sql.substr(0, 40) + ": " + m);
    }
  }

  sqlite3_stmt* Prepare(const char* sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql, -1, &st, nullptr) != SQLITE_OK) Fail(GH_ERR_INTERNAL, "prepare");
    return st;
  }

  void Step(sqlite3_stmt* st, int want, gh_status status) {
    if (sqlite3_step(st) != want) Fail(status, "write");
  }

  static void BindText(sqlite3_stmt* st, int i, std::string_view s) {
    sqlite3_bind_text(st, i, s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
  }

  static std::string ColumnText(sqlite3_stmt* st, int i) {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(st, i));
    return std::string(p == nullptr ? "" : p, static_cast<std::size_t>(sqlite3_column_bytes(st, i)));
  }

  std::uint64_t HeadLocked() {
    // Left un-reset, this SELECT kept a read snapshot open between calls, and no checkpoint
    // could get past it: the -wal file grew by every append (770 MB in a 4-minute soak).
    Reset done(head_);
    if (sqlite3_step(head_) != SQLITE_ROW) Fail(GH_ERR_UNAVAILABLE, "reading head");
    return static_cast<std::uint64_t>(sqlite3_column_int64(head_, 0));
  }

  std::uint64_t ForgottenLocked() {
    Reset done(forgotten_);
    const int rc = sqlite3_step(forgotten_);
    if (rc == SQLITE_DONE) return 0;
    if (rc != SQLITE_ROW) Fail(GH_ERR_UNAVAILABLE, "reading forgotten_through");
    return static_cast<std::uint64_t>(sqlite3_column_int64(forgotten_, 0));
  }

  // limit 0 = everything.
  std::size_t ReadLocked(std::uint64_t since, std::size_t limit, const Sink& sink, std::uint64_t* last) {
    Reset done(read_since_);
    sqlite3_bind_int64(read_since_, 1, static_cast<sqlite3_int64>(since));
    sqlite3_bind_int64(read_since_, 2, limit == 0 ? -1 : static_cast<sqlite3_int64>(limit));
    std::size_t n = 0;
    for (;;) {
      const int rc = sqlite3_step(read_since_);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) Fail(GH_ERR_UNAVAILABLE, "reading changes");
      const std::string type = ColumnText(read_since_, 1), account = ColumnText(read_since_, 2),
                        actor = ColumnText(read_since_, 3), payload = ColumnText(read_since_, 5);
      Record r{static_cast<std::uint64_t>(sqlite3_column_int64(read_since_, 0)),
               type,
               account,
               actor,
               sqlite3_column_int64(read_since_, 4),
               payload};
      *last = r.revision;
      sink(r);
      ++n;
    }
    return n;
  }

  Host host_;
  std::mutex mu_;
  std::string path_;
  sqlite3* db_ = nullptr;
  int lock_fd_ = -1;
  sqlite3_stmt *insert_ = nullptr, *read_since_ = nullptr, *head_ = nullptr, *cursor_get_ = nullptr,
               *cursor_put_ = nullptr, *chunk_put_ = nullptr, *chunk_get_ = nullptr, *snapshot_get_ = nullptr,
               *snapshot_list_ = nullptr, *forgotten_ = nullptr;
};

const gh_option_spec kOptions[] = {
    {sizeof(gh_option_spec), "path", GH_OPT_STRING, nullptr, "Database file (created if missing)", 1},
    {sizeof(gh_option_spec), "synchronous", GH_OPT_STRING, "FULL",
     "SQLite synchronous mode: FULL (durable on power loss), EXTRA, or NORMAL (durable on process crash only)", 0},
    {sizeof(gh_option_spec), "busy_timeout_ms", GH_OPT_INT, "5000",
     "How long to wait for a lock held by another process", 0},
    {sizeof(gh_option_spec), "wal_autocheckpoint_pages", GH_OPT_INT, "1000",
     "Checkpoint the write-ahead log into the database every this many pages", 0},
    {sizeof(gh_option_spec), "wal_size_limit_bytes", GH_OPT_INT, "67108864",
     "Truncate the -wal file to at most this size after each checkpoint", 0},
};

}  // namespace

GH_DEFINE_STORAGE_PLUGIN(SqliteStorage, "sqlite", "1.0.0", "Change log in one SQLite file (WAL); the default storage",
                         kOptions)
