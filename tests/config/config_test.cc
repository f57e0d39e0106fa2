#include "config/config.h"

#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace gatehouse {
namespace {

TEST(ConfigTest, EmptyFileGivesDefaults) {
  auto c = ParseConfig("", "g.yaml", {});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->listen_host, "127.0.0.1");
  EXPECT_EQ(c->listen_port, 8080);
  EXPECT_EQ(c->max_body_bytes, 1048576U);
  EXPECT_EQ(c->storage_plugin, "sqlite");
  EXPECT_EQ(c->storage_options.at("path"), "/var/lib/gatehouse/gatehouse.db");
  EXPECT_EQ(c->invite_ttl_ms, 168LL * 3600 * 1000);
}

TEST(ConfigTest, ShippedConfigParses) {
  auto c = LoadConfig(std::string(GATEHOUSE_SOURCE_DIR) + "/config/gatehouse.yaml", {});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->policies_dir, "/etc/gatehouse/policies");
  EXPECT_TRUE(c->notifiers.empty());
}

TEST(ConfigTest, ReadsEveryKind) {
  auto c = ParseConfig(R"(
http: {listen: "[::1]:9000", maxBodyBytes: 2048, threads: 8, tls: {cert: /c.pem, key: /k.pem}}
policies: {dir: /p, watch: true}
auth: {systemKeyHashes: [aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]}
invites: {ttl: 24h}
limits: {batchCheck: 10, pageSize: 20}
storage: {plugin: memory, options: {name: x}}
notifiers:
  - plugin: webhook
    options: {url: "http://127.0.0.1:1/h", secret: s}
log: {level: debug, format: json}
)",
                       "g.yaml", {});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->listen_host, "::1");
  EXPECT_EQ(c->listen_port, 9000);
  EXPECT_EQ(c->threads, 8);
  EXPECT_EQ(c->tls_key, "/k.pem");
  EXPECT_TRUE(c->policies_watch);
  EXPECT_EQ(c->system_key_hashes.size(), 1U);
  EXPECT_EQ(c->invite_ttl_ms, 24LL * 3600 * 1000);
  EXPECT_EQ(c->batch_check_limit, 10U);
  EXPECT_EQ(c->storage_options.at("name"), "x");
  EXPECT_EQ(c->storage_options.count("path"), 0U);  // the sqlite default is not given to another plugin
  ASSERT_EQ(c->notifiers.size(), 1U);
  EXPECT_EQ(c->notifiers[0].options.at("secret"), "s");
  EXPECT_EQ(c->log_format, "json");
}

TEST(ConfigTest, UnknownKeyIsAnErrorWithPosition) {
  auto c = ParseConfig("http:\n  listen: 127.0.0.1:1\n  lisen: x\n", "g.yaml", {});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("g.yaml:3:3: unknown key \"http.lisen\""), std::string::npos)
      << c.status().message();
}

TEST(ConfigTest, BadValuesAreAllReported) {
  auto c = ParseConfig("http: {listen: nowhere, maxBodyBytes: -1}\nlog: {level: loud}\n", "g.yaml", {});
  ASSERT_FALSE(c.ok());
  const std::string m = c.status().message();
  EXPECT_NE(m.find("http.listen: expected HOST:PORT"), std::string::npos) << m;
  EXPECT_NE(m.find("http.maxBodyBytes"), std::string::npos) << m;
  EXPECT_NE(m.find("log.level"), std::string::npos) << m;
}

TEST(ConfigTest, EnvironmentOverridesFile) {
  auto c = ParseConfig(
      "http: {listen: 127.0.0.1:8080}\n", "g.yaml",
      {"GATEHOUSE_HTTP_PORT=9001", "GATEHOUSE_HTTP_MAX_BODY_BYTES=77", "GATEHOUSE_STORAGE_OPTIONS_PATH=/tmp/x.db",
       "GATEHOUSE_POLICIES_DIR=/pol", "GATEHOUSE_AUTH_SYSTEM_KEY_FILE=/k", "PATH=/usr/bin"});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->listen_port, 9001);
  EXPECT_EQ(c->max_body_bytes, 77U);
  EXPECT_EQ(c->storage_options.at("path"), "/tmp/x.db");
  EXPECT_EQ(c->policies_dir, "/pol");
  EXPECT_EQ(c->system_key_file, "/k");
}

TEST(ConfigTest, UnknownOrBadEnvironmentOverride) {
  EXPECT_FALSE(ParseConfig("", "g.yaml", {"GATEHOUSE_HTTP_LISTN=1"}).ok());
  EXPECT_FALSE(ParseConfig("", "g.yaml", {"GATEHOUSE_HTTP_PORT=99999"}).ok());
}

TEST(ConfigTest, TheCliClientsVariablesAreNotDaemonConfiguration) {
  // An operator's shell exports them for `gatehouse review`; the daemon must still start.
  auto c = ParseConfig("", "g.yaml",
                       {"GATEHOUSE_URL=http://127.0.0.1:8080", "GATEHOUSE_KEY_FILE=/k", "GATEHOUSE_ACCOUNT=acme"});
  EXPECT_TRUE(c.ok()) << c.status().message();
}

TEST(ConfigTest, TlsNeedsBothHalves) { EXPECT_FALSE(ParseConfig("http: {tls: {cert: /c.pem}}\n", "g.yaml", {}).ok()); }

TEST(ConfigTest, MissingFile) {
  testing::TempDir dir;
  auto c = LoadConfig(dir.File("absent.yaml"), {});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("absent.yaml"), std::string::npos);
}

TEST(ConfigTest, ConnectionSettingsAndTheOpsListener) {
  auto c = ParseConfig(
      "http: {readTimeoutSeconds: 7, writeTimeoutSeconds: 8, idleTimeoutSeconds: 9, listenBacklog: 4096,\n"
      "       shutdownGraceSeconds: 3, threads: 2048}\nops: {listen: 127.0.0.1:9090, threads: 2}\nlog: {format: "
      "journal}\n",
      "g.yaml", {});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->read_timeout_ms, 7000);
  EXPECT_EQ(c->write_timeout_ms, 8000);
  EXPECT_EQ(c->idle_timeout_ms, 9000);
  EXPECT_EQ(c->listen_backlog, 4096U);
  EXPECT_EQ(c->shutdown_grace_seconds, 3);
  EXPECT_EQ(c->threads, 2048);
  EXPECT_EQ(c->ops_host, "127.0.0.1");
  EXPECT_EQ(c->ops_port, 9090);
  EXPECT_EQ(c->ops_threads, 2);
  EXPECT_EQ(c->log_format, "journald");
  auto defaults = ParseConfig("", "g.yaml", {});
  ASSERT_TRUE(defaults.ok());
  EXPECT_TRUE(defaults->ops_host.empty());  // no ops listener unless asked
  EXPECT_EQ(defaults->shutdown_grace_seconds, 10);
  for (const char* bad : {"http: {readTimeoutSeconds: 0}\n", "http: {idleTimeoutSeconds: 5s}\n",
                          "http: {listenBacklog: 0}\n", "ops: {listen: nowhere}\n", "ops: {threads: 0}\n"}) {
    EXPECT_FALSE(ParseConfig(bad, "g.yaml", {}).ok()) << bad;
  }
}

}  // namespace
}  // namespace gatehouse

namespace gatehouse {
namespace {

TEST(ConfigTest, HistorySettings) {
  auto defaults = ParseConfig("", "g.yaml", {});
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->history_retention_ms, 720LL * 3600 * 1000);
  EXPECT_EQ(defaults->history_snapshot_every, 20000U);
  EXPECT_EQ(defaults->history_check_interval_ms, 60000);
  auto set = ParseConfig("history: {retention: 48h, snapshotEvery: 0, checkInterval: 5s}\n", "g.yaml",
                         {"GATEHOUSE_HISTORY_RETENTION=0"});
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set->history_retention_ms, 0);  // the environment wins
  EXPECT_EQ(set->history_snapshot_every, 0U);
  EXPECT_EQ(set->history_check_interval_ms, 5000);
  auto bad = ParseConfig("history: {retention: forever, snapshotEvery: -1, checkInterval: 0s}\n", "g.yaml", {});
  ASSERT_FALSE(bad.ok());
  const std::string& m = bad.status().message();
  EXPECT_NE(m.find("history.retention"), std::string::npos) << m;
  EXPECT_NE(m.find("history.snapshotEvery"), std::string::npos) << m;
  EXPECT_NE(m.find("history.checkInterval"), std::string::npos) << m;
}

}  // namespace
}  // namespace gatehouse

namespace gatehouse {
namespace {

TEST(ConfigTest, DecisionListener) {
  auto off = ParseConfig("", "g.yaml", {});
  ASSERT_TRUE(off.ok());
  EXPECT_TRUE(off->decision_host.empty());
  auto on = ParseConfig("http: {decisionListen: \"127.0.0.1:8081\", decisionThreads: 2}\n", "g.yaml", {});
  ASSERT_TRUE(on.ok()) << on.status().ToString();
  EXPECT_EQ(on->decision_host, "127.0.0.1");
  EXPECT_EQ(on->decision_port, 8081);
  EXPECT_EQ(on->decision_threads, 2);
  auto env = ParseConfig("", "g.yaml", {"GATEHOUSE_HTTP_DECISION_LISTEN=0.0.0.0:9001"});
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  EXPECT_EQ(env->decision_port, 9001);
  auto bad = ParseConfig("http: {decisionListen: nowhere, decisionThreads: 99}\n", "g.yaml", {});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("http.decisionListen"), std::string::npos) << bad.status().message();
  EXPECT_NE(bad.status().message().find("http.decisionThreads"), std::string::npos) << bad.status().message();
}

}  // namespace
}  // namespace gatehouse
