// The real daemon with the real webhook plugin and a real receiver on loopback. The
// receiver goes down under write load and comes back: every event arrives, in order,
// signed, none lost — and delivery resumes across a daemon restart.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "support/daemon_process.h"
#include "support/temp_dir.h"
#include "support/webhook_receiver.h"

namespace gatehouse {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class WebhookTest : public ::testing::Test {
 protected:
  std::string Config(int receiver_port) {
    return testing::WriteDaemonConfig(
        dir_,
        "notifiers:\n"
        "  - plugin: webhook\n"
        "    options: {url: \"http://127.0.0.1:" +
            std::to_string(receiver_port) +
            "/hook\", secret: s3cret, timeout: 1s}\n"
            "  - plugin: log\n"
            "    options: {path: " +
            dir_.File("events.log") +
            "}\n"
            "notify: {backoffBase: 20ms, backoffMax: 300ms, pollInterval: 200ms, batchSize: 7}\n");
  }

  std::string Key() {
    std::ifstream in(dir_.File("system-key"));
    std::string k;
    in >> k;
    return k;
  }

  static int CreateAccounts(int port, const std::string& key, const std::string& prefix, int n) {
    httplib::Client c("127.0.0.1", port);
    int ok = 0;
    for (int i = 0; i < n; ++i) {
      auto r = c.Post("/v1/accounts", httplib::Headers{{"Authorization", key}},
                      json{{"id", prefix + std::to_string(i)}, {"name", "n"}, {"ownerUserId", "o"}}.dump(),
                      "application/json");
      ok += r && r->status == 201 ? 1 : 0;
    }
    return ok;
  }

  static std::size_t Distinct(testing::WebhookReceiver& r) {
    const auto revisions = r.Revisions();
    return std::set<std::uint64_t>(revisions.begin(), revisions.end()).size();
  }

  static bool WaitFor(const std::function<bool()>& done, std::chrono::seconds limit = 30s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (done()) return true;
      std::this_thread::sleep_for(20ms);
    }
    return done();
  }

  testing::TempDir dir_;
};

TEST_F(WebhookTest, ReceiverOutageUnderLoadLosesNothing) {
  testing::WebhookReceiver receiver("s3cret");
  const int receiver_port = receiver.Start();
  ASSERT_GT(receiver_port, 0);
  const std::string config = Config(receiver_port);
  testing::DaemonProcess daemon({"--config", config});
  const int port = daemon.WaitForPort();
  ASSERT_GT(port, 0) << daemon.Output();
  const std::string key = Key();

  ASSERT_EQ(CreateAccounts(port, key, "a", 20), 20);
  ASSERT_TRUE(WaitFor([&] { return receiver.Revisions().size() >= 20; })) << daemon.Output();

  receiver.Stop();  // down while writes continue
  ASSERT_EQ(CreateAccounts(port, key, "b", 60), 60);
  std::this_thread::sleep_for(500ms);  // several failed attempts with backoff
  EXPECT_NE(daemon.Output().find("delivery failed, will retry"), std::string::npos);
  httplib::Client c("127.0.0.1", port);
  const std::string metrics = c.Get("/metrics")->body;
  EXPECT_NE(metrics.find("gatehouse_notifier_backlog{notifier=\"webhook\"}"), std::string::npos) << metrics;

  ASSERT_EQ(receiver.Start(receiver_port), receiver_port);
  ASSERT_TRUE(WaitFor([&] { return Distinct(receiver) >= 80; })) << daemon.Output();

  // Restart the daemon: delivery continues from the stored cursor.
  daemon.Signal(SIGTERM);
  ASSERT_EQ(daemon.Wait(), 0);
  testing::DaemonProcess again({"--config", config});
  const int port2 = again.WaitForPort();
  ASSERT_GT(port2, 0) << again.Output();
  ASSERT_EQ(CreateAccounts(port2, key, "c", 10), 10);
  ASSERT_TRUE(WaitFor([&] { return Distinct(receiver) >= 90; }));

  const auto revisions = receiver.Revisions();
  // Every revision 1..90 arrived; first arrivals are in order; duplicates (allowed by
  // at-least-once) only ever repeat something already seen.
  std::set<std::uint64_t> seen;
  std::uint64_t last_new = 0;
  for (auto r : revisions) {
    if (seen.insert(r).second) {
      EXPECT_EQ(r, last_new + 1) << "out of order or a gap";
      last_new = r;
    }
  }
  EXPECT_EQ(seen.size(), 90U);
  EXPECT_EQ(receiver.bad_signatures(), 0);
  again.Signal(SIGTERM);
  EXPECT_EQ(again.Wait(), 0);

  // The log notifier wrote one JSON line per event.
  std::ifstream log(dir_.File("events.log"));
  std::string line;
  std::set<std::uint64_t> logged;
  while (std::getline(log, line)) {
    json j = json::parse(line);
    EXPECT_EQ(j["type"], "account.created");
    logged.insert(j["revision"].get<std::uint64_t>());
  }
  EXPECT_EQ(logged.size(), 90U);
}

TEST_F(WebhookTest, InviteEventsCarryTheAcceptLinkTheLogDoesNotStore) {
  testing::WebhookReceiver receiver("s3cret");
  testing::DaemonProcess daemon({"--config", Config(receiver.Start())});
  const int port = daemon.WaitForPort();
  ASSERT_GT(port, 0) << daemon.Output();
  const std::string key = Key();
  ASSERT_EQ(CreateAccounts(port, key, "acct", 1), 1);
  httplib::Client c("127.0.0.1", port);
  json invite = {{"subjectsAssignments",
                  {{{"subjectEmail", "new@example.test"}, {"assignments", {{{"policyId", "website-designer"}}}}}}}};
  auto r =
      c.Post("/invites/account-invite/create", httplib::Headers{{"Authorization", key}, {"wix-account-id", "acct0"}},
             invite.dump(), "application/json");
  ASSERT_EQ(r->status, 200) << r->body;
  const std::string link = json::parse(r->body)["successfulInvites"][0]["acceptLink"];
  ASSERT_TRUE(WaitFor([&] {
    std::ifstream log(dir_.File("events.log"));
    std::string line;
    while (std::getline(log, line)) {
      json j = json::parse(line);
      if (j["type"] == "invite.created") return j["data"]["changes"][0].value("acceptLink", std::string()) == link;
    }
    return false;
  })) << "no invite.created event with the link";
  daemon.Signal(SIGTERM);
  ASSERT_EQ(daemon.Wait(), 0);
  // The durable log holds only the token's hash.
  const std::string token = link.substr(link.find("token=") + 6);
  for (const char* file : {"g.db", "g.db-wal"}) {
    std::ifstream db(dir_.File(file), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(db)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes.find(token), std::string::npos) << "the accept token reached " << file;
  }
}

// Issue 8, item 8: any 4xx was a permanent reject, so a receiver mid-deploy answering 404
// lost revisions for good. Now only 410 Gone skips; other answers are retried in order.
TEST_F(WebhookTest, NotFoundWhileTheReceiverDeploysIsRetriedAndLosesNothing) {
  testing::WebhookReceiver receiver("s3cret");
  const int receiver_port = receiver.Start();
  receiver.FailNext(6, 404);
  testing::DaemonProcess daemon({"--config", Config(receiver_port)});
  const int port = daemon.WaitForPort();
  ASSERT_GT(port, 0) << daemon.Output();
  ASSERT_EQ(CreateAccounts(port, Key(), "a", 20), 20);
  ASSERT_TRUE(WaitFor([&] { return Distinct(receiver) == 20; })) << daemon.Output();
  EXPECT_EQ(receiver.failed(), 6);
  const auto revisions = receiver.Revisions();
  std::vector<std::uint64_t> expected(20);
  for (std::uint64_t i = 0; i < 20; ++i) expected[i] = i + 1;
  EXPECT_EQ(std::vector<std::uint64_t>(revisions.begin(), revisions.end()), expected);  // in order, once each
  EXPECT_NE(daemon.Output().find("answered 404"), std::string::npos) << daemon.Output();
  EXPECT_EQ(daemon.Output().find("skipped revisions"), std::string::npos) << daemon.Output();
}

// A wrong secret (401) is a misconfiguration the operator fixes: retried, never skipped.
TEST_F(WebhookTest, WrongSecretIsRetriedNotSkipped) {
  testing::WebhookReceiver receiver("another-secret");
  const int receiver_port = receiver.Start();
  testing::DaemonProcess daemon({"--config", Config(receiver_port)});
  const int port = daemon.WaitForPort();
  ASSERT_GT(port, 0) << daemon.Output();
  ASSERT_EQ(CreateAccounts(port, Key(), "a", 3), 3);
  ASSERT_TRUE(WaitFor([&] { return receiver.bad_signatures() >= 3; })) << daemon.Output();
  EXPECT_NE(daemon.Output().find("answered 401"), std::string::npos) << daemon.Output();
  httplib::Client c("127.0.0.1", port);
  EXPECT_NE(c.Get("/metrics")->body.find("gatehouse_notifier_rejected_total{notifier=\"webhook\"} 0"),
            std::string::npos);
  EXPECT_EQ(daemon.Output().find("skipped revisions"), std::string::npos) << daemon.Output();
}

// 410 Gone is the receiver's explicit "never again": skipped, counted, and logged at error
// level with the revisions.
TEST_F(WebhookTest, GoneIsSkippedAndLoggedAsAnError) {
  testing::WebhookReceiver receiver("s3cret");
  const int receiver_port = receiver.Start();
  receiver.FailNext(1000, 410);
  testing::DaemonProcess daemon({"--config", Config(receiver_port)});
  const int port = daemon.WaitForPort();
  ASSERT_GT(port, 0) << daemon.Output();
  ASSERT_EQ(CreateAccounts(port, Key(), "a", 3), 3);
  ASSERT_TRUE(WaitFor([&] {
    return std::regex_search(daemon.Output(), std::regex(R"(error notifier webhook: skipped revisions \d+\.\.3 )"));
  })) << daemon.Output();
  EXPECT_TRUE(std::regex_search(daemon.Output(), std::regex(R"(error notifier webhook: skipped revisions 1\.\.\d+ )")));
  httplib::Client c("127.0.0.1", port);
  EXPECT_NE(c.Get("/metrics")->body.find("gatehouse_notifier_rejected_total{notifier=\"webhook\"} 3"),
            std::string::npos);
}

}  // namespace
}  // namespace gatehouse
