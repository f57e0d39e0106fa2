// DaemonProcess: runs the built gatehoused binary as a child process, collects its
// stderr, finds the port it listens on, and sends it signals — for integration tests
// that must exercise the real binary (start-up, restarts, SIGTERM, kill -9).
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "support/temp_dir.h"

namespace gatehouse::testing {

// Writes `dir`/gatehouse.yaml for a test daemon: an ephemeral loopback port, `policies`
// (default: the repo's), the built plugins, the system key and a SQLite log in `dir`,
// then `extra` YAML (more top-level sections) and `http_fields` (more keys of the http
// section, ", key: value" each). Returns the file's path.
inline std::string WriteDaemonConfig(const TempDir& dir, const std::string& extra = "",
                                     const std::string& policies = GATEHOUSE_SOURCE_DIR "/policies",
                                     const std::string& http_fields = "") {
  return dir.Write("gatehouse.yaml",
                   "http: {listen: 127.0.0.1:0" + http_fields + "}\npolicies: {dir: " + policies +
                       "}\nplugins: {dir: " GATEHOUSE_PLUGIN_DIR "}\nauth: {systemKeyFile: " + dir.File("system-key") +
                       "}\nstorage: {plugin: sqlite, options: {path: " + dir.File("g.db") + "}}\n" + extra);
}

inline std::string DaemonBinary() { return std::string(GATEHOUSE_BINARY_DIR) + "/bin/gatehoused"; }

class DaemonProcess {
 public:
  DaemonProcess(std::vector<std::string> args, std::vector<std::string> env = {}) {
    int fds[2];
    if (::pipe(fds) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(fds[1], STDERR_FILENO);
      ::dup2(fds[1], STDOUT_FILENO);
      // Drop every other inherited descriptor (a test's own listening sockets among them),
      // or the daemon would keep them open after the test closes them.
      ::closefrom(STDERR_FILENO + 1);
      for (const auto& e : env) ::putenv(const_cast<char*>(e.c_str()));
      std::vector<char*> argv;
      std::string bin = DaemonBinary();
      argv.push_back(bin.data());
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(bin.c_str(), argv.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    reader_ = std::thread([this, fd = fds[0]] {
      char buf[4096];
      for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) break;
        std::lock_guard lock(mu_);
        output_.append(buf, static_cast<std::size_t>(n));
        cv_.notify_all();
      }
      ::close(fd);
      std::lock_guard lock(mu_);
      eof_ = true;
      cv_.notify_all();
    });
  }

  ~DaemonProcess() {
    if (pid_ > 0 && !exit_code_) {
      ::kill(pid_, SIGKILL);
      Wait();
    }
    if (reader_.joinable()) reader_.join();
  }

  pid_t pid() const { return pid_; }

  // Waits until the output matches `pattern`; returns the first capture group (or the
  // whole match), or nullopt on timeout / exit.
  std::optional<std::string> WaitFor(const std::string& pattern,
                                     std::chrono::seconds timeout = std::chrono::seconds(30)) {
    std::regex re(pattern);
    std::unique_lock lock(mu_);
    std::smatch m;
    const bool found = cv_.wait_for(lock, timeout, [&] { return std::regex_search(output_, m, re) || eof_; });
    if (!found || !std::regex_search(output_, m, re)) return std::nullopt;
    return m.size() > 1 ? m[1].str() : m[0].str();
  }

  // The port from "listening on http://HOST:PORT".
  int WaitForPort() {
    auto port = WaitFor(R"(listening on https?://[^ ]+:(\d+))");
    return port ? std::stoi(*port) : -1;
  }

  void Signal(int sig) { ::kill(pid_, sig); }

  // Waits for exit; returns the exit code, or 128+signal.
  int Wait() {
    if (exit_code_) return *exit_code_;
    int status = 0;
    ::waitpid(pid_, &status, 0);
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    // Everything the process wrote is read once its pipe reaches EOF.
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(10), [&] { return eof_; });
    return *exit_code_;
  }

  std::string Output() {
    std::lock_guard lock(mu_);
    return output_;
  }

 private:
  pid_t pid_ = -1;
  std::thread reader_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::string output_;
  bool eof_ = false;
  std::optional<int> exit_code_;
};

}  // namespace gatehouse::testing
