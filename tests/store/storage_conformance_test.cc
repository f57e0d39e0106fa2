// The storage conformance suite: every storage plugin must pass it, loaded as a real .so
// through the plugin host. Add a backend by adding a StorageTarget.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "store/plugin_change_log.h"
#include "support/postgres.h"
#include "support/temp_dir.h"

namespace gatehouse {
namespace {

struct StorageTarget {
  std::string name;
  std::function<std::map<std::string, std::string>(const testing::TempDir&)> options;
};

std::ostream& operator<<(std::ostream& os, const StorageTarget& t) { return os << t.name; }

class StorageConformanceTest : public ::testing::TestWithParam<StorageTarget> {
 protected:
  std::unique_ptr<PluginChangeLog> Open() {
    PluginHost host(GATEHOUSE_PLUGIN_DIR);
    auto plugin = host.Load("storage", GetParam().name);
    EXPECT_TRUE(plugin.ok()) << plugin.status().ToString();
    auto log = PluginChangeLog::Open(*plugin, GetParam().options(dir_), nullptr);
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    return log.ok() ? std::move(*log) : nullptr;
  }

  static ChangeRecord Rec(std::string type, std::string payload) {
    ChangeRecord r;
    r.type = std::move(type);
    r.account_id = "acme";
    r.actor = "system";
    r.at = 1234;
    r.payload = std::move(payload);
    return r;
  }

  static std::vector<ChangeRecord> All(ChangeLog& log) {
    std::vector<ChangeRecord> out;
    auto head = log.Load([&](const ChangeRecord& r) {
      out.push_back(r);
      return Status::Ok();
    });
    EXPECT_TRUE(head.ok());
    return out;
  }

  testing::TempDir dir_;
};

TEST_P(StorageConformanceTest, StartsEmpty) {
  auto log = Open();
  ASSERT_TRUE(log);
  EXPECT_EQ(*log->Head(), 0U);
  EXPECT_TRUE(All(*log).empty());
}

TEST_P(StorageConformanceTest, AppendAssignsConsecutiveRevisions) {
  auto log = Open();
  ASSERT_TRUE(log);
  EXPECT_EQ(*log->Append({Rec("a", "1")}, 0), 1U);
  EXPECT_EQ(*log->Append({Rec("b", "2"), Rec("c", "3")}, 1), 3U);
  auto all = All(*log);
  ASSERT_EQ(all.size(), 3U);
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].revision, i + 1);
  EXPECT_EQ(all[2].type, "c");
  EXPECT_EQ(all[2].account_id, "acme");
  EXPECT_EQ(all[2].actor, "system");
  EXPECT_EQ(all[2].at, 1234);
  EXPECT_EQ(all[2].payload, "3");
}

TEST_P(StorageConformanceTest, ConflictStoresNothing) {
  auto log = Open();
  ASSERT_TRUE(log);
  ASSERT_TRUE(log->Append({Rec("a", "1")}, 0).ok());
  auto stale = log->Append({Rec("b", "2"), Rec("c", "3")}, 0);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.status().code(), StatusCode::kAborted);
  auto ahead = log->Append({Rec("b", "2")}, 5);
  EXPECT_EQ(ahead.status().code(), StatusCode::kAborted);
  EXPECT_EQ(*log->Head(), 1U);
  EXPECT_EQ(All(*log).size(), 1U);
}

TEST_P(StorageConformanceTest, ReadSinceHonoursSinceAndLimit) {
  auto log = Open();
  ASSERT_TRUE(log);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(log->Append({Rec("t", std::to_string(i))}, i).ok());
  std::vector<std::uint64_t> seen;
  auto n = log->ReadSince(4, 3, [&](const ChangeRecord& r) {
    seen.push_back(r.revision);
    return Status::Ok();
  });
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 3U);
  EXPECT_EQ(seen, (std::vector<std::uint64_t>{5, 6, 7}));
  EXPECT_EQ(*log->ReadSince(10, 5, [](const ChangeRecord&) { return Status::Ok(); }), 0U);
}

TEST_P(StorageConformanceTest, SinkErrorStopsTheStream) {
  auto log = Open();
  ASSERT_TRUE(log);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(log->Append({Rec("t", "x")}, i).ok());
  int calls = 0;
  auto n = log->ReadSince(0, 0, [&](const ChangeRecord&) {
    ++calls;
    return calls == 2 ? Internal("stop here") : Status::Ok();
  });
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().message(), "stop here");
  EXPECT_EQ(calls, 2);
}

TEST_P(StorageConformanceTest, BinaryPayloadsRoundTrip) {
  auto log = Open();
  ASSERT_TRUE(log);
  std::string payload("a\0b\xff\x01{}", 7);
  ASSERT_TRUE(log->Append({Rec("bin", payload)}, 0).ok());
  EXPECT_EQ(All(*log).at(0).payload, payload);
}

TEST_P(StorageConformanceTest, Cursors) {
  auto log = Open();
  ASSERT_TRUE(log);
  EXPECT_FALSE(log->GetCursor("webhook")->has_value());
  ASSERT_TRUE(log->PutCursor("webhook", "17").ok());
  ASSERT_TRUE(log->PutCursor("webhook", "18").ok());
  ASSERT_TRUE(log->PutCursor("log", "3").ok());
  EXPECT_EQ(**log->GetCursor("webhook"), "18");
  EXPECT_EQ(**log->GetCursor("log"), "3");
}

TEST_P(StorageConformanceTest, ConcurrentWritersNeverShareARevision) {
  auto log = Open();
  ASSERT_TRUE(log);
  std::atomic<int> committed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        for (;;) {  // optimistic: read head, append, retry on conflict
          auto head = log->Head();
          ASSERT_TRUE(head.ok());
          auto r = log->Append({Rec("t", std::to_string(t) + ":" + std::to_string(i))}, *head);
          if (r.ok()) break;
          ASSERT_EQ(r.status().code(), StatusCode::kAborted) << r.status().ToString();
        }
        ++committed;
      }
    });
  }
  for (auto& th : threads) th.join();
  auto all = All(*log);
  ASSERT_EQ(all.size(), 100U);
  std::set<std::string> payloads;
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].revision, i + 1);
    payloads.insert(all[i].payload);
  }
  EXPECT_EQ(payloads.size(), 100U);
}

// ABI 1.3: snapshots come back byte for byte, and forgetting history is all or nothing.
TEST_P(StorageConformanceTest, SnapshotsComeBackByteForByte) {
  auto log = Open();
  ASSERT_TRUE(log);
  ASSERT_TRUE(log->SupportsSnapshots());
  ASSERT_TRUE(log->Append({Rec("a", "1"), Rec("b", "2"), Rec("c", "3")}, 0).ok());
  std::string binary(70000, '\0');
  for (std::size_t i = 0; i < binary.size(); ++i) binary[i] = static_cast<char>(i * 7);
  const std::vector<std::string> chunks = {binary, "", std::string("x\0y", 3)};
  ASSERT_TRUE(log->PutSnapshot(2, 1111, chunks).ok());
  auto back = log->ReadSnapshot(2);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, chunks);
  auto history = log->History();
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->snapshots.size(), 1U);
  EXPECT_EQ(history->snapshots[0].revision, 2U);
  EXPECT_EQ(history->snapshots[0].taken_at, 1111);
  EXPECT_EQ(history->snapshots[0].bytes, binary.size() + 3);
  EXPECT_EQ(history->forgotten_through, 0U);
  // Replaced at the same revision; refused past the head; absent elsewhere.
  ASSERT_TRUE(log->PutSnapshot(2, 2222, {"new"}).ok());
  EXPECT_EQ(*log->ReadSnapshot(2), std::vector<std::string>{"new"});
  EXPECT_EQ(log->PutSnapshot(4, 1, {"x"}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(log->ReadSnapshot(3).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(log->History()->snapshots.size(), 1U);
}

TEST_P(StorageConformanceTest, ForgettingHistoryNeedsASnapshotAndKeepsEverythingAfterIt) {
  auto log = Open();
  ASSERT_TRUE(log);
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(log->Append({Rec("t", std::to_string(i + 1))}, i).ok());
  ASSERT_TRUE(log->PutCursor("notifier", "5").ok());
  // No snapshot at 4: refused, nothing forgotten.
  EXPECT_EQ(log->ForgetHistory(4).code(), StatusCode::kNotFound);
  EXPECT_EQ(All(*log).size(), 6U);
  ASSERT_TRUE(log->PutSnapshot(2, 10, {"two"}).ok());
  ASSERT_TRUE(log->PutSnapshot(4, 20, {"four"}).ok());
  ASSERT_TRUE(log->ForgetHistory(4).ok());
  auto all = All(*log);
  ASSERT_EQ(all.size(), 2U);
  EXPECT_EQ(all[0].revision, 5U);
  EXPECT_EQ(all[0].payload, "5");
  std::vector<std::uint64_t> since;
  ASSERT_TRUE(log->ReadSince(0, 10,
                             [&](const ChangeRecord& r) {
                               since.push_back(r.revision);
                               return Status::Ok();
                             })
                  .ok());
  EXPECT_EQ(since, (std::vector<std::uint64_t>{5, 6}));
  EXPECT_EQ(*log->Head(), 6U);
  auto history = log->History();
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->forgotten_through, 4U);
  ASSERT_EQ(history->snapshots.size(), 1U);  // the older one went with the history
  EXPECT_EQ(history->snapshots[0].revision, 4U);
  EXPECT_EQ(log->ReadSnapshot(2).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(*log->ReadSnapshot(4), std::vector<std::string>{"four"});
  EXPECT_EQ(**log->GetCursor("notifier"), "5");
  // The snapshot the kept history starts from cannot be dropped; a later one can.
  EXPECT_EQ(log->DropSnapshot(4).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(log->PutSnapshot(6, 30, {"six"}).ok());
  ASSERT_TRUE(log->DropSnapshot(6).ok());
  EXPECT_EQ(log->DropSnapshot(6).code(), StatusCode::kNotFound);
  EXPECT_EQ(log->History()->snapshots.size(), 1U);
  // Again: nothing more to forget.
  ASSERT_TRUE(log->ForgetHistory(4).ok());
  EXPECT_EQ(All(*log).size(), 2U);
  EXPECT_EQ(*log->Append({Rec("t", "7")}, 6), 7U);
}

TEST_P(StorageConformanceTest, ForgettingEveryRecordKeepsTheHead) {
  auto log = Open();
  ASSERT_TRUE(log);
  ASSERT_TRUE(log->Append({Rec("a", "1"), Rec("b", "2"), Rec("c", "3")}, 0).ok());
  ASSERT_TRUE(log->PutSnapshot(3, 1, {"all"}).ok());
  ASSERT_TRUE(log->ForgetHistory(3).ok());
  EXPECT_TRUE(All(*log).empty());
  EXPECT_EQ(*log->Head(), 3U);
  EXPECT_EQ(log->Append({Rec("d", "4")}, 0).status().code(), StatusCode::kAborted);
  EXPECT_EQ(*log->Append({Rec("d", "4")}, 3), 4U);
  auto all = All(*log);
  ASSERT_EQ(all.size(), 1U);
  EXPECT_EQ(all[0].revision, 4U);
}

// Durable backends only (the memory backend is ephemeral by design).
class PersistentStorageTest : public StorageConformanceTest {};

TEST_P(PersistentStorageTest, ReopenKeepsEverything) {
  {
    auto log = Open();
    ASSERT_TRUE(log);
    ASSERT_TRUE(log->Append({Rec("a", "1"), Rec("b", "2")}, 0).ok());
    ASSERT_TRUE(log->PutCursor("c", "v").ok());
  }
  auto log = Open();
  ASSERT_TRUE(log);
  EXPECT_EQ(*log->Head(), 2U);
  EXPECT_EQ(All(*log).size(), 2U);
  EXPECT_EQ(**log->GetCursor("c"), "v");
  EXPECT_EQ(*log->Append({Rec("c", "3")}, 2), 3U);
}

TEST_P(PersistentStorageTest, ReopenKeepsSnapshotsAndForgottenHistory) {
  {
    auto log = Open();
    ASSERT_TRUE(log);
    ASSERT_TRUE(log->Append({Rec("a", "1"), Rec("b", "2"), Rec("c", "3")}, 0).ok());
    ASSERT_TRUE(log->PutSnapshot(3, 5, {"s1", "s2"}).ok());
    ASSERT_TRUE(log->ForgetHistory(3).ok());
  }
  auto log = Open();
  ASSERT_TRUE(log);
  EXPECT_EQ(*log->Head(), 3U);
  EXPECT_TRUE(All(*log).empty());
  EXPECT_EQ(log->History()->forgotten_through, 3U);
  EXPECT_EQ(*log->ReadSnapshot(3), (std::vector<std::string>{"s1", "s2"}));
  EXPECT_EQ(*log->Append({Rec("d", "4")}, 3), 4U);
}

// Logs that several daemons share (ABI 1.2): two instances on one log, as two daemons.
class SharedStorageTest : public StorageConformanceTest {};

TEST_P(SharedStorageTest, WaitForChangesWakesOnAnotherInstancesAppend) {
  auto a = Open();
  auto b = Open();
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->IsShared());
  ASSERT_TRUE(a->Append({Rec("a", "1")}, 0).ok());
  // Already past `since`: returns at once with the head.
  EXPECT_EQ(*b->WaitForChanges(0, 5000), 1U);
  // Nothing new: returns after the timeout with the same head.
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(*b->WaitForChanges(1, 200), 1U);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(150));
  // Woken by the other instance's commit, long before the timeout.
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ASSERT_TRUE(a->Append({Rec("b", "2"), Rec("c", "3")}, 1).ok());
  });
  const auto waited = std::chrono::steady_clock::now();
  auto head = b->WaitForChanges(1, 30000);
  writer.join();
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(*head, 3U);
  EXPECT_LT(std::chrono::steady_clock::now() - waited, std::chrono::seconds(20));
  std::vector<std::uint64_t> seen;
  ASSERT_TRUE(b->ReadSince(1, 0, [&](const ChangeRecord& r) {
                 seen.push_back(r.revision);
                 return Status::Ok();
               }).ok());
  EXPECT_EQ(seen, (std::vector<std::uint64_t>{2, 3}));
}

// A notification that arrived while the waiter was reading the head sat in libpq's queue
// and the wait slept through it until its timeout (found by cluster_bench: one write in
// 2000 became visible on another node after 999 ms). Many short rounds with appends racing
// the wait: every wait must return the new head, not time out with the old one.
TEST_P(SharedStorageTest, AWaitNeverSleepsThroughACommitThatRacesIt) {
  auto a = Open();
  auto b = Open();
  ASSERT_TRUE(a && b);
  std::uint64_t head = 0;
  for (int round = 0; round < 300; ++round) {
    // The writer commits about when the waiter reads the head: the waiter's start is swept
    // across the append's few hundred microseconds.
    std::thread writer([&, round] { ASSERT_TRUE(a->Append({Rec("t", std::to_string(round))}, head).ok()); });
    std::this_thread::sleep_for(std::chrono::microseconds((round * 13) % 800));
    auto seen = b->WaitForChanges(head, 5000);
    writer.join();
    ASSERT_TRUE(seen.ok()) << seen.status().ToString();
    ASSERT_EQ(*seen, head + 1) << "round " << round << ": the wait timed out through a commit";
    ++head;
  }
}

TEST_P(SharedStorageTest, ALeaseHasOneHolderAndPassesOnWhenItsHolderGoes) {
  auto a = Open();
  auto b = Open();
  ASSERT_TRUE(a && b);
  EXPECT_TRUE(*a->TryLease("notifier:webhook"));
  EXPECT_TRUE(*a->TryLease("notifier:webhook"));  // confirming is not taking twice
  EXPECT_FALSE(*b->TryLease("notifier:webhook"));
  EXPECT_TRUE(*b->TryLease("notifier:log"));  // another name is another lease
  ASSERT_TRUE(a->ReleaseLease("notifier:webhook").ok());
  EXPECT_TRUE(*b->TryLease("notifier:webhook"));
  EXPECT_FALSE(*a->TryLease("notifier:webhook"));
  b.reset();  // the holder goes away (a daemon that exits or dies): its session ends
  // The server ends the session (and frees its locks) shortly after the client is gone.
  auto taken_within_5s = [&](const std::string& name) {
    for (int i = 0; i < 100; ++i) {
      if (*a->TryLease(name)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  };
  EXPECT_TRUE(taken_within_5s("notifier:webhook"));
  EXPECT_TRUE(taken_within_5s("notifier:log"));
}

// One-writer logs say so, and hold every lease.
TEST_P(StorageConformanceTest, OneWriterLogsSaySoOrShareTheLog) {
  auto log = Open();
  ASSERT_TRUE(log);
  if (log->IsShared()) return;  // SharedStorageTest covers these
  EXPECT_EQ(log->WaitForChanges(0, 10).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(*log->TryLease("notifier:any"));
}

const StorageTarget kMemory{"memory", [](const testing::TempDir&) { return std::map<std::string, std::string>{}; }};
const StorageTarget kSqlite{"sqlite", [](const testing::TempDir& d) {
                              return std::map<std::string, std::string>{{"path", d.File("log.db")}};
                            }};
// Each PostgreSQL test gets its own schema in the test cluster: an empty log that a
// reopen (same TempDir) finds again.
const StorageTarget kPostgres{
    "postgres", [](const testing::TempDir& d) {
      static std::map<std::string, std::string> schemas;
      auto& schema = schemas[d.path()];
      if (schema.empty()) schema = testing::FreshPostgresSchema("conformance");
      return std::map<std::string, std::string>{{"conninfo", testing::PostgresConnInfo()}, {"schema", schema}};
    }};
std::string TargetName(const ::testing::TestParamInfo<StorageTarget>& p) { return p.param.name; }

INSTANTIATE_TEST_SUITE_P(Plugins, StorageConformanceTest, ::testing::Values(kMemory, kSqlite, kPostgres), TargetName);
INSTANTIATE_TEST_SUITE_P(Plugins, PersistentStorageTest, ::testing::Values(kSqlite, kPostgres), TargetName);
INSTANTIATE_TEST_SUITE_P(Plugins, SharedStorageTest, ::testing::Values(kPostgres), TargetName);

}  // namespace
}  // namespace gatehouse
