#include <CLI/CLI.hpp>

#include <gatehouse/plugin.h>

#include <string>

#include "app/daemon.h"

int main(int argc, char** argv) {
  CLI::App app{"gatehoused: the Gatehouse team-access policy daemon"};
  app.set_version_flag("--version", "gatehoused " GATEHOUSE_VERSION " (plugin ABI " + std::to_string(GH_ABI_MAJOR) +
                                        "." + std::to_string(GH_ABI_MINOR) + ")");
  gatehouse::DaemonArgs args;
  app.add_option("-c,--config", args.config_path, "Configuration file")->capture_default_str();
  app.add_flag("--check", args.check_only, "Validate the configuration, policies and plugins, then exit");
  CLI11_PARSE(app, argc, argv);
  return gatehouse::RunDaemon(args);
}
