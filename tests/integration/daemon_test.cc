// The real gatehoused binary: start on an ephemeral loopback port, create an account,
// check over HTTP, restart on the same database and see the same decision, SIGTERM → 0.
#include <gtest/gtest.h>
#include <httplib.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "support/daemon_process.h"
#include "support/temp_dir.h"

namespace gatehouse {
namespace {

using nlohmann::json;

class DaemonTest : public ::testing::Test {
 protected:
  std::string WriteConfig(const std::string& policies = std::string(GATEHOUSE_SOURCE_DIR) + "/policies") {
    return testing::WriteDaemonConfig(dir_, "", policies);
  }

  std::string ReadKey() {
    std::ifstream in(dir_.File("system-key"));
    std::string key;
    in >> key;
    return key;
  }

  static httplib::Result CheckOlga(httplib::Client& c, const std::string& key) {
    json body = {{"subject", {{"id", "olga"}, {"subjectType", "USER"}}},
                 {"permission", "team.delete-member"},
                 {"asset", {{"id", "acme"}}}};
    return c.Post("/v1/check", httplib::Headers{{"Authorization", "Bearer " + key}, {"wix-account-id", "acme"}},
                  body.dump(), "application/json");
  }

  testing::TempDir dir_;
};

TEST_F(DaemonTest, ServesRestartsAndStopsCleanly) {
  const std::string config = WriteConfig();
  std::string key;
  {
    testing::DaemonProcess daemon({"--config", config});
    const int port = daemon.WaitForPort();
    ASSERT_GT(port, 0) << daemon.Output();
    EXPECT_NE(daemon.Output().find("wrote it to " + dir_.File("system-key")), std::string::npos) << daemon.Output();
    key = ReadKey();
    ASSERT_FALSE(key.empty());
    httplib::Client c("127.0.0.1", port);
    auto health = c.Get("/healthz");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 200);
    auto created = c.Post("/v1/accounts", httplib::Headers{{"Authorization", key}},
                          json{{"id", "acme"}, {"name", "Acme"}, {"ownerUserId", "olga"}}.dump(), "application/json");
    ASSERT_TRUE(created);
    ASSERT_EQ(created->status, 201) << created->body;
    auto check = CheckOlga(c, key);
    ASSERT_TRUE(check);
    EXPECT_EQ(check->body, R"({"allowed":true})");
    daemon.Signal(SIGTERM);
    EXPECT_EQ(daemon.Wait(), 0) << daemon.Output();
    EXPECT_NE(daemon.Output().find("stopped"), std::string::npos);
  }
  {
    // Same database, same generated key (its hash was kept beside the key file).
    testing::DaemonProcess daemon({"--config", config});
    const int port = daemon.WaitForPort();
    ASSERT_GT(port, 0) << daemon.Output();
    EXPECT_NE(daemon.Output().find("revision 1 with 1 account(s)"), std::string::npos) << daemon.Output();
    httplib::Client c("127.0.0.1", port);
    auto check = CheckOlga(c, key);
    ASSERT_TRUE(check);
    EXPECT_EQ(check->status, 200) << check->body;
    EXPECT_EQ(check->body, R"({"allowed":true})");
    daemon.Signal(SIGINT);
    EXPECT_EQ(daemon.Wait(), 0) << daemon.Output();
  }
}

TEST_F(DaemonTest, CheckModeValidatesAndExits) {
  testing::DaemonProcess ok({"--config", WriteConfig(), "--check"});
  EXPECT_EQ(ok.Wait(), 0) << ok.Output();
  EXPECT_NE(ok.Output().find("are valid"), std::string::npos);
}

TEST_F(DaemonTest, InvalidPoliciesAreFatalWithTheError) {
  testing::TempDir policies;
  policies.Write("bad.yaml", "apiVersion: gatehouse/v1\nkind: Rolle\n");
  testing::DaemonProcess daemon({"--config", WriteConfig(policies.path())});
  EXPECT_NE(daemon.Wait(), 0);
  EXPECT_NE(daemon.Output().find("bad.yaml:2:7: unknown kind \"Rolle\""), std::string::npos) << daemon.Output();
}

TEST_F(DaemonTest, InvalidConfigIsFatalWithFileAndLine) {
  const std::string config = dir_.Write("bad.yaml", "http:\n  listen: 127.0.0.1:0\n  colour: blue\n");
  testing::DaemonProcess daemon({"--config", config});
  EXPECT_EQ(daemon.Wait(), 2);
  EXPECT_NE(daemon.Output().find("bad.yaml:3:3: unknown key \"http.colour\""), std::string::npos) << daemon.Output();
}

TEST_F(DaemonTest, MissingStoragePluginIsFatal) {
  const std::string config = WriteConfig();
  testing::DaemonProcess daemon({"--config", config}, {"GATEHOUSE_STORAGE_PLUGIN=cassandra"});
  EXPECT_EQ(daemon.Wait(), 4);
  EXPECT_NE(daemon.Output().find("gatehouse-storage-cassandra.so: no such file"), std::string::npos) << daemon.Output();
}

TEST_F(DaemonTest, SighupReloadsPoliciesAndKeepsServingOnBadReload) {
  testing::TempDir policies;
  std::filesystem::copy(std::string(GATEHOUSE_SOURCE_DIR) + "/policies", policies.path(),
                        std::filesystem::copy_options::recursive | std::filesystem::copy_options::overwrite_existing);
  testing::DaemonProcess daemon({"--config", WriteConfig(policies.path())});
  const int port = daemon.WaitForPort();
  ASSERT_GT(port, 0) << daemon.Output();
  policies.Write("broken.yaml", "apiVersion: gatehouse/v1\nkind: Role\nid: x\ntitle: X\ninherits: [nobody]\n");
  daemon.Signal(SIGHUP);
  ASSERT_TRUE(daemon.WaitFor("reload failed")) << daemon.Output();
  httplib::Client c("127.0.0.1", port);
  EXPECT_EQ(c.Get("/healthz")->status, 200);
  std::ifstream key_file(dir_.File("system-key"));
  std::string key;
  key_file >> key;
  const httplib::Headers auth{{"Authorization", key}};
  auto status = c.Get("/v1/admin/status", auth);
  ASSERT_EQ(status->status, 200) << status->body;
  EXPECT_FALSE(json::parse(status->body)["lastReload"]["ok"].get<bool>());
  EXPECT_NE(c.Get("/metrics")->body.find("gatehouse_policy_reload_failures_total 1"), std::string::npos);
  auto refused = c.Post("/v1/admin/reload", auth, "", "application/json");
  EXPECT_EQ(refused->status, 400);
  EXPECT_NE(refused->body.find("unknown role"), std::string::npos) << refused->body;
  std::filesystem::remove(policies.File("broken.yaml"));
  daemon.Signal(SIGHUP);
  ASSERT_TRUE(daemon.WaitFor("policies replaced")) << daemon.Output();
  auto reloaded = c.Post("/v1/admin/reload", auth, "", "application/json");
  EXPECT_EQ(reloaded->status, 200) << reloaded->body;
  status = c.Get("/v1/admin/status", auth);
  EXPECT_TRUE(json::parse(status->body)["lastReload"]["ok"].get<bool>());
  EXPECT_FALSE(json::parse(status->body)["policyFiles"].empty());
  EXPECT_EQ(c.Get("/v1/admin/status")->status, 401);
  daemon.Signal(SIGTERM);
  EXPECT_EQ(daemon.Wait(), 0);
}

// policies.watch: an edit under the policy directory is reloaded without a signal, once
// it has settled; a broken edit is refused and the previous policies keep serving.
TEST_F(DaemonTest, WatchReloadsPoliciesWhenFilesChange) {
  testing::TempDir policies;
  std::filesystem::copy(std::string(GATEHOUSE_SOURCE_DIR) + "/policies", policies.path(),
                        std::filesystem::copy_options::recursive | std::filesystem::copy_options::overwrite_existing);
  testing::DaemonProcess daemon({"--config", testing::WriteDaemonConfig(dir_, "", policies.path())},
                                {"GATEHOUSE_POLICIES_WATCH=true"});
  const int port = daemon.WaitForPort();
  ASSERT_GT(port, 0) << daemon.Output();
  EXPECT_TRUE(daemon.WaitFor("watching .* for policy changes")) << daemon.Output();
  httplib::Client c("127.0.0.1", port);
  const httplib::Headers auth{{"Authorization", ReadKey()}};
  auto generation = [&] { return json::parse(c.Get("/v1/admin/status", auth)->body)["policyGeneration"].get<int>(); };
  const int first = generation();

  policies.Write("broken.yaml", "apiVersion: gatehouse/v1\nkind: Role\nid: x\ntitle: X\ninherits: [nobody]\n");
  ASSERT_TRUE(daemon.WaitFor("reload: policy files changed[\\s\\S]*reload failed")) << daemon.Output();
  EXPECT_EQ(generation(), first);
  EXPECT_EQ(c.Get("/healthz")->status, 200);

  std::filesystem::remove(policies.File("broken.yaml"));
  policies.Write("roles/auditor.yaml",
                 "apiVersion: gatehouse/v1\nkind: Role\nid: auditor\ntitle: Auditor\n"
                 "statements:\n  - effect: ALLOW\n    permissions: [team.view]\n");
  ASSERT_TRUE(daemon.WaitFor("policies replaced")) << daemon.Output();
  EXPECT_GT(generation(), first);
  auto roles = c.Get("/v1/admin/status", auth);
  EXPECT_NE(roles->body.find("auditor.yaml"), std::string::npos) << roles->body;
  daemon.Signal(SIGTERM);
  EXPECT_EQ(daemon.Wait(), 0) << daemon.Output();
}

// SIGUSR1 turns on debug logging (one line per HTTP request, no headers) for ten minutes.
TEST_F(DaemonTest, Sigusr1SwitchesToDebugLogging) {
  testing::DaemonProcess daemon({"--config", WriteConfig()});
  const int port = daemon.WaitForPort();
  ASSERT_GT(port, 0) << daemon.Output();
  httplib::Client c("127.0.0.1", port);
  ASSERT_EQ(c.Get("/healthz")->status, 200);
  EXPECT_EQ(daemon.Output().find("http GET /healthz"), std::string::npos) << "info level logs no requests";
  daemon.Signal(SIGUSR1);
  ASSERT_TRUE(daemon.WaitFor("debug logging for 10 minutes")) << daemon.Output();
  const std::string key = ReadKey();
  ASSERT_EQ(c.Get("/readyz", httplib::Headers{{"Authorization", key}})->status, 200);
  ASSERT_TRUE(daemon.WaitFor("http GET /readyz 200")) << daemon.Output();
  EXPECT_EQ(daemon.Output().find(key), std::string::npos) << "the key must never be logged";
  daemon.Signal(SIGTERM);
  EXPECT_EQ(daemon.Wait(), 0) << daemon.Output();
}

}  // namespace
}  // namespace gatehouse
