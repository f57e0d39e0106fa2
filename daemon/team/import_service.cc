#include "team/import_service.h"

#include "team/state_export.h"

namespace gatehouse {

Result<ImportService::Outcome> ImportService::Import(std::vector<Change> changes) {
  Outcome out;
  out.changes = changes.size();
  if (changes.empty()) return InvalidArgument("the import holds no data");
  if (!std::holds_alternative<UserPut>(changes.front()) && !std::holds_alternative<AccountCreated>(changes.front())) {
    return InvalidArgument("the import must start with users or an account");
  }
  const std::vector<ChangeSet> sets = GroupForImport(std::move(changes), clock_->Now());
  out.change_sets = sets.size();
  auto head = committer_->CommitAllIntoEmpty(sets);
  if (!head.ok()) return head.status();
  out.revision = *head;
  return out;
}

}  // namespace gatehouse
