// Daemon: the composition root. Wires config → logging → policies → plugins → state →
// services → HTTP, runs until SIGTERM/SIGINT, reloads policies on SIGHUP, and tells
// systemd about it (sd_notify READY=1, RELOADING=1, STOPPING=1). Nothing includes app/.
#pragma once

#include <string>

namespace gatehouse {

struct DaemonArgs {
  std::string config_path = "/etc/gatehouse/gatehouse.yaml";
  bool check_only = false;  // validate config, policies and plugins, then exit
};

// Returns the process exit code.
int RunDaemon(const DaemonArgs& args);

}  // namespace gatehouse
