// DecisionArena: everything a check reads about one account, in one contiguous block.
//
// Built from a published AccountState and its role binding (AccountView), never changed
// afterwards. The block holds, in this order: a header with the account id, an
// open-addressing table of the subjects that hold at least one assignment (each slot
// names its grants as one range), the grants (8 bytes each: scope, role, kind, flags), an
// open-addressing table of the live assets, every node's parent and depth, the role
// pointers by role slot, multi-folder scope lists, time windows (only when some grant
// has one) and a pool of the ids the tables name.
//
// A table slot keeps the upper 32 bits of the id's hash; the id in the pool is compared
// only when they match, so a lookup reads its slot and, on a hit, the pool. A small
// account is a handful of cache lines, and the lookup prefetches all of them at once, so a
// check costs about one dependent miss for the account's table slot and one for the
// block, whatever the number of accounts.
//
// Answers exactly what AccountState + AccountView answer for the check (decider.h):
// a subject with no grant is unknown, a deleted asset is unknown, a grant allows when it
// is active, its role gives the permission (GrantGives) and it covers the asset.
//
// Build returns null when the account does not fit the compact form (an id longer than
// 65 535 bytes, a subject with more than 65 535 assignments, a block past 4 GiB); callers
// then decide from the AccountState, which answers the same.
//
// Thread safety: immutable; any number of threads may read it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string_view>
#include <vector>

#include "core/model.h"
#include "engine/flat_id_index.h"

namespace gatehouse {

class AccountState;
struct CompiledRole;

class DecisionArena {
 public:
  struct Deleter {
    void operator()(const DecisionArena* arena) const;
  };
  using Ptr = std::unique_ptr<const DecisionArena, Deleter>;

  // The hash every table of the arena (and the snapshot's account table) is keyed by: the
  // engine's one id hash.
  static std::uint64_t HashId(std::string_view id) { return FlatIdIndex::Hash(id); }

  // `roles`: the compiled role of each of the state's role slots (null: none).
  static Ptr Build(const AccountState& state, const std::vector<const CompiledRole*>& roles);

  // Inline: the account table compares it on every lookup.
  std::string_view account_id() const {
    return {reinterpret_cast<const char*>(base() + sizeof(DecisionArena)), account_id_len_};
  }
  std::size_t size_bytes() const { return size_; }
  // Asks the CPU for the block's first `lines` cache lines without waiting for them: the
  // account table keeps each block's line count (up to kMaxPrefetchLines) beside its
  // pointer, so a big account's lines arrive together with its header instead of one
  // dependent miss at a time. Reads nothing (the header is one of the lines asked for).
  static constexpr std::uint32_t kMaxPrefetchLines = 63;
  static constexpr std::size_t kAlignment = 64;  // every block starts on a cache line
  void Prefetch(std::uint32_t lines) const {
    for (std::uint32_t i = 0; i < lines; ++i) __builtin_prefetch(base() + i * 64);
  }

  // The check (decider.h Check) once the permission is resolved.
  bool Allows(SubjectType type, std::string_view subject, std::string_view asset, std::uint32_t permission,
              bool account_level, Timestamp now) const;

  // What Decide (decider.h) ranks a deny by, for each of the subject's grants on the
  // asset, in the state's order; `fn` returns false to stop. The asset is looked up first:
  // kNoAsset / kNoSubject (no grant at all) visit nothing.
  struct GrantFacts {
    const CompiledRole* role = nullptr;  // null: the role no longer exists
    bool covers = false;                 // its restriction covers the asset
    bool account_wide = false;
    Timestamp not_before = std::numeric_limits<Timestamp>::min();
    Timestamp expires_at = std::numeric_limits<Timestamp>::max();
  };
  enum class Found { kBoth, kNoAsset, kNoSubject };
  Found ForEachGrantOn(SubjectType type, std::string_view subject, std::string_view asset,
                       const std::function<bool(const GrantFacts&)>& fn) const;

  DecisionArena(const DecisionArena&) = delete;
  DecisionArena& operator=(const DecisionArena&) = delete;

 private:
  friend class ArenaWriter;
  DecisionArena() = default;
  ~DecisionArena() = default;

  const std::byte* base() const { return reinterpret_cast<const std::byte*>(this); }
  template <typename T>
  const T* At(std::uint32_t offset) const {
    return reinterpret_cast<const T*>(base() + offset);
  }
  std::uint32_t FindNode(std::string_view id) const;
  static constexpr std::uint32_t kNoSlot = std::numeric_limits<std::uint32_t>::max();
  // The subject's slot in the subject table, or kNoSlot (no grant in this account).
  std::uint32_t FindSubjectSlot(SubjectType type, std::string_view subject) const;
  // True when grant number `grant` (of the grants section) covers `node`.
  bool GrantCovers(std::uint32_t grant, std::uint32_t node) const;

  // The header; the account id follows the object, the sections follow at these offsets
  // (bytes from `this`).
  std::uint32_t size_ = 0;
  std::uint32_t subject_slots_ = 0;
  std::uint32_t node_slots_ = 0;
  std::uint32_t subjects_off_ = 0;
  std::uint32_t grants_off_ = 0;
  std::uint32_t nodes_off_ = 0;
  std::uint32_t links_off_ = 0;
  std::uint32_t roles_off_ = 0;
  std::uint32_t multi_off_ = 0;
  std::uint32_t windows_off_ = 0;  // 0: no grant has a time window
  std::uint32_t pool_off_ = 0;
  std::uint16_t account_id_len_ = 0;
};

}  // namespace gatehouse
