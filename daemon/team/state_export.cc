#include "team/state_export.h"

#include <algorithm>
#include <variant>

namespace gatehouse {
namespace {

constexpr std::size_t kUsersPerGroup = 1000;

}  // namespace

StateExport::StateExport(std::shared_ptr<const Snapshot> snapshot) : snapshot_(std::move(snapshot)) {
  snapshot_->users().ForEach([this](const std::string&, const User& u) { users_.push_back(&u); });
  std::sort(users_.begin(), users_.end(), [](const User* a, const User* b) { return a->id < b->id; });
  snapshot_->ForEachAccount([this](const AccountView& v) { accounts_.push_back(&v); });
  std::sort(accounts_.begin(), accounts_.end(),
            [](const AccountView* a, const AccountView* b) { return a->account_id() < b->account_id(); });
}

bool StateExport::Next(std::vector<Change>* out) {
  if (next_user_ < users_.size()) {
    const std::size_t end = std::min(users_.size(), next_user_ + kUsersPerGroup);
    for (; next_user_ < end; ++next_user_) out->push_back(UserPut{*users_[next_user_]});
    return true;
  }
  if (next_account_ < accounts_.size()) {
    AppendAccount(*accounts_[next_account_++]->State(), out);
    return true;
  }
  return false;
}

void StateExport::AppendAccount(const AccountState& state, std::vector<Change>* out) const {
  const std::string& id = state.account().id;
  out->push_back(AccountCreated{state.account()});
  // Assets parent first: a breadth-first walk from the account, live nodes only.
  std::vector<std::uint32_t> queue(state.Node(AccountState::kRootNode).children);
  for (std::size_t i = 0; i < queue.size(); ++i) {
    const auto& node = state.Node(queue[i]);
    if (!node.live) continue;
    const std::string parent = node.parent == AccountState::kRootNode ? "" : state.Node(node.parent).id;
    out->push_back(AssetPut{Asset{id, node.id, node.type, node.name, parent}});
    queue.insert(queue.end(), node.children.begin(), node.children.end());
  }
  for (const auto& role : state.custom_roles()) out->push_back(RolePut{role});
  for (const auto& key : state.api_keys()) out->push_back(ApiKeyCreated{key});
  std::vector<Assignment> assignments;
  for (const auto& subject : state.subjects()) {
    for (const auto& g : subject.grants) assignments.push_back(state.ToAssignment(subject, g));
  }
  std::sort(assignments.begin(), assignments.end(),
            [](const Assignment& a, const Assignment& b) { return a.id < b.id; });
  for (auto& a : assignments) out->push_back(AssignmentAdded{std::move(a)});
  for (const auto& invite : state.invites()) out->push_back(InvitePut{invite});
}

std::vector<ChangeSet> GroupForImport(std::vector<Change> changes, Timestamp at) {
  std::vector<ChangeSet> sets;
  for (auto& change : changes) {
    const std::string account = AccountOf(change);  // a copy: `change` is moved below
    const bool starts_account = std::holds_alternative<AccountCreated>(change);
    const bool fits = !sets.empty() && !starts_account && sets.back().account_id == account &&
                      (!account.empty() || sets.back().changes.size() < kUsersPerGroup);
    if (!fits) {
      ChangeSet set;
      set.type = account.empty() ? "users.imported" : "account.imported";
      set.account_id = account;
      set.actor = "system";
      set.at = at;
      sets.push_back(std::move(set));
    }
    sets.back().changes.push_back(std::move(change));
  }
  return sets;
}

}  // namespace gatehouse
