// gatehouse: the command line for admins and CI.
//   gatehouse validate DIR            load a policy directory; every error, exit 1 if any
//   gatehouse test DIR                run its PolicyTest suites; failures explained; coverage
//   gatehouse plugins list [--dir D]  what is installed
//   gatehouse plugins describe NAME   a plugin's options (NAME: sqlite or storage-sqlite)
//   gatehouse diff NEW_DIR            access a candidate policy directory would change (daemon)
//   gatehouse review                  the account's access review (daemon)
//   gatehouse check | who-can | what-can | status | reload | compact | keys | export | import
//                                     operate a running daemon (admin_commands.h)
// Usage errors exit 2.
#include <gatehouse/plugin.h>

#include <CLI/CLI.hpp>
#include <cstdio>

#include "admin_commands.h"
#include "audit_commands.h"
#include "client.h"
#include "policy/policy_loader.h"
#include "policy/policy_test_runner.h"
#include "store/plugin_host.h"

namespace gatehouse {
namespace {

int Validate(const std::string& dir) {
  PolicyLoad load = LoadPolicyDirectory(dir);
  for (const auto& e : load.errors) std::fprintf(stderr, "%s\n", e.ToString().c_str());
  if (!load.ok()) {
    std::fprintf(stderr, "%zu error(s) in %s\n", load.errors.size(), dir.c_str());
    return 1;
  }
  std::printf("%s: OK (%zu file(s), %zu permission(s), %zu predefined role(s), %zu test suite(s))\n", dir.c_str(),
              load.files.size(), load.policy_set->PermissionCount(), load.policy_set->predefined_roles().size(),
              load.tests.size());
  return 0;
}

int Test(const std::string& dir, bool verbose) {
  PolicyLoad load = LoadPolicyDirectory(dir);
  for (const auto& e : load.errors) std::fprintf(stderr, "%s\n", e.ToString().c_str());
  if (!load.ok()) return 1;
  if (load.tests.empty()) {
    std::fprintf(stderr, "%s: no PolicyTest suites found\n", dir.c_str());
    return 1;
  }
  PolicyTestReport report = RunPolicyTests(*load.policy_set, load.tests);
  for (const auto& f : report.failures) {
    std::printf("FAIL %s: [%s] %s\n", f.where.ToString().c_str(), f.suite.c_str(), f.message.c_str());
  }
  std::printf("coverage: roles %zu/%zu exercised, statements %zu/%zu\n", report.roles_exercised.size(),
              report.roles_exercised.size() + report.roles_not_exercised.size(), report.statements_exercised,
              report.statements_total);
  if (verbose || !report.roles_not_exercised.empty()) {
    for (const auto& r : report.roles_not_exercised) std::printf("  role not exercised: %s\n", r.c_str());
  }
  if (verbose) {
    for (const auto& s : report.statements_not_exercised) std::printf("  statement not exercised: %s\n", s.c_str());
  }
  std::printf("%zu suite(s): %zu passed, %zu failed\n", report.suites, report.passed,
              report.expectations - report.passed);
  return report.ok() ? 0 : 1;
}

void PrintInfo(const PluginInfo& info, bool options) {
  std::printf("%-10s %-12s %-8s ABI %u.%u  %s\n", std::string(PluginKindName(info.kind)).c_str(), info.name.c_str(),
              info.version.c_str(), info.abi_major, info.abi_minor, info.description.c_str());
  if (!options) return;
  std::printf("  file: %s\n  options:\n", info.path.c_str());
  for (const auto& o : info.options) {
    std::printf("    %-18s %-8s %s%s%s\n", o.name.c_str(), std::string(OptionTypeName(o.type)).c_str(),
                o.required ? "(required) " : "", o.default_value ? ("(default " + *o.default_value + ") ").c_str() : "",
                o.description.c_str());
  }
}

int PluginsList(const std::string& dir) {
  PluginHost host(dir);
  // Each library is loaded in a child process: a plugin that crashes is reported by name.
  auto all = host.ProbeAll();
  if (all.empty()) std::printf("no plugins in %s\n", dir.c_str());
  int rc = 0;
  for (const auto& [path, plugin] : all) {
    if (plugin.ok()) {
      PrintInfo(*plugin, false);
    } else {
      std::printf("BROKEN     %s: %s\n", path.c_str(), plugin.status().message().c_str());
      rc = 1;
    }
  }
  return rc;
}

int PluginsDescribe(const std::string& dir, std::string name) {
  PluginHost host(dir);
  std::string kind;
  for (const char* k : {"storage", "notifier"}) {
    const std::string prefix = std::string(k) + "-";
    if (name.rfind(prefix, 0) == 0) {
      kind = k;
      name = name.substr(prefix.size());
    }
  }
  for (const char* k : {"storage", "notifier"}) {
    if (!kind.empty() && kind != k) continue;
    auto plugin = host.Load(k, name);
    if (plugin.ok()) {
      PrintInfo(plugin->info, true);
      return 0;
    }
    if (plugin.status().code() != StatusCode::kNotFound) {
      std::fprintf(stderr, "%s\n", plugin.status().message().c_str());
      return 1;
    }
  }
  std::fprintf(stderr, "no plugin \"%s\" in %s\n", name.c_str(), dir.c_str());
  return 1;
}

}  // namespace
}  // namespace gatehouse

int main(int argc, char** argv) {
  CLI::App app{"gatehouse: validate and test policies, inspect plugins, and operate a running daemon"};
  app.set_version_flag("--version", "gatehouse " GATEHOUSE_VERSION " (plugin ABI " + std::to_string(GH_ABI_MAJOR) +
                                        "." + std::to_string(GH_ABI_MINOR) + ")");
  app.require_subcommand(1);
  std::string dir;
  bool verbose = false;
  auto* validate = app.add_subcommand("validate", "Load a policy directory and report every error");
  validate->add_option("dir", dir, "Policy directory")->required();
  auto* test = app.add_subcommand("test", "Run the PolicyTest suites of a policy directory");
  test->add_option("dir", dir, "Policy directory")->required();
  test->add_flag("-v,--verbose", verbose, "List every statement the suites did not exercise");
  auto* plugins = app.add_subcommand("plugins", "Inspect installed plugins");
  plugins->require_subcommand(1);
  std::string plugin_dir = "/usr/lib/gatehouse/plugins";
  std::string name;
  auto* list = plugins->add_subcommand("list", "List installed plugins");
  list->add_option("--dir", plugin_dir, "Plugin directory")->capture_default_str();
  auto* describe = plugins->add_subcommand("describe", "Show a plugin and its options");
  describe->add_option("name", name, "Plugin name (sqlite, storage-sqlite, ...)")->required();
  describe->add_option("--dir", plugin_dir, "Plugin directory")->capture_default_str();
  gatehouse::cli::ClientOptions client;
  bool json_output = false;
  auto* diff =
      app.add_subcommand("diff", "Show whose access a candidate policy directory would change (exit 1 if any)");
  diff->add_option("dir", dir, "Candidate policy directory")->required();
  diff->add_flag("--json", json_output, "Print the daemon's JSON answer");
  client.AddTo(diff);
  bool csv = false;
  std::optional<std::uint64_t> at;
  auto* review = app.add_subcommand("review", "Print the account's access review");
  review->add_flag("--csv", csv, "Print the review as CSV");
  review->add_option("--at", at, "Review the account as it stood after this revision");
  review->add_flag("--json", json_output, "Print the daemon's JSON answer");
  client.AddTo(review);
  gatehouse::cli::AdminArgs admin;
  // A subcommand of `parent` that talks to a daemon: the client options and --json.
  auto client_command = [&](CLI::App* parent, const char* command, const char* help) {
    auto* c = parent->add_subcommand(command, help);
    admin.client.AddTo(c);
    c->add_flag("--json", admin.json, "Print the daemon's JSON answer");
    return c;
  };
  auto* check = client_command(&app, "check", "Ask whether a subject may do something (exit 0 allowed, 1 denied)");
  check->add_option("args", admin.positional, "SUBJECT PERMISSION ASSET")->expected(3)->required();
  check->add_option("--type", admin.subject_type, "Subject type (default USER)");
  check->add_flag("--explain", admin.explain, "Say why");
  auto* who_can = client_command(&app, "who-can", "List the subjects that may do PERMISSION on ASSET");
  who_can->add_option("args", admin.positional, "PERMISSION ASSET")->expected(2)->required();
  auto* what_can = client_command(&app, "what-can", "List the assets SUBJECT may do PERMISSION on");
  what_can->add_option("args", admin.positional, "SUBJECT PERMISSION")->expected(2)->required();
  what_can->add_option("--type", admin.subject_type, "Subject type (default USER)");
  what_can->add_option("--asset-type", admin.asset_type, "Only assets of this type");
  auto* status = client_command(&app, "status", "The daemon's revision, policies, last reload and plugins");
  auto* reload = client_command(&app, "reload", "Reload the policy directory (same as SIGHUP)");
  reload->add_flag("--dry-run", admin.dry_run, "Only check that the policies would load");
  reload->add_flag("--force", admin.force, "Reload even if assigned roles disappear");
  auto* compact = client_command(&app, "compact",
                                 "Write a snapshot of the state now and forget history older than history.retention");
  auto* keys = app.add_subcommand("keys", "Manage the account's API keys");
  keys->require_subcommand(1);
  auto* keys_create = client_command(keys, "create", "Create a key for SUBJECT (shown once)");
  keys_create->add_option("subject", admin.positional, "SUBJECT")->expected(1)->required();
  keys_create->add_option("--type", admin.subject_type, "Subject type (default USER)");
  keys_create->add_option("--description", admin.description, "What the key is for");
  auto* keys_list = client_command(keys, "list", "List the account's keys (never the keys themselves)");
  auto* keys_revoke = client_command(keys, "revoke", "Revoke a key by id");
  keys_revoke->add_option("id", admin.positional, "ID")->expected(1)->required();
  auto* export_cmd = client_command(&app, "export", "Write every piece of data at one revision as NDJSON");
  export_cmd->add_option("-o,--output", admin.output, "File to write (default: standard output)");
  auto* import_cmd = client_command(&app, "import", "Load an export into an empty daemon, all or nothing");
  import_cmd->add_option("file", admin.positional, "FILE")->expected(1)->required();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  if (*diff) return gatehouse::cli::RunDiff(dir, client, json_output);
  if (*check) return gatehouse::cli::RunCheck(admin);
  if (*who_can) return gatehouse::cli::RunWhoCan(admin);
  if (*what_can) return gatehouse::cli::RunWhatCan(admin);
  if (*status) return gatehouse::cli::RunStatus(admin);
  if (*reload) return gatehouse::cli::RunReload(admin);
  if (*compact) return gatehouse::cli::RunCompact(admin);
  if (*keys_create) return gatehouse::cli::RunKeysCreate(admin);
  if (*keys_list) return gatehouse::cli::RunKeysList(admin);
  if (*keys_revoke) return gatehouse::cli::RunKeysRevoke(admin);
  if (*export_cmd) return gatehouse::cli::RunExport(admin);
  if (*import_cmd) return gatehouse::cli::RunImport(admin);
  if (*review) return gatehouse::cli::RunReview(client, csv, at, json_output);
  if (*validate) return gatehouse::Validate(dir);
  if (*test) return gatehouse::Test(dir, verbose);
  if (*list) return gatehouse::PluginsList(plugin_dir);
  if (*describe) return gatehouse::PluginsDescribe(plugin_dir, name);
  return 2;
}
