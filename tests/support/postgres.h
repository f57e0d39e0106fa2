// The test PostgreSQL cluster (started by CTest's `postgres` fixture, see
// tests/CMakeLists.txt): its libpq connection string, a fresh schema name per use (each
// log starts empty), and the cluster script for restarts. Tests that use it are declared
// with gatehouse_test(... POSTGRES) and fail, naming the fixture, when it is not running.
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <string>

namespace gatehouse::testing {

inline std::string PostgresConnInfo() {
  std::ifstream in(std::string(GATEHOUSE_TEST_PG_STATE) + "/conninfo");
  std::string line;
  std::getline(in, line);
  return line;  // empty: the cluster is not running (run the test through ctest)
}

// A schema name no other test of this run uses.
inline std::string FreshPostgresSchema(const std::string& prefix = "t") {
  static std::atomic<int> next{0};
  return prefix + "_" + std::to_string(::getpid()) + "_" + std::to_string(next++);
}

// Runs the cluster script: "restart", "halt" or "resume". True on success.
inline bool PostgresCluster(const std::string& command) {
  const std::string cmd = std::string(GATEHOUSE_TEST_PG_SCRIPT) + " " + command + " " + GATEHOUSE_TEST_PG_STATE;
  return std::system(cmd.c_str()) == 0;
}

}  // namespace gatehouse::testing
