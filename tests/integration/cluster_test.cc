// Several real daemons on one real PostgreSQL database (the test cluster of CTest's
// `postgres` fixture): writes spread over the nodes converge on every node, a write is
// readable on another node with X-Gatehouse-Min-Revision, kill -9 of a node and a
// PostgreSQL restart lose no acknowledged write, a node that loses the database keeps
// serving reads and says so, and a notifier delivers once per cluster and is handed over
// when its node dies. These tests stop and restart the shared PostgreSQL server, so they
// run alone (SERIAL).
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "support/daemon_process.h"
#include "support/postgres.h"
#include "support/temp_dir.h"
#include "support/webhook_receiver.h"

namespace gatehouse {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

bool Eventually(const std::function<bool()>& done, std::chrono::seconds limit = 30s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return done();
}

// One daemon of the cluster, with its own directory; the system key file is shared.
struct Node {
  std::unique_ptr<testing::DaemonProcess> process;
  int port = -1;
};

class ClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(testing::PostgresConnInfo().empty()) << "the test PostgreSQL cluster is not running (use ctest)";
  }
  void TearDown() override {
    // Whatever a test did to the server, leave it running for the next one.
    if (halted_) testing::PostgresCluster("resume");
  }

  std::string Config(const std::string& extra = "") {
    return dir_.Write("gatehouse-" + std::to_string(configs_++) + ".yaml",
                      "http: {listen: 127.0.0.1:0}\npolicies: {dir: " GATEHOUSE_SOURCE_DIR
                      "/policies}\nplugins: {dir: " GATEHOUSE_PLUGIN_DIR "}\nauth: {systemKeyFile: " +
                          dir_.File("system-key") + "}\nstorage: {plugin: postgres, options: {conninfo: \"" +
                          testing::PostgresConnInfo() + "\", schema: " + schema_ +
                          "}}\nnotify: {pollInterval: 200ms, backoffBase: 20ms, backoffMax: 300ms}\n" + extra);
  }

  Node Start(const std::string& config) {
    Node n;
    n.process = std::make_unique<testing::DaemonProcess>(std::vector<std::string>{"--config", config});
    n.port = n.process->WaitForPort();
    EXPECT_GT(n.port, 0) << n.process->Output();
    return n;
  }

  std::vector<Node> StartNodes(int count, const std::string& extra = "") {
    const std::string config = Config(extra);
    std::vector<Node> nodes;
    // The first node writes the system key file; the others read it.
    for (int i = 0; i < count; ++i) nodes.push_back(Start(config));
    return nodes;
  }

  std::string Key() {
    std::ifstream in(dir_.File("system-key"));
    std::string k;
    in >> k;
    return k;
  }

  // Creates an account through `port`; the revision it committed, or 0 when not acknowledged.
  std::uint64_t CreateAccount(int port, const std::string& id) {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(10, 0);
    auto r = c.Post("/v1/accounts", httplib::Headers{{"Authorization", Key()}},
                    json{{"id", id}, {"name", "n"}, {"ownerUserId", "owner-" + id}}.dump(), "application/json");
    if (!r || r->status != 201) return 0;
    return std::stoull(r->get_header_value("X-Gatehouse-Revision"));
  }

  // GET the account through `port`, after the node applied `min_revision` (0: no wait).
  int ReadAccount(int port, const std::string& id, std::uint64_t min_revision = 0) {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(10, 0);
    httplib::Headers h{{"Authorization", Key()}};
    if (min_revision != 0) h.emplace("X-Gatehouse-Min-Revision", std::to_string(min_revision));
    auto r = c.Get("/v1/accounts/" + id, h);
    return r ? r->status : -1;
  }

  // The revision at which the account was created, as the change log holds it (0: none).
  std::uint64_t CreatedAt(int port, const std::string& id) {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(10, 0);
    auto r = c.Get("/v1/changes?since=0&limit=1", httplib::Headers{{"Authorization", Key()}, {"wix-account-id", id}});
    if (!r || r->status != 200) return 0;
    const json page = json::parse(r->body, nullptr, false);
    if (!page.contains("changes") || page["changes"].empty()) return 0;
    return page["changes"][0].value("revision", 0ULL);
  }

  static json Ready(int port) {
    httplib::Client c("127.0.0.1", port);
    auto r = c.Get("/readyz");
    if (!r) return json{{"status", "no answer"}};
    json body = json::parse(r->body, nullptr, false);
    body["httpStatus"] = r->status;
    return body;
  }

  std::string Export(int port) {
    httplib::Client c("127.0.0.1", port);
    auto r = c.Get("/v1/admin/export", httplib::Headers{{"Authorization", Key()}});
    if (!r || r->status != 200) return "export failed";
    // Everything but the header line, which says when it was taken.
    return r->body.substr(r->body.find('\n') + 1);
  }

  testing::TempDir dir_;
  std::string schema_ = testing::FreshPostgresSchema("cluster");
  int configs_ = 0;
  bool halted_ = false;
};

TEST_F(ClusterTest, WritesSpreadOverThreeNodesConvergeOnEveryNode) {
  auto nodes = StartNodes(3);
  ASSERT_EQ(nodes.size(), 3U);
  // One write and one read-your-write on this thread before the writers start: the
  // client library (not built for ThreadSanitizer) initializes its function-local
  // statics on first use, and TSan cannot see that guard — it would report the threads'
  // first concurrent use as a race.
  const std::uint64_t warm = CreateAccount(nodes[0].port, "warm-up");
  ASSERT_NE(warm, 0U);
  ASSERT_EQ(ReadAccount(nodes[1].port, "warm-up", warm), 200);
  std::mutex mu;
  std::map<std::string, std::uint64_t> acknowledged;
  std::atomic<int> stale_reads{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 3; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        const std::string id = "acct-" + std::to_string(t) + "-" + std::to_string(i);
        const std::uint64_t revision = CreateAccount(nodes[t].port, id);
        if (revision == 0) continue;
        // Read-your-writes on another node: it waits until it applied the write's revision.
        if (ReadAccount(nodes[(t + 1) % 3].port, id, revision) != 200) ++stale_reads;
        std::lock_guard lock(mu);
        acknowledged[id] = revision;
      }
    });
  }
  for (auto& w : writers) w.join();
  EXPECT_EQ(acknowledged.size(), 75U);
  EXPECT_EQ(stale_reads.load(), 0);
  // Each write has a revision of its own in the log. The answer's X-Gatehouse-Revision is
  // that revision or a later one (docs/api.md: the node may have applied another node's
  // write before answering), so the log, not the headers, says which.
  std::set<std::uint64_t> revisions;
  std::uint64_t newest = 0;
  for (const auto& [id, rev] : acknowledged) {
    const std::uint64_t created = CreatedAt(nodes[0].port, id);
    ASSERT_NE(created, 0U) << id << " has no change in the log";
    EXPECT_GE(rev, created) << id << ": answered with a revision before its own";
    revisions.insert(created);
    newest = std::max(newest, rev);
  }
  EXPECT_EQ(revisions.size(), acknowledged.size()) << "two writes were given one revision";
  for (auto& n : nodes) {
    EXPECT_TRUE(Eventually([&] { return Ready(n.port).value("revision", 0ULL) == newest; }, 10s))
        << Ready(n.port).dump();
  }
  const std::string first = Export(nodes[0].port);
  EXPECT_GT(first.size(), 1000U);
  EXPECT_TRUE(Export(nodes[1].port) == first) << "node 1's state differs from node 0's";
  EXPECT_TRUE(Export(nodes[2].port) == first) << "node 2's state differs from node 0's";
  for (const auto& [id, rev] : acknowledged) {
    for (auto& n : nodes) ASSERT_EQ(ReadAccount(n.port, id), 200) << id << " on port " << n.port;
  }
}

TEST_F(ClusterTest, KillNineOfANodeMidWriteLosesNoAcknowledgedWrite) {
  auto nodes = StartNodes(3);
  std::mutex mu;
  std::map<std::string, std::uint64_t> acknowledged;
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; !stop; ++i) {
        const std::string id = "k-" + std::to_string(t) + "-" + std::to_string(i);
        const std::uint64_t revision = CreateAccount(nodes[0].port, id);
        if (revision == 0) continue;  // not acknowledged: may or may not be stored
        std::lock_guard lock(mu);
        acknowledged[id] = revision;
      }
    });
  }
  ASSERT_TRUE(Eventually([&] {
    std::lock_guard lock(mu);
    return acknowledged.size() >= 20;
  }));
  nodes[0].process->Signal(SIGKILL);
  nodes[0].process->Wait();
  stop = true;
  for (auto& w : writers) w.join();
  std::uint64_t newest = 0;
  for (const auto& [id, rev] : acknowledged) newest = std::max(newest, rev);
  for (int n = 1; n < 3; ++n) {
    for (const auto& [id, rev] : acknowledged) {
      ASSERT_EQ(ReadAccount(nodes[n].port, id, newest), 200) << id << " (revision " << rev << ") lost on node " << n;
    }
  }
  std::printf("%zu writes acknowledged before and around the kill (newest revision %llu)\n", acknowledged.size(),
              static_cast<unsigned long long>(newest));
  // The killed node comes back and has them too.
  Node again = Start(Config());
  for (const auto& [id, rev] : acknowledged) ASSERT_EQ(ReadAccount(again.port, id, newest), 200) << id;
  EXPECT_TRUE(Export(again.port) == Export(nodes[1].port)) << "the restarted node's state differs";
}

TEST_F(ClusterTest, APostgresRestartUnderLoadLosesNoAcknowledgedWrite) {
  auto nodes = StartNodes(2);
  std::mutex mu;
  std::map<std::string, std::uint64_t> acknowledged;
  std::atomic<int> refused{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; !stop; ++i) {
        const std::string id = "r-" + std::to_string(t) + "-" + std::to_string(i);
        const std::uint64_t revision = CreateAccount(nodes[t % 2].port, id);
        if (revision == 0) {
          ++refused;
          std::this_thread::sleep_for(20ms);
          continue;
        }
        std::lock_guard lock(mu);
        acknowledged[id] = revision;
      }
    });
  }
  auto acked = [&] {
    std::lock_guard lock(mu);
    return acknowledged.size();
  };
  ASSERT_TRUE(Eventually([&] { return acked() >= 20; }));
  ASSERT_TRUE(testing::PostgresCluster("restart"));
  const std::size_t at_restart = acked();
  // Writes go on being acknowledged after the restart, on both nodes.
  EXPECT_TRUE(Eventually([&] { return acked() >= at_restart + 40; }));
  stop = true;
  for (auto& w : writers) w.join();
  std::uint64_t newest = 0;
  for (const auto& [id, rev] : acknowledged) newest = std::max(newest, rev);
  for (auto& n : nodes) {
    for (const auto& [id, rev] : acknowledged) {
      ASSERT_EQ(ReadAccount(n.port, id, newest), 200) << id << " (revision " << rev << ") lost";
    }
  }
  EXPECT_TRUE(Export(nodes[0].port) == Export(nodes[1].port)) << "the nodes' states differ";
  std::printf("acknowledged %zu writes, %d refused during the restart\n", acknowledged.size(), refused.load());
}

TEST_F(ClusterTest, WithoutTheDatabaseANodeServesReadsRefusesWritesAndSaysDegraded) {
  auto nodes = StartNodes(2);
  const std::uint64_t revision = CreateAccount(nodes[0].port, "before");
  ASSERT_GT(revision, 0U);
  ASSERT_EQ(ReadAccount(nodes[1].port, "before", revision), 200);
  ASSERT_TRUE(testing::PostgresCluster("halt"));
  halted_ = true;
  for (auto& n : nodes) {
    EXPECT_TRUE(Eventually([&] { return Ready(n.port).value("status", "") == "degraded"; }, 15s))
        << Ready(n.port).dump();
    const json ready = Ready(n.port);
    EXPECT_EQ(ready["httpStatus"], 200);  // stays in rotation: its reads are still good
    EXPECT_NE(ready.value("reason", "").find("change log unreachable"), std::string::npos) << ready.dump();
    EXPECT_TRUE(ready.contains("lagRevisions"));
    EXPECT_EQ(ReadAccount(n.port, "before"), 200);
  }
  httplib::Client c("127.0.0.1", nodes[0].port);
  c.set_read_timeout(20, 0);
  auto write = c.Post("/v1/accounts", httplib::Headers{{"Authorization", Key()}},
                      json{{"id", "during"}, {"name", "n"}, {"ownerUserId", "o"}}.dump(), "application/json");
  ASSERT_TRUE(write);
  EXPECT_EQ(write->status, 503) << write->body;
  // A read that asks for a revision the node cannot reach is refused in bounded time.
  httplib::Headers later{{"Authorization", Key()}, {"X-Gatehouse-Min-Revision", std::to_string(revision + 1000)}};
  auto stale = c.Get("/v1/accounts/before", later);
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->status, 503);
  EXPECT_EQ(stale->get_header_value("Retry-After"), "1");
  ASSERT_TRUE(testing::PostgresCluster("resume"));
  halted_ = false;
  for (auto& n : nodes) {
    EXPECT_TRUE(Eventually([&] { return Ready(n.port).value("status", "") == "ready"; }, 30s)) << Ready(n.port).dump();
  }
  std::uint64_t after = 0;
  EXPECT_TRUE(Eventually([&] { return (after = CreateAccount(nodes[1].port, "after")) != 0; }, 30s));
  EXPECT_EQ(ReadAccount(nodes[0].port, "after", after), 200);
  EXPECT_EQ(ReadAccount(nodes[0].port, "during"), 404);  // refused, so never stored
}

TEST_F(ClusterTest, ANotifierDeliversOncePerClusterAndIsHandedOverWhenItsNodeDies) {
  testing::WebhookReceiver receiver("s3cret");
  const int receiver_port = receiver.Start();
  ASSERT_GT(receiver_port, 0);
  auto nodes = StartNodes(2, "notifiers:\n  - plugin: webhook\n    options: {url: \"http://127.0.0.1:" +
                                 std::to_string(receiver_port) + "/hook\", secret: s3cret, timeout: 1s}\n");
  std::uint64_t newest = 0;
  for (int i = 0; i < 20; ++i) newest = std::max(newest, CreateAccount(nodes[i % 2].port, "n-" + std::to_string(i)));
  ASSERT_GT(newest, 0U);
  ASSERT_TRUE(Eventually([&] {
    auto got = receiver.Revisions();
    return !got.empty() && got.back() >= newest;
  }));
  const auto first = receiver.Revisions();
  EXPECT_EQ(std::set<std::uint64_t>(first.begin(), first.end()).size(), first.size())
      << "an event was delivered twice with no failure: more than one node delivers";
  EXPECT_TRUE(std::is_sorted(first.begin(), first.end()));
  // Exactly one node says it delivers; kill it.
  int holder = -1;
  for (int i = 0; i < 2; ++i) {
    if (nodes[i].process->Output().find("this node now delivers") != std::string::npos) {
      EXPECT_EQ(holder, -1) << "both nodes took the delivery lease";
      holder = i;
    }
  }
  ASSERT_NE(holder, -1);
  nodes[holder].process->Signal(SIGKILL);
  nodes[holder].process->Wait();
  const int survivor = 1 - holder;
  for (int i = 20; i < 40; ++i)
    newest = std::max(newest, CreateAccount(nodes[survivor].port, "n-" + std::to_string(i)));
  EXPECT_TRUE(Eventually([&] {
    auto got = receiver.Revisions();
    return std::set<std::uint64_t>(got.begin(), got.end()).size() == newest;
  })) << nodes[survivor].process->Output();
  EXPECT_TRUE(nodes[survivor].process->WaitFor("this node now delivers", 1s).has_value());
  const auto all = receiver.Revisions();
  std::printf("node %d delivered %zu events, then died; %zu deliveries in all for %llu revisions\n", holder,
              first.size(), all.size(), static_cast<unsigned long long>(newest));
  const std::set<std::uint64_t> distinct(all.begin(), all.end());
  EXPECT_EQ(*distinct.begin(), 1U);
  EXPECT_EQ(*distinct.rbegin(), newest);
}

}  // namespace
}  // namespace gatehouse

namespace gatehouse {
namespace {

// Snapshots and retention on a shared log: compaction runs on one node at a time (the
// other answers that another node holds the lease while it runs, or runs after it); a node
// that was down while history it still needed was forgotten loads the snapshot on restart
// and ends up with the same state; the feed says GONE for the forgotten revisions.
TEST_F(ClusterTest, ANodeDownWhileHistoryWasForgottenStartsFromTheSnapshot) {
  auto nodes = StartNodes(2, "history: {retention: 0, snapshotEvery: 0}\n");
  ASSERT_EQ(nodes.size(), 2U);
  for (int i = 0; i < 10; ++i) ASSERT_GT(CreateAccount(nodes[i % 2].port, "early-" + std::to_string(i)), 0U);
  nodes[1].process->Signal(SIGTERM);
  ASSERT_EQ(nodes[1].process->Wait(), 0);
  std::uint64_t newest = 0;
  for (int i = 0; i < 10; ++i) newest = CreateAccount(nodes[0].port, "late-" + std::to_string(i));
  ASSERT_GT(newest, 0U);
  httplib::Client c("127.0.0.1", nodes[0].port);
  c.set_read_timeout(10, 0);
  const httplib::Headers auth{{"Authorization", Key()}};
  auto compacted = c.Post("/v1/admin/compact", auth, "", "application/json");
  ASSERT_TRUE(compacted);
  ASSERT_EQ(compacted->status, 200) << compacted->body;
  const json report = json::parse(compacted->body);
  EXPECT_TRUE(report["ran"].get<bool>()) << compacted->body;
  EXPECT_EQ(report["snapshotRevision"].get<std::uint64_t>(), newest) << compacted->body;
  EXPECT_EQ(report["forgottenThrough"].get<std::uint64_t>(), newest) << compacted->body;
  auto gone = c.Get("/v1/changes?since=0", httplib::Headers{{"Authorization", Key()}, {"wix-account-id", "early-0"}});
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status, 410) << gone->body;
  // The stopped node needed revisions 11.. from the log; they are gone. It starts from the
  // snapshot and then follows as before.
  nodes[1] = Start(Config("history: {retention: 0, snapshotEvery: 0}\n"));
  ASSERT_GT(nodes[1].port, 0);
  EXPECT_TRUE(Eventually([&] { return Ready(nodes[1].port).value("revision", 0ULL) == newest; }, 10s))
      << Ready(nodes[1].port).dump() << nodes[1].process->Output();
  const std::uint64_t after = CreateAccount(nodes[1].port, "after-restart");
  ASSERT_GT(after, newest);
  EXPECT_TRUE(Eventually([&] { return Ready(nodes[0].port).value("revision", 0ULL) == after; }, 10s));
  const std::string first = Export(nodes[0].port);
  EXPECT_GT(first.size(), 1000U);
  EXPECT_TRUE(Export(nodes[1].port) == first) << "the restarted node's state differs";
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(ReadAccount(nodes[1].port, "early-" + std::to_string(i)), 200);
    EXPECT_EQ(ReadAccount(nodes[1].port, "late-" + std::to_string(i)), 200);
  }
}

}  // namespace
}  // namespace gatehouse
