// FlatIdIndex: string id → uint32 position, as one sorted vector of (64-bit hash, position)
// pairs. The ids themselves live with the entries they name (asset nodes, subjects); a
// lookup binary-searches the hashes and confirms each candidate by comparing the owner's
// id, so a hash collision costs a comparison, never a wrong answer.
//
// Why not std::unordered_map: the decision path looks up a subject and an asset per check;
// a small account's whole index fits in one or two cache lines here, where a node-based
// map costs a bucket load, a node load and a key load per lookup, and ~70 bytes per entry
// instead of 16.
//
// Insert is O(n) (a vector insert), which is fine for the sizes of one account and small
// next to the copy of the account a write already makes.
//
// Thread safety: const methods may run concurrently; Insert needs exclusive access.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <string_view>
#include <vector>

namespace gatehouse {

class FlatIdIndex {
 public:
  static constexpr std::uint32_t kNotFound = std::numeric_limits<std::uint32_t>::max();

  static std::uint64_t Hash(std::string_view id) { return std::hash<std::string_view>{}(id); }

  // The position whose id (as `id_of(position)` tells) equals `id`, or kNotFound.
  template <typename IdOf>
  std::uint32_t Find(std::string_view id, const IdOf& id_of) const {
    const std::uint64_t h = Hash(id);
    auto it = std::lower_bound(entries_.begin(), entries_.end(), h,
                               [](const Entry& e, std::uint64_t v) { return e.hash < v; });
    for (; it != entries_.end() && it->hash == h; ++it) {
      if (id_of(it->position) == id) return it->position;
    }
    return kNotFound;
  }

  // Adds `id` → `position`; the caller guarantees the id is not present yet.
  void Insert(std::string_view id, std::uint32_t position) {
    const Entry e{Hash(id), position};
    auto it = std::upper_bound(entries_.begin(), entries_.end(), e.hash,
                               [](std::uint64_t v, const Entry& x) { return v < x.hash; });
    entries_.insert(it, e);
  }

  // Replaces the index with `positions`, named by `id_of` (bulk: one sort instead of n
  // inserts). Returns false, leaving the index empty, when two positions share an id.
  template <typename IdOf>
  bool Rebuild(const std::vector<std::uint32_t>& positions, const IdOf& id_of) {
    entries_.clear();
    entries_.reserve(positions.size());
    for (std::uint32_t p : positions) entries_.push_back(Entry{Hash(id_of(p)), p});
    std::sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
      return a.hash != b.hash ? a.hash < b.hash : a.position < b.position;
    });
    for (std::size_t i = 0; i < entries_.size(); ++i) {
      for (std::size_t j = i + 1; j < entries_.size() && entries_[j].hash == entries_[i].hash; ++j) {
        if (id_of(entries_[i].position) == id_of(entries_[j].position)) {
          entries_.clear();
          return false;
        }
      }
    }
    return true;
  }

  std::size_t size() const { return entries_.size(); }
  void ShrinkToFit() { entries_.shrink_to_fit(); }

 private:
  struct Entry {
    std::uint64_t hash;
    std::uint32_t position;
  };
  std::vector<Entry> entries_;
};

}  // namespace gatehouse
