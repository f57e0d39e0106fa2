#include "engine/account_table.h"

#include <algorithm>

#include "engine/snapshot.h"

namespace gatehouse {

std::string_view AccountTable::IdAt(std::size_t i) const {
  return slots_[i].arena() != nullptr ? slots_[i].arena()->account_id() : views_[i]->account_id();
}

AccountTable::Hit AccountTable::Find(std::string_view id, std::uint64_t hash) const {
  if (slots_.empty()) return {};
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (const DecisionArena* arena = slot.arena()) {  // occupied, and the id is in the arena's first line
      if (slot.hash != hash) continue;
      arena->Prefetch(slot.lines());
      if (arena->account_id() == id) return Hit(this, i);
    } else if (!views_[i]) {
      return {};  // empty
    } else if (slot.hash == hash && IdAt(i) == id) {
      return Hit(this, i);  // an account without an arena
    }
  }
}

void AccountTable::Reserve(std::size_t accounts) {
  std::size_t slots = slots_.empty() ? 8 : slots_.size();
  while (slots * 3 < accounts * 4 + 4) slots *= 2;
  if (slots != slots_.size()) Grow(slots);
}

void AccountTable::Grow(std::size_t slots) {
  std::vector<Slot> old_slots = std::move(slots_);
  std::vector<std::shared_ptr<const AccountView>> old_views = std::move(views_);
  slots_.assign(slots, Slot{});
  views_.assign(slots, nullptr);
  const std::size_t mask = slots - 1;
  for (std::size_t j = 0; j < old_slots.size(); ++j) {
    if (!old_views[j]) continue;
    std::size_t i = old_slots[j].hash & mask;
    while (views_[i]) i = (i + 1) & mask;
    slots_[i] = old_slots[j];
    views_[i] = std::move(old_views[j]);
  }
}

void AccountTable::Put(std::uint64_t hash, std::shared_ptr<const AccountView> view) {
  Reserve(count_ + 1);
  const std::string_view id = view->account_id();
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = hash & mask;
  while (views_[i] && !(slots_[i].hash == hash && IdAt(i) == id)) i = (i + 1) & mask;
  if (!views_[i]) ++count_;
  const DecisionArena* arena = view->arena.get();
  const std::uintptr_t lines =
      arena == nullptr ? 0
                       : std::min<std::uintptr_t>(DecisionArena::kMaxPrefetchLines, (arena->size_bytes() + 63) / 64);
  slots_[i] = Slot{hash, reinterpret_cast<std::uintptr_t>(arena) | lines};
  views_[i] = std::move(view);
}

void AccountTable::ForEach(const std::function<void(const AccountView&)>& fn) const {
  for (const auto& view : views_) {
    if (view) fn(*view);
  }
}

}  // namespace gatehouse
