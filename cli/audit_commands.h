// The CLI's audit commands, clients of a running daemon (client.h):
//
//   gatehouse diff NEW_DIR [--json]   what a candidate policy directory would change in
//                                     everyone's access (POST /v1/admin/policy-diff; needs
//                                     the system key). Exit 0: no access changes; 1: some;
//                                     2: error (an invalid candidate, the daemon's refusal,
//                                     no daemon) — so a policy repository's CI can gate a
//                                     merge on it.
//   gatehouse review [--csv] [--at REV] [--json]
//                                     the account's access review (GET /v1/access-review;
//                                     --account, a key with access.review). Exit 0, or 2 on
//                                     error.
//
// Tables for people by default; --json (and --csv) print the daemon's answer unchanged,
// for scripts. Errors go to stderr with the daemon's own message.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "client.h"

namespace gatehouse::cli {

int RunDiff(const std::string& dir, const ClientOptions& options, bool json_output);
int RunReview(const ClientOptions& options, bool csv, std::optional<std::uint64_t> at, bool json_output);

}  // namespace gatehouse::cli
