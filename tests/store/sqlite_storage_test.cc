// The SQLite storage plugin's own promises, through the real .so and the real host: one
// process per database, a reason when the file cannot be opened, and a bounded WAL.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "store/plugin_change_log.h"
#include "store/plugin_host.h"
#include "support/temp_dir.h"
#include "support/unprivileged.h"

namespace gatehouse {
namespace {

Result<std::unique_ptr<PluginChangeLog>> OpenSqlite(const std::map<std::string, std::string>& options) {
  auto plugin = PluginHost(GATEHOUSE_PLUGIN_DIR).Load("storage", "sqlite");
  if (!plugin.ok()) return plugin.status();
  return PluginChangeLog::Open(*plugin, options, nullptr);
}

double FileSize(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<double>(st.st_size) : 0.0;
}

// Issue 8, item 3: two daemons on one file both started; the second could never write.
TEST(SqliteStorageTest, SecondOpenOfTheSameFileIsRefusedWithTheHoldersPid) {
  testing::TempDir dir;
  auto first = OpenSqlite({{"path", dir.File("g.db")}});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = OpenSqlite({{"path", dir.File("g.db")}});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find("database \"" + dir.File("g.db") + "\" is in use by process " +
                                           std::to_string(::getpid())),
            std::string::npos)
      << second.status().message();
  first->reset();  // closing releases the lock
  EXPECT_TRUE(OpenSqlite({{"path", dir.File("g.db")}}).ok());
}

// Issue 8, item 10: an unreadable database said only "unable to open database file".
TEST(SqliteStorageTest, UnreadableDatabaseSaysWhy) {
  testing::TempDir dir;
  ASSERT_TRUE(OpenSqlite({{"path", dir.File("g.db")}}).ok());
  ASSERT_EQ(::chmod(dir.path().c_str(), 0777), 0);
  ASSERT_EQ(::chmod(dir.File("g.db").c_str(), 0600), 0);
  const std::string db = dir.File("g.db");
  const std::string message = testing::RunUnprivileged([&] {
    auto log = OpenSqlite({{"path", db}});
    return log.ok() ? std::string("opened") : log.status().message();
  });
  EXPECT_EQ(message, "storage \"sqlite\": open: cannot open SQLite database \"" + db + "\": Permission denied");
}

// Issue 8, item 12: the head query was left un-reset after reading, holding a read snapshot
// that no checkpoint could pass; the -wal file grew by every append. Appends interleaved with
// every kind of read must leave it bounded, and the size is reported as a gauge.
TEST(SqliteStorageTest, WriteAheadLogStaysBoundedUnderReadsAndWrites) {
  testing::TempDir dir;
  auto log = OpenSqlite({{"path", dir.File("g.db")}, {"wal_size_limit_bytes", "1048576"}});
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  ChangeRecord r;
  r.type = "assignment.added";
  r.account_id = "a";
  r.payload = std::string(4000, 'p');  // one page a record
  std::uint64_t head = 0;
  for (int i = 0; i < 3000; ++i) {  // ~12 MB appended
    auto h = (*log)->Append({r}, head);
    ASSERT_TRUE(h.ok()) << h.status().ToString();
    head = *h;
    ASSERT_TRUE((*log)->Head().ok());
    ASSERT_TRUE((*log)->GetCursor("notifier:x").ok());
    if (i % 10 == 0) {
      ASSERT_TRUE((*log)->PutCursor("notifier:x", std::to_string(i)).ok());
    }
    ASSERT_TRUE((*log)->ReadSince(head - 1, 1, [](const ChangeRecord&) { return Status::Ok(); }).ok());
  }
  const double wal = FileSize(dir.File("g.db-wal"));
  EXPECT_GT(FileSize(dir.File("g.db")), 10e6);  // the records reached the database file
  EXPECT_LT(wal, 6e6) << "the WAL grew with the appends";
  auto gauges = (*log)->Metrics();
  ASSERT_TRUE(gauges.ok()) << gauges.status().ToString();
  ASSERT_EQ(gauges->size(), 2U);
  EXPECT_EQ((*gauges)[0].first, "wal_bytes");
  EXPECT_EQ((*gauges)[0].second, FileSize(dir.File("g.db-wal")));
  EXPECT_EQ((*gauges)[1].first, "db_bytes");
}

}  // namespace
}  // namespace gatehouse
