// StateBuilder: applies committed ChangeSets to a base Snapshot and produces the next one.
// Accounts are copied on first touch, so applying one write copies one account, and
// applying a million records at start-up copies nothing twice. ChangeSets are trusted:
// they were validated before they were committed (or come from the log).
//
// Thread safety: one builder per writer; the base Snapshot is only read.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/change.h"
#include "core/status.h"
#include "engine/snapshot.h"

namespace gatehouse {

class StateBuilder {
 public:
  explicit StateBuilder(std::shared_ptr<const Snapshot> base) : base_(std::move(base)) {}

  // Applies one ChangeSet committed at `revision`. kInternal for a change that cannot
  // apply (an account that does not exist): the log and the code disagree.
  Status Apply(const ChangeSet& set, std::uint64_t revision);

  // The resulting snapshot (the base when nothing was applied).
  std::shared_ptr<const Snapshot> Build();

 private:
  AccountState* Mutable(const std::string& account_id);

  std::shared_ptr<const Snapshot> base_;
  std::unordered_map<std::string, std::unique_ptr<AccountState>> touched_;
  std::vector<std::pair<std::string, std::optional<User>>> user_edits_;
  std::vector<std::pair<std::string, std::optional<ApiKeyRef>>> key_edits_;
  std::vector<std::pair<std::string, std::optional<std::string>>> token_edits_;
  std::uint64_t revision_ = 0;
  std::uint64_t max_assignment_id_ = 0;
  bool applied_ = false;
};

}  // namespace gatehouse
