// The CLI's commands for operating a running daemon (client.h gives the connection):
//
//   check SUBJECT PERMISSION ASSET [--type T] [--explain]   POST /v1/check
//   who-can PERMISSION ASSET                                 POST /v1/access/subjects, every page
//   what-can SUBJECT PERMISSION [--type T] [--asset-type A]  POST /v1/access/assets, every page
//   status                                                   GET /v1/admin/status
//   reload [--dry-run] [--force]                             POST /v1/admin/reload
//   compact                                                  POST /v1/admin/compact
//   keys create SUBJECT [--type T] [--description D]         POST /v1/api-keys (the key, once)
//   keys list                                                GET /v1/api-keys
//   keys revoke ID                                           DELETE /v1/api-keys/ID
//   export [--output FILE]                                   GET /v1/admin/export (NDJSON)
//   import FILE                                              POST /v1/admin/import
//
// Exit codes: 0 success (check: allowed), 1 check: denied, 2 any error — the daemon's
// refusal (its message and status are printed to stderr), no daemon, bad arguments.
// `--json` prints the daemon's JSON answer unchanged.
#pragma once

#include <string>
#include <vector>

#include "client.h"

namespace gatehouse::cli {

struct AdminArgs {
  ClientOptions client;
  bool json = false;
  std::vector<std::string> positional;  // the command's arguments, in order
  std::string subject_type = "USER";
  bool explain = false;
  std::string asset_type;
  bool dry_run = false;
  bool force = false;
  std::string description;
  std::string output;
};

int RunCheck(const AdminArgs& a);
int RunWhoCan(const AdminArgs& a);
int RunWhatCan(const AdminArgs& a);
int RunStatus(const AdminArgs& a);
int RunCompact(const AdminArgs& a);
int RunReload(const AdminArgs& a);
int RunKeysCreate(const AdminArgs& a);
int RunKeysList(const AdminArgs& a);
int RunKeysRevoke(const AdminArgs& a);
int RunExport(const AdminArgs& a);
int RunImport(const AdminArgs& a);

}  // namespace gatehouse::cli
