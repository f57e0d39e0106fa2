// Issue 8 against the real binaries: operator mistakes, hostile clients and broken plugins
// must not take gatehoused down, split it, or lose an event. Each test names the item it
// guards; each failed on the main this issue was filed against.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/daemon_process.h"
#include "support/temp_dir.h"

namespace gatehouse {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// Runs a command through the shell; returns its exit status and output (stdout+stderr).
struct CommandResult {
  int rc = -1;
  std::string output;
};
CommandResult RunCommand(const std::string& command) {
  CommandResult r;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) r.output.append(buf, n);
  const int status = ::pclose(p);
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

std::string CliBinary() { return std::string(GATEHOUSE_BINARY_DIR) + "/bin/gatehouse"; }

class HardeningTest : public ::testing::Test {
 protected:
  // A private copy of the shipped policies, so a test may break it.
  std::string CopyPolicies() {
    const std::string policies = dir_.File("policies");
    fs::copy(GATEHOUSE_SOURCE_DIR "/policies", policies, fs::copy_options::recursive);
    return policies;
  }
  std::string ReadKey() {
    std::ifstream in(dir_.File("system-key"));
    std::string key;
    in >> key;
    return key;
  }

  testing::TempDir dir_;
};

// Item 1: a symlink loop in the policy directory aborted the daemon (start-up, SIGHUP,
// policies.watch), `gatehoused --check` and `gatehouse validate` with rc 134.
TEST_F(HardeningTest, SymlinkLoopInPoliciesIsAnErrorNotACrash) {
  const std::string policies = CopyPolicies();
  const std::string config = testing::WriteDaemonConfig(dir_, "policies: {watch: true}\n", policies);
  testing::DaemonProcess daemon({"--config", config});
  const int port = daemon.WaitForPort();
  ASSERT_GT(port, 0) << daemon.Output();

  ASSERT_EQ(::symlink(".", (policies + "/roles/loop").c_str()), 0);
  const std::string loop_error = policies + "/roles/loop: symlink loop: leads back to " + policies + "/roles";
  daemon.Signal(SIGHUP);
  ASSERT_TRUE(daemon.WaitFor("reload failed")) << daemon.Output();
  EXPECT_NE(daemon.Output().find(loop_error), std::string::npos) << daemon.Output();
  // The watcher sees the same tree and survives it too.
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  httplib::Client c("127.0.0.1", port);
  auto health = c.Get("/healthz");
  ASSERT_TRUE(health) << daemon.Output();
  EXPECT_EQ(health->status, 200);

  CommandResult check = RunCommand(testing::DaemonBinary() + " --check --config " + config);
  EXPECT_EQ(check.rc, 3) << check.output;
  EXPECT_NE(check.output.find(loop_error), std::string::npos) << check.output;
  CommandResult validate = RunCommand(CliBinary() + " validate " + policies);
  EXPECT_EQ(validate.rc, 1) << validate.output;
  EXPECT_NE(validate.output.find(loop_error), std::string::npos) << validate.output;

  daemon.Signal(SIGTERM);
  EXPECT_EQ(daemon.Wait(), 0) << daemon.Output();
  testing::DaemonProcess again({"--config", config});
  EXPECT_EQ(again.Wait(), 3) << again.Output();
  EXPECT_NE(again.Output().find(loop_error), std::string::npos) << again.Output();
}

}  // namespace
}  // namespace gatehouse
