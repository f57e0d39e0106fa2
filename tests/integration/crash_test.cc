// Crash safety: the real daemon takes a stream of writes and is killed with SIGKILL at
// random moments, 20 times. After every restart, every acknowledged write is there and no
// partial one is: every account that exists has its owner's assignment (account and owner
// assignment are one change set). The second test does the same while snapshots are
// written and history forgotten all the time (retention 0), so kills land in compactions.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>

#include "support/daemon_process.h"
#include "support/temp_dir.h"

namespace gatehouse {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// Whether account `id`'s owner ("owner-<id>") holds the owner role there: an account and
// its owner's assignment are one change set, so an account without it is a partial write.
bool OwnerIsWhole(httplib::Client& c, const std::string& key, const std::string& id) {
  auto r = c.Post(
      "/v1/check", httplib::Headers{{"Authorization", key}, {"wix-account-id", id}},
      json{{"subject", {{"id", "owner-" + id}}}, {"permission", "team.delete-member"}, {"asset", {{"id", id}}}}.dump(),
      "application/json");
  return r && r->body == R"({"allowed":true})";
}

// Two writers, each creating accounts "<prefix>-<t>-<i>" on the daemon at `port` until
// `stop` or the daemon is gone. Every id is added to *tried (when given) before it is sent,
// and to *acknowledged once answered 201; both under `mu`.
std::vector<std::thread> StartAccountWriters(int port, const httplib::Headers& auth, const std::string& prefix,
                                             std::atomic<bool>& stop, std::mutex& mu,
                                             std::vector<std::string>* acknowledged,
                                             std::vector<std::string>* tried = nullptr) {
  std::vector<std::thread> writers;
  for (int t = 0; t < 2; ++t) {
    writers.emplace_back([=, &stop, &mu] {
      httplib::Client w("127.0.0.1", port);
      w.set_read_timeout(2, 0);
      for (int i = 0; !stop; ++i) {
        const std::string id = prefix + "-" + std::to_string(t) + "-" + std::to_string(i);
        if (tried != nullptr) {
          std::lock_guard lock(mu);
          tried->push_back(id);
        }
        auto r = w.Post("/v1/accounts", auth, json{{"id", id}, {"name", id}, {"ownerUserId", "owner-" + id}}.dump(),
                        "application/json");
        if (!r) break;  // the daemon is gone
        if (r->status == 201) {
          std::lock_guard lock(mu);
          acknowledged->push_back(id);
        }
      }
    });
  }
  return writers;
}

TEST(CrashTest, KillNineNeverLosesAnAcknowledgedWrite) {
  testing::TempDir dir;
  const std::string config = testing::WriteDaemonConfig(dir);
  std::mt19937 rng(20261129);
  std::vector<std::string> acknowledged;
  std::string key;
  constexpr int kCycles = 20;
  for (int cycle = 0; cycle <= kCycles; ++cycle) {
    testing::DaemonProcess daemon({"--config", config});
    const int port = daemon.WaitForPort();
    ASSERT_GT(port, 0) << "cycle " << cycle << "\n" << daemon.Output();
    if (key.empty()) {
      std::ifstream in(dir.File("system-key"));
      in >> key;
    }
    httplib::Client c("127.0.0.1", port);
    const httplib::Headers auth{{"Authorization", key}};
    // Everything acknowledged before is present and whole.
    for (const auto& id : acknowledged) {
      auto r = c.Get(("/v1/accounts/" + id).c_str(), auth);
      ASSERT_TRUE(r);
      ASSERT_EQ(r->status, 200) << "cycle " << cycle << ": acknowledged account " << id << " lost";
    }
    for (const auto& id : acknowledged) ASSERT_TRUE(OwnerIsWhole(c, key, id)) << "partial account " << id;
    if (cycle == kCycles) {
      daemon.Signal(SIGTERM);
      EXPECT_EQ(daemon.Wait(), 0);
      break;
    }
    // Two writers stream creates; the kill lands at a random moment.
    std::atomic<bool> stop{false};
    std::mutex mu;
    std::vector<std::string> in_flight_or_done;
    std::vector<std::thread> writers =
        StartAccountWriters(port, auth, "c" + std::to_string(cycle), stop, mu, &acknowledged, &in_flight_or_done);
    // Let at least one write of this cycle be acknowledged (a slow build — TSan, a busy
    // machine — may need a while for its first), then kill at a random moment after.
    const std::size_t before = [&] {
      std::lock_guard lock(mu);
      return acknowledged.size();
    }();
    for (int waited = 0; waited < 1000; ++waited) {
      {
        std::lock_guard lock(mu);
        if (acknowledged.size() > before) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(30 + rng() % 250));
    daemon.Signal(SIGKILL);
    EXPECT_EQ(daemon.Wait(), 128 + SIGKILL);
    stop = true;
    for (auto& w : writers) w.join();
    // Writes that were in flight may or may not have landed — but if they did, whole.
    testing::DaemonProcess check({"--config", config});
    const int check_port = check.WaitForPort();
    ASSERT_GT(check_port, 0) << check.Output();
    httplib::Client cc("127.0.0.1", check_port);
    for (const auto& id : in_flight_or_done) {
      auto r = cc.Get(("/v1/accounts/" + id).c_str(), auth);
      ASSERT_TRUE(r);
      if (r->status != 200) continue;
      EXPECT_TRUE(OwnerIsWhole(cc, key, id)) << "account " << id << " exists without its owner";
    }
    check.Signal(SIGTERM);
    ASSERT_EQ(check.Wait(), 0);
  }
  EXPECT_GT(acknowledged.size(), static_cast<std::size_t>(kCycles));  // the test did write
}

TEST(CrashTest, KillNineDuringCompactionNeverLosesAnAcknowledgedWrite) {
  testing::TempDir dir;
  const std::string config =
      testing::WriteDaemonConfig(dir, "history: {retention: 0, snapshotEvery: 25, checkInterval: 20ms}\n");
  std::mt19937 rng(20261130);
  std::vector<std::string> acknowledged;
  std::string key;
  std::atomic<int> compactions{0};
  constexpr int kCycles = 10;
  for (int cycle = 0; cycle <= kCycles; ++cycle) {
    testing::DaemonProcess daemon({"--config", config});
    const int port = daemon.WaitForPort();
    ASSERT_GT(port, 0) << "cycle " << cycle << "\n" << daemon.Output();
    if (key.empty()) {
      std::ifstream in(dir.File("system-key"));
      in >> key;
    }
    httplib::Client c("127.0.0.1", port);
    const httplib::Headers auth{{"Authorization", key}};
    for (const auto& id : acknowledged) {
      ASSERT_TRUE(OwnerIsWhole(c, key, id))
          << "cycle " << cycle << ": acknowledged account " << id << " lost or partial\n"
          << daemon.Output();
    }
    if (cycle == kCycles) {
      auto status = c.Get("/v1/admin/status", auth);
      ASSERT_TRUE(status);
      const json history = json::parse(status->body)["history"];
      EXPECT_GT(history["forgottenThrough"].get<std::uint64_t>(), 0U) << status->body;
      EXPECT_GT(history["newestSnapshot"].get<std::uint64_t>(), 0U) << status->body;
      daemon.Signal(SIGTERM);
      EXPECT_EQ(daemon.Wait(), 0);
      break;
    }
    std::atomic<bool> stop{false};
    std::mutex mu;
    std::vector<std::thread> threads =
        StartAccountWriters(port, auth, "k" + std::to_string(cycle), stop, mu, &acknowledged);
    threads.emplace_back([&] {  // and `gatehouse compact`, over and over
      httplib::Client w("127.0.0.1", port);
      w.set_read_timeout(5, 0);
      while (!stop) {
        auto r = w.Post("/v1/admin/compact", auth, "", "application/json");
        if (!r) break;
        if (r->status == 200) ++compactions;
      }
    });
    const int compactions_before = compactions.load();
    for (int waited = 0; waited < 1000 && compactions.load() == compactions_before; ++waited) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + rng() % 200));
    daemon.Signal(SIGKILL);
    EXPECT_EQ(daemon.Wait(), 128 + SIGKILL);
    stop = true;
    for (auto& t : threads) t.join();
  }
  EXPECT_GT(compactions.load(), kCycles);  // compactions did run between the kills
  EXPECT_GT(acknowledged.size(), static_cast<std::size_t>(kCycles));
}

}  // namespace
}  // namespace gatehouse
