#include "engine/decision_arena.h"

#include <bit>
#include <cstring>
#include <limits>
#include <new>
#include <string>
#include <vector>

#include "engine/decider.h"
#include "engine/snapshot.h"

namespace gatehouse {
namespace {

constexpr std::size_t kAlign = DecisionArena::kAlignment;
constexpr std::uint32_t kNoNode = AccountState::kNoNode;

// Subject slot: empty while grant_count == 0 (a subject without grants is not stored).
struct SubjectSlot {
  std::uint32_t check;
  std::uint32_t id_off;
  std::uint16_t id_len;
  std::uint16_t grant_count;
  std::uint32_t grant_begin;
};
// Asset slot: empty while node == kNoNode.
struct NodeSlot {
  std::uint32_t check;
  std::uint32_t id_off;
  std::uint16_t id_len;
  std::uint16_t unused;
  std::uint32_t node;
};
struct GrantRecord {
  std::uint32_t scope;  // node, or (multi) the position of its list in the multi section, in u32s
  std::uint16_t role;   // role slot
  std::uint8_t kind;
  std::uint8_t flags;
};
constexpr std::uint8_t kMultiScope = 1;
constexpr std::uint8_t kWindowed = 2;
struct Link {
  std::uint32_t parent;
  std::uint32_t depth;
};
struct Window {
  Timestamp not_before;
  Timestamp expires_at;
};
static_assert(sizeof(SubjectSlot) == 16 && sizeof(NodeSlot) == 16 && sizeof(GrantRecord) == 8);

std::uint64_t SubjectHash(SubjectType type, std::string_view id) {
  return DecisionArena::HashId(id) + (static_cast<std::uint64_t>(type) + 1) * 0x9E3779B97F4A7C15ULL;
}
std::uint32_t CheckBits(std::uint64_t h) { return static_cast<std::uint32_t>(h >> 32); }

// Slots for n entries at a load of at most 3/4 (and one empty slot at least, which ends
// every probe). Any count, not a power of two: Home() maps a hash onto it.
std::uint32_t SlotsFor(std::size_t n) { return static_cast<std::uint32_t>(n + (n + 2) / 3 + 1); }
// The first slot to probe: the hash's low 32 bits scaled onto [0, slots).
std::uint32_t Home(std::uint64_t h, std::uint32_t slots) {
  return static_cast<std::uint32_t>((static_cast<std::uint64_t>(static_cast<std::uint32_t>(h)) * slots) >> 32);
}
std::uint32_t NextSlot(std::uint32_t i, std::uint32_t slots) { return i + 1 == slots ? 0 : i + 1; }

std::size_t RoundUp(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }

}  // namespace

void DecisionArena::Deleter::operator()(const DecisionArena* arena) const {
  if (arena == nullptr) return;
  arena->~DecisionArena();
  ::operator delete (const_cast<DecisionArena*>(arena), std::align_val_t{kAlign});
}

// Lays out and fills one arena (the only code that writes one).
class ArenaWriter {
 public:
  static DecisionArena::Ptr Build(const AccountState& state, const std::vector<const CompiledRole*>& role_slots) {
    constexpr std::size_t kMaxLen = std::numeric_limits<std::uint16_t>::max();
    const std::string& account_id = state.account().id;
    if (account_id.size() > kMaxLen) return nullptr;

    // Count what goes in.
    std::size_t subject_count = 0, grant_count = 0, multi_words = 0, pool_bytes = 0, live_nodes = 0;
    bool windows = false;
    for (const auto& s : state.subjects()) {
      if (s.grants.empty()) continue;
      if (s.grants.size() > kMaxLen || s.id.size() > kMaxLen) return nullptr;
      ++subject_count;
      grant_count += s.grants.size();
      pool_bytes += s.id.size();
      for (const auto& g : s.grants) {
        if (g.multi_scope) multi_words += 1 + state.multi_scopes()[g.scope].size();
        if (g.not_before != AccountState::kNoStart || g.expires_at != AccountState::kNoEnd) windows = true;
      }
    }
    for (std::uint32_t n = 0; n < state.NodeCount(); ++n) {
      const auto& node = state.Node(n);
      if (!node.live) continue;
      if (node.id.size() > kMaxLen) return nullptr;
      ++live_nodes;
      pool_bytes += node.id.size();
    }
    if (state.RoleSlotCount() > std::numeric_limits<std::uint16_t>::max() + std::size_t{1}) return nullptr;

    const std::uint32_t subject_slots = SlotsFor(subject_count);
    const std::uint32_t node_slots = SlotsFor(live_nodes);
    std::size_t at = RoundUp(sizeof(DecisionArena) + account_id.size(), 16);
    const std::size_t subjects_off = at;
    at += std::size_t{subject_slots} * sizeof(SubjectSlot);
    const std::size_t grants_off = at;
    at += grant_count * sizeof(GrantRecord);
    at = RoundUp(at, 16);
    const std::size_t nodes_off = at;
    at += std::size_t{node_slots} * sizeof(NodeSlot);
    const std::size_t links_off = at;
    at += state.NodeCount() * sizeof(Link);
    at = RoundUp(at, 8);
    const std::size_t roles_off = at;
    at += state.RoleSlotCount() * sizeof(const CompiledRole*);
    const std::size_t multi_off = at;
    at += multi_words * sizeof(std::uint32_t);
    at = RoundUp(at, 8);
    const std::size_t windows_off = windows ? at : 0;
    if (windows) at += grant_count * sizeof(Window);
    const std::size_t pool_off = at;
    at += pool_bytes;
    const std::size_t size = RoundUp(at, 8);
    if (size > std::numeric_limits<std::uint32_t>::max()) return nullptr;

    void* block = ::operator new (size, std::align_val_t{kAlign});
    std::memset(block, 0, size);
    auto* arena = new (block) DecisionArena();
    DecisionArena::Ptr owned(arena);
    std::byte* base = static_cast<std::byte*>(block);
    arena->size_ = static_cast<std::uint32_t>(size);
    arena->subject_slots_ = subject_slots;
    arena->node_slots_ = node_slots;
    arena->subjects_off_ = static_cast<std::uint32_t>(subjects_off);
    arena->grants_off_ = static_cast<std::uint32_t>(grants_off);
    arena->nodes_off_ = static_cast<std::uint32_t>(nodes_off);
    arena->links_off_ = static_cast<std::uint32_t>(links_off);
    arena->roles_off_ = static_cast<std::uint32_t>(roles_off);
    arena->multi_off_ = static_cast<std::uint32_t>(multi_off);
    arena->windows_off_ = static_cast<std::uint32_t>(windows_off);
    arena->pool_off_ = static_cast<std::uint32_t>(pool_off);
    arena->account_id_len_ = static_cast<std::uint16_t>(account_id.size());
    std::memcpy(base + sizeof(DecisionArena), account_id.data(), account_id.size());

    std::size_t pool_at = pool_off;
    auto put_string = [&](std::string_view s) {
      std::memcpy(base + pool_at, s.data(), s.size());
      const auto off = static_cast<std::uint32_t>(pool_at);
      pool_at += s.size();
      return off;
    };

    auto* subject_table = reinterpret_cast<SubjectSlot*>(base + subjects_off);
    auto* grants = reinterpret_cast<GrantRecord*>(base + grants_off);
    auto* window_list = windows ? reinterpret_cast<Window*>(base + windows_off) : nullptr;
    auto* multi = reinterpret_cast<std::uint32_t*>(base + multi_off);
    std::size_t grant_at = 0, multi_at = 0;
    for (const auto& s : state.subjects()) {
      if (s.grants.empty()) continue;
      const std::uint64_t h = SubjectHash(s.type, s.id);
      std::uint32_t i = Home(h, subject_slots);
      while (subject_table[i].grant_count != 0) i = NextSlot(i, subject_slots);
      SubjectSlot& slot = subject_table[i];
      slot.check = CheckBits(h);
      slot.id_off = put_string(s.id);
      slot.id_len = static_cast<std::uint16_t>(s.id.size());
      slot.grant_count = static_cast<std::uint16_t>(s.grants.size());
      slot.grant_begin = static_cast<std::uint32_t>(grant_at);
      for (const auto& g : s.grants) {
        GrantRecord& r = grants[grant_at];
        r.role = g.role_slot;
        r.kind = static_cast<std::uint8_t>(g.kind);
        r.flags = 0;
        if (g.multi_scope) {
          const auto& scopes = state.multi_scopes()[g.scope];
          r.flags |= kMultiScope;
          r.scope = static_cast<std::uint32_t>(multi_at);
          multi[multi_at++] = static_cast<std::uint32_t>(scopes.size());
          for (std::uint32_t n : scopes) multi[multi_at++] = n;
        } else {
          r.scope = g.scope;
        }
        if (window_list != nullptr) {
          window_list[grant_at] = Window{g.not_before, g.expires_at};
          if (g.not_before != AccountState::kNoStart || g.expires_at != AccountState::kNoEnd) r.flags |= kWindowed;
        }
        ++grant_at;
      }
    }

    auto* node_table = reinterpret_cast<NodeSlot*>(base + nodes_off);
    for (std::uint32_t i = 0; i < node_slots; ++i) node_table[i].node = kNoNode;
    auto* links = reinterpret_cast<Link*>(base + links_off);
    for (std::uint32_t n = 0; n < state.NodeCount(); ++n) {
      const auto& node = state.Node(n);
      links[n] = Link{node.parent, node.depth};
      if (!node.live) continue;
      const std::uint64_t h = DecisionArena::HashId(node.id);
      std::uint32_t i = Home(h, node_slots);
      while (node_table[i].node != kNoNode) i = NextSlot(i, node_slots);
      node_table[i] = NodeSlot{CheckBits(h), put_string(node.id), static_cast<std::uint16_t>(node.id.size()), 0, n};
    }

    auto* roles = reinterpret_cast<const CompiledRole**>(base + roles_off);
    for (std::size_t i = 0; i < state.RoleSlotCount(); ++i) roles[i] = role_slots[i];
    return owned;
  }
};

DecisionArena::Ptr DecisionArena::Build(const AccountState& state, const std::vector<const CompiledRole*>& roles) {
  return ArenaWriter::Build(state, roles);
}

std::uint32_t DecisionArena::FindNode(std::string_view id) const {
  const std::uint64_t h = HashId(id);
  const auto* table = At<NodeSlot>(nodes_off_);
  const std::uint32_t check = CheckBits(h);
  for (std::uint32_t i = Home(h, node_slots_);; i = NextSlot(i, node_slots_)) {
    const NodeSlot& slot = table[i];
    if (slot.node == kNoNode) return kNoNode;
    if (slot.check == check && slot.id_len == id.size() &&
        std::memcmp(base() + slot.id_off, id.data(), id.size()) == 0) {
      return slot.node;
    }
  }
}

std::uint32_t DecisionArena::FindSubjectSlot(SubjectType type, std::string_view subject) const {
  const std::uint64_t h = SubjectHash(type, subject);
  const auto* table = At<SubjectSlot>(subjects_off_);
  const std::uint32_t check = CheckBits(h);
  for (std::uint32_t i = Home(h, subject_slots_);; i = NextSlot(i, subject_slots_)) {
    const SubjectSlot& slot = table[i];
    if (slot.grant_count == 0) return kNoSlot;
    if (slot.check == check && slot.id_len == subject.size() &&
        std::memcmp(base() + slot.id_off, subject.data(), subject.size()) == 0) {
      return i;
    }
  }
}

bool DecisionArena::GrantCovers(std::uint32_t grant, std::uint32_t node) const {
  const GrantRecord& g = At<GrantRecord>(grants_off_)[grant];
  if (static_cast<Restriction::Kind>(g.kind) == Restriction::Kind::kAccount) return true;
  const auto* links = At<Link>(links_off_);
  auto within = [&](std::uint32_t n, std::uint32_t ancestor) {
    const std::uint32_t target_depth = links[ancestor].depth;
    while (n != kNoNode && links[n].depth > target_depth) n = links[n].parent;
    return n == ancestor;
  };
  if ((g.flags & kMultiScope) == 0) return within(node, g.scope);
  const std::uint32_t* list = At<std::uint32_t>(multi_off_) + g.scope;
  for (std::uint32_t j = 1; j <= list[0]; ++j) {
    if (within(node, list[j])) return true;
  }
  return false;
}

bool DecisionArena::Allows(SubjectType type, std::string_view subject, std::string_view asset, std::uint32_t permission,
                           bool account_level, Timestamp now) const {
  const std::uint32_t slot = FindSubjectSlot(type, subject);
  if (slot == kNoSlot) return false;
  const SubjectSlot* found = At<SubjectSlot>(subjects_off_) + slot;
  const std::uint32_t node = FindNode(asset);
  if (node == kNoNode) return false;

  const auto* grants = At<GrantRecord>(grants_off_) + found->grant_begin;
  const auto* roles = At<const CompiledRole*>(roles_off_);
  for (std::uint16_t k = 0; k < found->grant_count; ++k) {
    const GrantRecord& g = grants[k];
    const auto kind = static_cast<Restriction::Kind>(g.kind);
    if (!GrantGives(roles[g.role], kind, permission, account_level)) continue;
    if ((g.flags & kWindowed) != 0) {
      const Window& w = At<Window>(windows_off_)[found->grant_begin + k];
      if (now < w.not_before || now >= w.expires_at) continue;
    }
    if (GrantCovers(found->grant_begin + k, node)) return true;
  }
  return false;
}

DecisionArena::Found DecisionArena::ForEachGrantOn(SubjectType type, std::string_view subject, std::string_view asset,
                                                   const std::function<bool(const GrantFacts&)>& fn) const {
  const std::uint32_t node = FindNode(asset);
  if (node == kNoNode) return Found::kNoAsset;
  const std::uint32_t slot = FindSubjectSlot(type, subject);
  if (slot == kNoSlot) return Found::kNoSubject;
  const SubjectSlot* found = At<SubjectSlot>(subjects_off_) + slot;
  const auto* grants = At<GrantRecord>(grants_off_) + found->grant_begin;
  const auto* roles = At<const CompiledRole*>(roles_off_);
  for (std::uint16_t k = 0; k < found->grant_count; ++k) {
    const GrantRecord& g = grants[k];
    GrantFacts facts;
    facts.role = roles[g.role];
    facts.covers = GrantCovers(found->grant_begin + k, node);
    facts.account_wide = static_cast<Restriction::Kind>(g.kind) == Restriction::Kind::kAccount;
    if ((g.flags & kWindowed) != 0) {
      const Window& w = At<Window>(windows_off_)[found->grant_begin + k];
      facts.not_before = w.not_before;
      facts.expires_at = w.expires_at;
    }
    if (!fn(facts)) break;
  }
  return Found::kBoth;
}

}  // namespace gatehouse
