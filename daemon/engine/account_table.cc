#include "engine/account_table.h"

#include "engine/snapshot.h"

namespace gatehouse {

std::string_view AccountTable::IdOf(const Slot& slot) {
  return slot.arena != nullptr ? slot.arena->account_id() : std::string_view(slot.view->state->account().id);
}

const AccountTable::Slot* AccountTable::Find(std::string_view id, std::uint64_t hash) const {
  if (slots_.empty()) return nullptr;
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (!slot.view) return nullptr;
    if (slot.hash == hash && IdOf(slot) == id) return &slot;
  }
}

void AccountTable::Reserve(std::size_t accounts) {
  std::size_t slots = slots_.empty() ? 8 : slots_.size();
  while (slots * 3 < accounts * 4 + 4) slots *= 2;
  if (slots != slots_.size()) Grow(slots);
}

void AccountTable::Grow(std::size_t slots) {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(slots, Slot{});
  const std::size_t mask = slots - 1;
  for (Slot& slot : old) {
    if (!slot.view) continue;
    std::size_t i = slot.hash & mask;
    while (slots_[i].view) i = (i + 1) & mask;
    slots_[i] = std::move(slot);
  }
}

void AccountTable::Put(std::uint64_t hash, std::shared_ptr<const AccountView> view) {
  Reserve(count_ + 1);
  const std::string_view id = view->state->account().id;
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = hash & mask;
  while (slots_[i].view && !(slots_[i].hash == hash && IdOf(slots_[i]) == id)) i = (i + 1) & mask;
  Slot& slot = slots_[i];
  if (!slot.view) ++count_;
  slot.hash = hash;
  slot.arena = view->arena.get();
  slot.view = std::move(view);
}

void AccountTable::ForEach(const std::function<void(const AccountView&)>& fn) const {
  for (const Slot& slot : slots_) {
    if (slot.view) fn(*slot.view);
  }
}

}  // namespace gatehouse
