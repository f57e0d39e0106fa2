// AccountTable: one shard of a Snapshot's accounts — an open-addressing table (linear
// probing, at most 3/4 full) keyed by the account id's 64-bit hash. A slot is 16 bytes:
// the hash and the account's DecisionArena (what a check reads); the AccountView (what
// everything else reads) sits at the same position of a parallel array. Finding an
// account for a check reads one slot and then the arena, whose header holds the id that
// confirms the match — so even at millions of accounts the slots stay small enough to
// be cached.
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
  // A found account (or none: false). The view is read only when asked for, so a check
  // that has its arena touches nothing else.
  class Hit {
   public:
    Hit() = default;
    Hit(const AccountTable* table, std::size_t index) : table_(table), index_(index) {}
    explicit operator bool() const { return table_ != nullptr; }
    const DecisionArena* arena() const { return table_->slots_[index_].arena(); }  // null: no arena
    const AccountView* view() const { return table_->views_[index_].get(); }

   private:
    const AccountTable* table_ = nullptr;
    std::size_t index_ = 0;
  };

  // The account `id` whose hash is `hash`; asks for its arena's cache lines as soon as
  // the hash matches, before the id comparison waits for the first of them.
  Hit Find(std::string_view id, std::uint64_t hash) const;
  // Inserts the view's account, or replaces it.
  void Put(std::uint64_t hash, std::shared_ptr<const AccountView> view);
  std::size_t size() const { return count_; }
  void Reserve(std::size_t accounts);
  void ForEach(const std::function<void(const AccountView&)>& fn) const;

 private:
  // The arena's pointer and, in its low 6 bits (an arena starts on a cache line), how many
  // of its lines a lookup prefetches: all of them, up to DecisionArena::kMaxPrefetchLines.
  struct Slot {
    std::uint64_t hash = 0;
    std::uintptr_t arena_and_lines = 0;
    const DecisionArena* arena() const { return reinterpret_cast<const DecisionArena*>(arena_and_lines & ~kLineBits); }
    std::uint32_t lines() const { return static_cast<std::uint32_t>(arena_and_lines & kLineBits); }
  };
  static constexpr std::uintptr_t kLineBits = 63;
  static_assert(kLineBits < DecisionArena::kAlignment && DecisionArena::kMaxPrefetchLines <= kLineBits);
  void Grow(std::size_t slots);
  std::string_view IdAt(std::size_t i) const;

  std::vector<Slot> slots_;
  std::vector<std::shared_ptr<const AccountView>> views_;  // parallel to slots_; null: empty
  std::size_t count_ = 0;
};

}  // namespace gatehouse
