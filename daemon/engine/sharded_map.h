// ShardedMap<V>: an immutable string-keyed map split into 64 shards, each shared between
// snapshots until a write replaces it. PutMany/EraseMany copy each touched shard once, so
// applying a batch of changes costs the touched shards, not the whole map.
//
// generation() names the content: a new map and every Apply() take a number no other map
// in the process has had, and a copy keeps it — equal generations mean equal contents, so
// data derived from a map can be cached against it.
//
// Thread safety: a const ShardedMap may be read concurrently; writers work on a copy of
// the ShardedMap object itself (cheap: 64 shared_ptrs).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gatehouse {

template <typename V>
class ShardedMap {
 public:
  static constexpr std::size_t kShards = 64;

  ShardedMap() : generation_(NextGeneration()) {
    auto empty = std::make_shared<const Shard>();
    shards_.fill(empty);
  }

  std::uint64_t generation() const { return generation_; }

  const V* Find(std::string_view key) const {
    const Shard& shard = *shards_[ShardOf(key)];
    auto it = shard.find(key);
    return it == shard.end() ? nullptr : &it->second;
  }

  std::size_t Size() const {
    std::size_t n = 0;
    for (const auto& s : shards_) n += s->size();
    return n;
  }

  void ForEach(const std::function<void(const std::string&, const V&)>& fn) const {
    for (const auto& s : shards_) {
      for (const auto& [k, v] : *s) fn(k, v);
    }
  }

  // Applies puts (value) and erases (nullopt) in order, copying each touched shard once.
  void Apply(const std::vector<std::pair<std::string, std::optional<V>>>& edits) {
    std::array<std::shared_ptr<Shard>, kShards> copies;
    for (const auto& [key, value] : edits) {
      const std::size_t i = ShardOf(key);
      if (!copies[i]) copies[i] = std::make_shared<Shard>(*shards_[i]);
      if (value) {
        (*copies[i])[key] = *value;
      } else {
        copies[i]->erase(key);
      }
    }
    for (std::size_t i = 0; i < kShards; ++i) {
      if (copies[i]) shards_[i] = std::move(copies[i]);
    }
    generation_ = NextGeneration();
  }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Shard = std::unordered_map<std::string, V, Hash, std::equal_to<>>;
  static std::size_t ShardOf(std::string_view key) { return std::hash<std::string_view>{}(key) % kShards; }

  static std::uint64_t NextGeneration() {
    static std::atomic<std::uint64_t> next{1};
    return next.fetch_add(1, std::memory_order_relaxed);
  }

  std::array<std::shared_ptr<const Shard>, kShards> shards_;
  std::uint64_t generation_;
};

}  // namespace gatehouse
