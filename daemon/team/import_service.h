// ImportService: restores an export into an empty daemon, all or nothing
// (POST /v1/admin/import). The changes (decoded by the caller from the export's lines)
// are grouped by GroupForImport and committed by Committer::CommitAllIntoEmpty in one
// storage call: a daemon that already holds data refuses (kFailedPrecondition), changes
// that cannot apply refuse (kInvalidArgument), and on any refusal nothing is stored.
//
// Imported data keeps its ids and hashes; its history does not: the log starts again at
// revision 1 with one "account.imported" change set per account ("users.imported" for
// profiles), so the access review's grantedBy / grantedRevision name the import.
//
// Thread safety: safe for concurrent use (the Committer serializes).
#pragma once

#include <cstdint>
#include <vector>

#include "core/change.h"
#include "core/status.h"
#include "core/time.h"
#include "team/committer.h"

namespace gatehouse {

class ImportService {
 public:
  ImportService(Committer* committer, const Clock* clock) : committer_(committer), clock_(clock) {}

  struct Outcome {
    std::uint64_t revision = 0;  // the head after the import
    std::size_t changes = 0;
    std::size_t change_sets = 0;
  };
  Result<Outcome> Import(std::vector<Change> changes);

 private:
  Committer* committer_;
  const Clock* clock_;
};

}  // namespace gatehouse
