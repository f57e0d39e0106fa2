#include "engine/snapshot.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "engine/account_codec.h"
#include "engine/custom_roles.h"

namespace gatehouse {

namespace {

// The bytes were encoded by this process just before they were published and never
// changed since: a failure to decode them is memory corruption, not bad input.
std::unique_ptr<AccountState> DecodeEncoding(const AccountView& view) {
  auto decoded = DecodeAccountState(view.encoding);
  if (!decoded.ok()) {
    const std::string_view id = view.account_id();
    std::fprintf(stderr, "gatehoused: the encoded state of account \"%.*s\" does not decode: %s\n",
                 static_cast<int>(id.size()), id.data(), decoded.status().message().c_str());
    std::abort();
  }
  return std::move(*decoded);
}

// The views whose decoded state is kept (AccountView::recent), oldest first in a ring:
// remembering one more drops the decode of the view kRecentDecodes before it. Bounds the
// memory of decoded small accounts to about kRecentDecodes typical states.
class RecentDecodes {
 public:
  void Remember(std::weak_ptr<const AccountView> view) {
    std::lock_guard lock(mu_);
    auto& slot = ring_[next_++ % ring_.size()];
    if (auto old = slot.lock()) old->recent.Store(nullptr);
    slot = std::move(view);
  }

 private:
  std::mutex mu_;
  std::array<std::weak_ptr<const AccountView>, AccountView::kRecentDecodes> ring_;
  std::size_t next_ = 0;
};

RecentDecodes& Recent() {
  static RecentDecodes* recent = new RecentDecodes();  // never destroyed: views may outlive static destruction
  return *recent;
}

}  // namespace

std::shared_ptr<const AccountState> AccountView::State() const {
  if (held) return held;
  if (auto decoded = recent.Load()) return decoded;
  std::shared_ptr<const AccountState> decoded = DecodeEncoding(*this);
  if (auto self = weak_from_this(); !self.expired()) {
    recent.Store(decoded);
    Recent().Remember(std::move(self));
  }
  return decoded;
}

std::unique_ptr<AccountState> AccountView::MutableCopy() const {
  if (held) return std::make_unique<AccountState>(*held);
  return DecodeEncoding(*this);  // a fresh decode is already a private copy
}

void AccountView::AppendEncoded(std::string* out) const {
  if (held) {
    ByteWriter w(out);
    WriteAccountBody(w, *held);
  } else {
    out->append(encoding);
  }
}

const CompiledRole* AccountView::FindRole(std::string_view id, const PolicySet& policies) const {
  if (const CompiledRole* r = policies.FindRole(id, account_id())) return r;
  if (custom_roles) {
    for (const auto& r : *custom_roles) {
      if (r.decl.id == id) return &r;
    }
  }
  return nullptr;
}

AccountView BindAccount(std::shared_ptr<const AccountState> state, const PolicySet& policies, std::string encoding) {
  AccountView view;
  if (!state->custom_roles().empty()) {
    auto compiled = std::make_shared<std::vector<CompiledRole>>();
    std::vector<PolicyError> errors;  // a role that no longer compiles grants nothing
    CompileAccountRoles(policies, state->custom_roles(), compiled.get(), &errors);
    view.custom_roles = std::move(compiled);
  }
  view.held = state;  // FindRole reads the account id through it
  view.roles.reserve(state->RoleSlotCount());
  for (std::size_t i = 0; i < state->RoleSlotCount(); ++i) {
    view.roles.push_back(view.FindRole(state->RoleOfSlot(static_cast<std::uint16_t>(i)), policies));
  }
  view.arena = DecisionArena::Build(*state, view.roles);
  if (view.arena != nullptr && state->GrantCount() <= AccountView::kEncodeAtMostGrants) {
    view.encoding = encoding.empty() ? EncodeAccountState(*state) : std::move(encoding);
    view.encoding.shrink_to_fit();
    view.held = nullptr;
  }
  return view;
}

Snapshot::Snapshot(std::shared_ptr<const PolicySet> policies, std::uint64_t revision)
    : policies_(std::move(policies)), revision_(revision) {
  auto empty = std::make_shared<const Shard>();
  shards_.fill(empty);
}

const AccountView* Snapshot::FindAccount(std::string_view account_id) const {
  const AccountTable::Hit hit = FindAccountHit(account_id);
  return hit ? hit.view() : nullptr;
}

std::size_t Snapshot::AccountCount() const {
  std::size_t n = 0;
  for (const auto& s : shards_) n += s->size();
  return n;
}

void Snapshot::ForEachAccount(const std::function<void(const AccountView&)>& fn) const {
  for (const auto& s : shards_) s->ForEach(fn);
}

void Snapshot::PutInto(Shard* shard, std::shared_ptr<const AccountState> state, std::string encoding) {
  const std::uint64_t hash = DecisionArena::HashId(state->account().id);
  shard->Put(hash, std::make_shared<const AccountView>(BindAccount(std::move(state), *policies_, std::move(encoding))));
}

std::shared_ptr<Snapshot> Snapshot::Next(std::uint64_t revision) const {
  auto next = std::make_shared<Snapshot>(policies_, revision);
  next->shards_ = shards_;
  next->max_assignment_id_ = max_assignment_id_;
  next->users_ = users_;
  next->api_keys_ = api_keys_;
  next->invite_tokens_ = invite_tokens_;
  return next;
}

void Snapshot::PutAccount(std::shared_ptr<const AccountState> state) {
  const std::size_t shard = ShardOf(DecisionArena::HashId(state->account().id));
  auto copy = std::make_shared<Shard>(*shards_[shard]);
  PutInto(copy.get(), std::move(state));
  shards_[shard] = std::move(copy);
}

void Snapshot::PutAccounts(std::vector<std::shared_ptr<const AccountState>> states,
                           std::vector<std::string> encodings) {
  std::array<std::shared_ptr<Shard>, kShardCount> copies;
  for (std::size_t i = 0; i < states.size(); ++i) {
    auto& state = states[i];
    const std::size_t shard = ShardOf(DecisionArena::HashId(state->account().id));
    if (!copies[shard]) copies[shard] = std::make_shared<Shard>(*shards_[shard]);
    PutInto(copies[shard].get(), std::move(state), i < encodings.size() ? std::move(encodings[i]) : std::string());
  }
  for (std::size_t i = 0; i < kShardCount; ++i) {
    if (copies[i]) shards_[i] = std::move(copies[i]);
  }
}

std::shared_ptr<Snapshot> Snapshot::WithPolicies(std::shared_ptr<const PolicySet> policies) const {
  auto next = std::make_shared<Snapshot>(std::move(policies), revision_);
  next->max_assignment_id_ = max_assignment_id_;
  next->users_ = users_;
  next->api_keys_ = api_keys_;
  next->invite_tokens_ = invite_tokens_;
  for (std::size_t i = 0; i < kShardCount; ++i) {
    auto shard = std::make_shared<Shard>();
    shard->Reserve(shards_[i]->size());
    shards_[i]->ForEach([&](const AccountView& view) { next->PutInto(shard.get(), view.State(), view.encoding); });
    next->shards_[i] = std::move(shard);
  }
  return next;
}

}  // namespace gatehouse
