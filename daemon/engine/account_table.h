// AccountTable: one shard of a Snapshot's accounts — an open-addressing table (linear
// probing, at most 3/4 full) keyed by the account id's 64-bit hash. A slot carries the
// hash, the account's DecisionArena (what a check reads) and its AccountView (what
// everything else reads), so finding an account for a check reads one slot and then the
// arena, whose header holds the id that confirms the match.
//
// Tables are immutable once published: a writer copies the shard it changes (Put on the
// copy), the copy shares every AccountView with the original.
//
// Thread safety: const methods may run concurrently; Put needs exclusive access.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "engine/decision_arena.h"

namespace gatehouse {

struct AccountView;

class AccountTable {
 public:
  struct Slot {
    std::uint64_t hash = 0;
    const DecisionArena* arena = nullptr;     // null when the account has no arena
    std::shared_ptr<const AccountView> view;  // null: the slot is empty
  };

  // The slot of the account `id` whose hash is `hash`, or null.
  const Slot* Find(std::string_view id, std::uint64_t hash) const;
  // Inserts the view's account, or replaces it.
  void Put(std::uint64_t hash, std::shared_ptr<const AccountView> view);
  std::size_t size() const { return count_; }
  void Reserve(std::size_t accounts);
  void ForEach(const std::function<void(const AccountView&)>& fn) const;

 private:
  void Grow(std::size_t slots);
  static std::string_view IdOf(const Slot& slot);

  std::vector<Slot> slots_;
  std::size_t count_ = 0;
};

}  // namespace gatehouse
