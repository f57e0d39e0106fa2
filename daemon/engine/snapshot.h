// Snapshot: one immutable, consistent view of everything the daemon knows — the policy
// set, every loaded account's state, and the change-log revision they reflect. Readers
// take a shared_ptr<const Snapshot> and work on it without locks; a writer builds the next
// Snapshot (copying only the one account shard it changes) and publishes it atomically
// through SnapshotHolder. A reader never waits for a writer and never sees half a change.
//
// Accounts are spread over kShardCount shards (open-addressing AccountTables, picked by
// the top bits of the account id's hash) so a write copies 1/kShardCount of the account
// map, not all of it.
//
// Thread safety: Snapshot is immutable; SnapshotHolder is safe for concurrent use.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/account_state.h"
#include "engine/account_table.h"
#include "engine/decision_arena.h"
#include "engine/policy_set.h"
#include "engine/sharded_map.h"

namespace gatehouse {

// An account as a snapshot holds it: its role slots bound to compiled roles of one
// PolicySet, the decision arena a check reads, and its state. The state is kept decoded
// only for a big account (more than kEncodeAtMostGrants assignments, or no arena); a
// smaller one keeps it as the compact bytes of engine/account_codec.h — a typical account
// takes about a quarter of the memory that way — and State() decodes it again on every
// call — or, for one of the process's kRecentDecodes most recently decoded accounts,
// returns that decode again. Nothing on the check path reads the state of an account that
// has an arena.
struct AccountView : std::enable_shared_from_this<AccountView> {
  static constexpr std::size_t kEncodeAtMostGrants = 256;
  static constexpr std::size_t kRecentDecodes = 1024;

  // The account's state: the held one, the recent decode, or a fresh decode of the bytes
  // (microseconds for an account under the limit). Keep the pointer for as long as
  // anything read from it is in use. Only a view owned by a shared_ptr (as a snapshot
  // owns its views) keeps its decode.
  std::shared_ptr<const AccountState> State() const;
  // A private copy to change (a writer's start).
  std::unique_ptr<AccountState> MutableCopy() const;
  std::string_view account_id() const { return held ? std::string_view(held->account().id) : arena->account_id(); }
  bool encoded() const { return held == nullptr; }
  // Appends the state's encoding (engine/account_codec.h) to `out`.
  void AppendEncoded(std::string* out) const;
  // A predefined role, a custom role from the account's files, or an API custom role.
  const CompiledRole* FindRole(std::string_view id, const PolicySet& policies) const;

  std::shared_ptr<const AccountState> held;                       // null: the state is `encoding`
  std::string encoding;                                           // the encoded state when `held` is null
  std::shared_ptr<const std::vector<CompiledRole>> custom_roles;  // the account's API custom roles, compiled
  std::vector<const CompiledRole*> roles;                         // by role slot; null = role no longer exists
  DecisionArena::Ptr arena;           // the check's compact copy of the above (null: decide from the state)
  DerivedCache<AccountState> recent;  // the last decode, while it is among the most recent
};

// Where an account API key points (the key index of the snapshot).
struct ApiKeyRef {
  std::string account_id;
  std::string key_id;
  Subject subject;
};

// Binds an account's role slots against `policies` (predefined and its file custom roles),
// builds its arena and, for an account under the limit, encodes its state (or keeps
// `encoding` when the caller already has the state's bytes).
AccountView BindAccount(std::shared_ptr<const AccountState> state, const PolicySet& policies,
                        std::string encoding = {});

class Snapshot {
 public:
  static constexpr std::size_t kShardCount = 256;

  Snapshot(std::shared_ptr<const PolicySet> policies, std::uint64_t revision);

  std::uint64_t revision() const { return revision_; }
  const std::shared_ptr<const PolicySet>& policies() const { return policies_; }
  const PolicySet& policy_set() const { return *policies_; }

  const AccountView* FindAccount(std::string_view account_id) const;
  // The account's state (AccountView::State()), or null when the account is unknown.
  std::shared_ptr<const AccountState> FindState(std::string_view account_id) const {
    const AccountView* view = FindAccount(account_id);
    return view == nullptr ? nullptr : view->State();
  }
  // The account's arena and view, for the decision path.
  AccountTable::Hit FindAccountHit(std::string_view account_id) const {
    const std::uint64_t hash = DecisionArena::HashId(account_id);
    return shards_[ShardOf(hash)]->Find(account_id, hash);
  }
  std::size_t AccountCount() const;
  void ForEachAccount(const std::function<void(const AccountView&)>& fn) const;

  // --- building the next snapshot (writers only) ---
  // A copy that shares every shard; then change what the write touched.
  std::shared_ptr<Snapshot> Next(std::uint64_t revision) const;
  void PutAccount(std::shared_ptr<const AccountState> state);
  // Same for many accounts at once: copies each touched shard once. `encodings`, when
  // given, holds each state's bytes (engine/account_codec.h) so they are not encoded again.
  void PutAccounts(std::vector<std::shared_ptr<const AccountState>> states, std::vector<std::string> encodings = {});

  // Global indexes: users (global, one per id), account API keys by key hash, and
  // invite accept tokens by token hash (→ account id).
  const ShardedMap<User>& users() const { return users_; }
  const ShardedMap<ApiKeyRef>& api_keys() const { return api_keys_; }
  const ShardedMap<std::string>& invite_tokens() const { return invite_tokens_; }
  ShardedMap<User>& mutable_users() { return users_; }
  ShardedMap<ApiKeyRef>& mutable_api_keys() { return api_keys_; }
  ShardedMap<std::string>& mutable_invite_tokens() { return invite_tokens_; }

  // The highest assignment id ever issued (ids are never reused).
  std::uint64_t max_assignment_id() const { return max_assignment_id_; }
  void set_max_assignment_id(std::uint64_t id) { max_assignment_id_ = id; }
  // Rebinds every account against a new policy set (reload).
  std::shared_ptr<Snapshot> WithPolicies(std::shared_ptr<const PolicySet> policies) const;

 private:
  using Shard = AccountTable;
  // The top bits pick the shard; the table inside uses the low bits.
  static std::size_t ShardOf(std::uint64_t hash) { return static_cast<std::size_t>(hash >> 56) % kShardCount; }
  void PutInto(Shard* shard, std::shared_ptr<const AccountState> state, std::string encoding = {});

  std::shared_ptr<const PolicySet> policies_;
  std::uint64_t revision_;
  std::uint64_t max_assignment_id_ = 0;
  ShardedMap<User> users_;
  ShardedMap<ApiKeyRef> api_keys_;
  ShardedMap<std::string> invite_tokens_;
  std::array<std::shared_ptr<const Shard>, kShardCount> shards_;
};

// Holds the current snapshot; Load() is wait-free for readers in practice (one atomic
// shared_ptr load), Publish() replaces it.
class SnapshotHolder {
 public:
  explicit SnapshotHolder(std::shared_ptr<const Snapshot> initial) : current_(std::move(initial)) {}
  std::shared_ptr<const Snapshot> Load() const { return current_.load(std::memory_order_acquire); }
  void Publish(std::shared_ptr<const Snapshot> next) {
    current_.store(std::move(next), std::memory_order_release);
    { std::lock_guard lock(wait_mu_); }  // a waiter between its check and its wait sees the store
    published_.notify_all();
  }

  // The current snapshot once its revision is at least `revision`, or nullptr when
  // `timeout` passes first (read-your-writes across nodes: X-Gatehouse-Min-Revision).
  std::shared_ptr<const Snapshot> WaitForRevision(std::uint64_t revision, std::chrono::milliseconds timeout) const {
    auto snapshot = Load();
    if (snapshot->revision() >= revision) return snapshot;
    std::unique_lock lock(wait_mu_);
    published_.wait_for(lock, timeout, [&] {
      snapshot = Load();
      return snapshot->revision() >= revision;
    });
    return snapshot->revision() >= revision ? snapshot : nullptr;
  }

 private:
  std::atomic<std::shared_ptr<const Snapshot>> current_;
  mutable std::mutex wait_mu_;
  mutable std::condition_variable published_;
};

}  // namespace gatehouse
