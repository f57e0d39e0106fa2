#include <CLI/CLI.hpp>

#include "app/daemon.h"

int main(int argc, char** argv) {
  CLI::App app{"gatehoused: the Gatehouse team-access policy daemon"};
  gatehouse::DaemonArgs args;
  app.add_option("-c,--config", args.config_path, "Configuration file")->capture_default_str();
  app.add_flag("--check", args.check_only, "Validate the configuration, policies and plugins, then exit");
  CLI11_PARSE(app, argc, argv);
  return gatehouse::RunDaemon(args);
}
