// The PostgreSQL plugin's own rules, beyond the conformance suite: what it refuses in its
// options, and how it fails when the server is away and when it comes back.
#include <gtest/gtest.h>

#include "store/plugin_change_log.h"
#include "support/postgres.h"
#include "support/temp_dir.h"

namespace gatehouse {
namespace {

Result<std::unique_ptr<PluginChangeLog>> OpenPostgres(const std::map<std::string, std::string>& options) {
  PluginHost host(GATEHOUSE_PLUGIN_DIR);
  auto plugin = host.Load("storage", "postgres");
  EXPECT_TRUE(plugin.ok()) << plugin.status().ToString();
  if (!plugin.ok()) return plugin.status();
  return PluginChangeLog::Open(*plugin, options, nullptr);
}

void ExpectRefused(const Result<std::unique_ptr<PluginChangeLog>>& r, StatusCode code, const std::string& part) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), code) << r.status().ToString();
  EXPECT_NE(r.status().message().find(part), std::string::npos) << r.status().message();
}

TEST(PostgresStorageTest, APasswordInTheConfigurationIsRefused) {
  ExpectRefused(OpenPostgres({{"conninfo", testing::PostgresConnInfo() + " password=secret"}}),
                StatusCode::kInvalidArgument, "contains a password: put it in a file named by \"password_file\"");
  ExpectRefused(OpenPostgres({{"conninfo", "postgresql://u:secret@127.0.0.1/db"}}), StatusCode::kInvalidArgument,
                "contains a password");
}

TEST(PostgresStorageTest, BadOptionsAreRefusedByName) {
  ExpectRefused(OpenPostgres({{"conninfo", "host='unterminated"}}), StatusCode::kInvalidArgument,
                "option \"conninfo\"");
  ExpectRefused(OpenPostgres({{"conninfo", testing::PostgresConnInfo()}, {"schema", "Robert'); DROP"}}),
                StatusCode::kInvalidArgument, "option \"schema\": expected 1 to 48 of a-z");
  ExpectRefused(OpenPostgres({{"conninfo", testing::PostgresConnInfo()}, {"password_file", "/nonexistent/pw"}}),
                StatusCode::kInvalidArgument, "cannot read \"/nonexistent/pw\"");
}

TEST(PostgresStorageTest, APasswordFileIsUsed) {
  // The test cluster trusts every local user, so any password is accepted: the test shows
  // the file is read and the connection made with it.
  testing::TempDir dir;
  const std::string file = dir.Write("pw", "not-a-real-secret\n");
  auto log = OpenPostgres({{"conninfo", testing::PostgresConnInfo()},
                           {"password_file", file},
                           {"schema", testing::FreshPostgresSchema("pw")}});
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  EXPECT_EQ(*(*log)->Head(), 0U);
}

TEST(PostgresStorageTest, AnUnreachableServerIsUnavailableNamingWhy) {
  ExpectRefused(OpenPostgres({{"conninfo", "host=127.0.0.1 port=1 dbname=x user=x connect_timeout=2"}}),
                StatusCode::kUnavailable, "postgres: cannot connect");
}

}  // namespace
}  // namespace gatehouse
