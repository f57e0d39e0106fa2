// Export and import: the whole data of a daemon as the changes that rebuild it.
//
// StateExport walks one Snapshot — one revision, so the copy is consistent — and yields
// its data as Changes, a group at a time: every user (in chunks), then each account
// (sorted by id) with its assets (each after its parent), its API custom roles, its API
// keys (hashes only), its assignments (ids kept) and its invites (token hashes only).
// Applied in that order to an empty state they rebuild the same data: same ids, same
// hashes (keys keep working), same assignment ids.
//
// GroupForImport turns such a sequence back into ChangeSets for
// Committer::CommitAllIntoEmpty: global changes in chunks, and one set per account
// holding everything of it — "data.imported" events, actor "system".
//
// Thread safety: a StateExport is used by one thread; GroupForImport is pure.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/change.h"
#include "engine/snapshot.h"

namespace gatehouse {

class StateExport {
 public:
  explicit StateExport(std::shared_ptr<const Snapshot> snapshot);

  // Appends the next group of changes to *out; false when everything was given.
  bool Next(std::vector<Change>* out);

  std::uint64_t revision() const { return snapshot_->revision(); }

 private:
  void AppendAccount(const AccountState& state, std::vector<Change>* out) const;

  std::shared_ptr<const Snapshot> snapshot_;
  std::vector<const User*> users_;
  std::size_t next_user_ = 0;
  std::vector<const AccountView*> accounts_;
  std::size_t next_account_ = 0;
};

// `changes` in export order → change sets to commit (see above); `at` stamps them.
std::vector<ChangeSet> GroupForImport(std::vector<Change> changes, Timestamp at);

}  // namespace gatehouse
