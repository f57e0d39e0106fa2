// RunCommand: runs a shell command (stdout and stderr together) for tests that drive the
// real binaries or outside tools; returns its exit status (128+signal when killed) and
// everything it printed.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace gatehouse::testing {

struct CommandResult {
  int rc = -1;
  std::string output;
};

inline CommandResult RunCommand(const std::string& command) {
  CommandResult r;
  FILE* p = ::popen(("(" + command + ") 2>&1").c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) r.output.append(buf, n);
  const int status = ::pclose(p);
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

}  // namespace gatehouse::testing
