#include "engine/team_index.h"

#include <algorithm>
#include <functional>
#include <iterator>
#include <limits>
#include <optional>
#include <unordered_map>

#include "core/text.h"

namespace gatehouse {
namespace {

// Narrows [from, until) to the span around `now` in which `boundary` is not crossed.
void Narrow(Timestamp boundary, Timestamp now, Timestamp& from, Timestamp& until) {
  if (boundary > now) {
    until = std::min(until, boundary);
  } else {
    from = std::max(from, boundary);
  }
}

// Role ids as small integers, in order of first use; starts from a base's table.
class RoleTable {
 public:
  explicit RoleTable(std::vector<std::string>* names) : names_(names) {
    for (std::size_t i = 0; i < names_->size(); ++i) ids_.emplace((*names_)[i], static_cast<std::uint16_t>(i));
  }
  std::uint16_t operator()(const std::string& role_id) {
    auto [it, added] = ids_.emplace(role_id, static_cast<std::uint16_t>(names_->size()));
    if (added) names_->push_back(role_id);
    return it->second;
  }

 private:
  std::vector<std::string>* names_;
  std::unordered_map<std::string, std::uint16_t> ids_;
};

void NarrowForSubject(const AccountState::SubjectEntry& s, Timestamp now, Timestamp& from, Timestamp& until) {
  for (const auto& g : s.grants) {
    if (g.not_before != AccountState::kNoStart) Narrow(g.not_before, now, from, until);
    if (g.expires_at != AccountState::kNoEnd) Narrow(g.expires_at, now, from, until);
  }
}

void SortRoles(TeamIndex::Row& row) {
  std::sort(row.roles.begin(), row.roles.end());
  row.roles.erase(std::unique(row.roles.begin(), row.roles.end()), row.roles.end());
}

// Subject i's row: a USER with an assignment active at `now`; nullopt otherwise.
std::optional<TeamIndex::Row> MemberRow(const AccountState& account, const ShardedMap<User>& users, std::size_t i,
                                        Timestamp now, RoleTable& roles) {
  const auto& s = account.subjects()[i];
  if (s.type != SubjectType::kUser || !AccountState::HasActiveGrant(s, now)) return std::nullopt;
  TeamIndex::Row row;
  row.index = static_cast<std::uint32_t>(i);
  row.id = s.id;
  std::string first, last;
  if (const User* u = users.Find(s.id)) {
    row.email_lower = AsciiLower(u->email);
    first = u->first_name;
    last = u->last_name;
  }
  row.name_key = AsciiLower(first + " " + last);
  row.joined = AccountState::JoinedAt(s);
  for (const auto& g : s.grants) {
    if (!g.ActiveAt(now)) continue;
    row.roles.push_back(roles(account.RoleOfSlot(g.role_slot)));
    if (g.kind == Restriction::Kind::kAccount) {
      row.account_wide = true;
      continue;
    }
    for (const std::uint32_t node : account.ScopesOf(g)) {
      if (account.Node(node).live) row.scopes.push_back(node);
    }
  }
  SortRoles(row);
  return row;
}

TeamIndex::Row InviteRow(const AccountState& account, std::size_t i, Timestamp now, RoleTable& roles, Timestamp& from,
                         Timestamp& until) {
  const Invite& inv = account.invites()[i];
  if (inv.status == InviteStatus::kPending) Narrow(inv.expires_at, now, from, until);
  TeamIndex::Row row;
  row.is_invite = true;
  row.index = static_cast<std::uint32_t>(i);
  row.id = inv.id;
  row.email_lower = AsciiLower(inv.email);
  row.name_key = row.email_lower;
  row.joined = inv.created_at;
  row.status = inv.EffectiveStatus(now);
  row.listed = row.status == InviteStatus::kPending || row.status == InviteStatus::kExpired ||
               row.status == InviteStatus::kDeclined;
  for (const auto& a : inv.assignments) {
    row.roles.push_back(roles(a.role_id));
    if (a.restriction.kind == Restriction::Kind::kAccount) {
      row.account_wide = true;
      continue;
    }
    for (const auto& id : a.restriction.asset_ids) {
      const std::uint32_t node = account.FindAsset(id);
      if (node != AccountState::kNoNode) row.scopes.push_back(node);
    }
  }
  SortRoles(row);
  return row;
}

bool NameLess(const TeamIndex::Row& a, const TeamIndex::Row& b) {
  if (a.name_key != b.name_key) return a.name_key < b.name_key;
  return a.id < b.id;
}
bool JoinedLess(const TeamIndex::Row& a, const TeamIndex::Row& b) {
  if (a.joined != b.joined) return a.joined < b.joined;
  return a.id < b.id;
}

}  // namespace

std::shared_ptr<const TeamIndex> TeamIndex::ForAccount(const AccountState& account, const ShardedMap<User>& users,
                                                       Timestamp now) {
  std::shared_ptr<const TeamIndex> cached = account.CachedTeamIndex();
  if (cached && cached->ValidFor(users.generation(), now)) return cached;
  const TeamIndexSlot& lineage = account.team_index_lineage();
  std::shared_ptr<const TeamIndex> built =
      !lineage.rebuild() && lineage.base() && lineage.base()->ValidFor(users.generation(), now)
          ? Derive(*lineage.base(), lineage.touched(), account, users, now)
          : Build(account, users, now);
  account.CacheTeamIndex(built);
  return built;
}

std::shared_ptr<const TeamIndex> TeamIndex::Build(const AccountState& account, const ShardedMap<User>& users,
                                                  Timestamp now) {
  auto index = std::make_shared<TeamIndex>();
  index->users_generation_ = users.generation();
  Timestamp from = std::numeric_limits<Timestamp>::min(), until = std::numeric_limits<Timestamp>::max();
  RoleTable roles(&index->role_names_);
  auto store = std::make_shared<RowStore>();
  const auto& subjects = account.subjects();
  for (std::size_t i = 0; i < subjects.size(); ++i) {
    if (subjects[i].type != SubjectType::kUser) continue;
    NarrowForSubject(subjects[i], now, from, until);
    if (auto row = MemberRow(account, users, i, now, roles)) store->rows.push_back(std::move(*row));
  }
  for (std::size_t i = 0; i < account.invites().size(); ++i) {
    store->rows.push_back(InviteRow(account, i, now, roles, from, until));
  }
  store->LayOutText();
  index->rows_.reserve(store->rows.size());
  std::vector<std::uint32_t> positions(store->rows.size());
  for (std::size_t k = 0; k < store->rows.size(); ++k) {
    index->rows_.push_back(&store->rows[k]);
    positions[k] = static_cast<std::uint32_t>(k);
  }
  index->stores_.push_back(std::move(store));
  index->positions_.push_back(std::move(positions));
  const auto& rows = index->rows_;
  std::vector<std::uint32_t> order(rows.size());
  for (std::uint32_t r = 0; r < order.size(); ++r) order[r] = r;
  index->by_name_ = order;
  std::sort(index->by_name_.begin(), index->by_name_.end(),
            [&](std::uint32_t a, std::uint32_t b) { return NameLess(*rows[a], *rows[b]); });
  index->by_joined_ = std::move(order);
  std::sort(index->by_joined_.begin(), index->by_joined_.end(),
            [&](std::uint32_t a, std::uint32_t b) { return JoinedLess(*rows[a], *rows[b]); });
  index->SetWindow(from, until);
  return index;
}

std::shared_ptr<const TeamIndex> TeamIndex::Derive(const TeamIndex& base, std::vector<std::uint32_t> touched,
                                                   const AccountState& account, const ShardedMap<User>& users,
                                                   Timestamp now) {
  auto index = std::make_shared<TeamIndex>();
  index->users_generation_ = base.users_generation_;
  // The base's window holds for every subject not touched (their grants are the same) and
  // for the invites it saw; the touched subjects and today's invites narrow it further.
  Timestamp from = base.valid_from_, until = base.valid_until_;
  index->role_names_ = base.role_names_;
  RoleTable roles(&index->role_names_);
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());

  // Member rows come first, in subject order, in the base as here. Untouched subjects keep
  // their base rows (shared, not copied); touched ones get new rows (or none), kept in this
  // index's own store. `own` positions are marked in `fresh`, and pointed at once the store
  // is complete.
  constexpr std::uint32_t kGone = kNoRow;
  std::vector<std::uint32_t> base_to_new(base.rows_.size(), kGone);
  std::vector<std::uint32_t> fresh;  // positions of own rows: touched members, then invites
  auto own = std::make_shared<RowStore>();
  const auto& subjects = account.subjects();
  index->rows_.reserve(base.rows_.size() + 8);
  std::size_t b = 0;
  auto next_touched = touched.begin();
  auto is_member = [&](std::size_t r) { return r < base.rows_.size() && !base.rows_[r]->is_invite; };
  for (std::size_t i = 0; i < subjects.size(); ++i) {
    const bool in_base = is_member(b) && base.rows_[b]->index == i;
    const bool changed = next_touched != touched.end() && *next_touched == i;
    if (changed) {
      ++next_touched;
      if (subjects[i].type == SubjectType::kUser) NarrowForSubject(subjects[i], now, from, until);
      if (auto row = MemberRow(account, users, i, now, roles)) {
        fresh.push_back(static_cast<std::uint32_t>(index->rows_.size()));
        index->rows_.push_back(nullptr);
        own->rows.push_back(std::move(*row));
      }
    } else if (in_base) {
      base_to_new[b] = static_cast<std::uint32_t>(index->rows_.size());
      index->rows_.push_back(base.rows_[b]);
    }
    if (in_base) ++b;
  }
  for (std::size_t i = 0; i < account.invites().size(); ++i) {
    fresh.push_back(static_cast<std::uint32_t>(index->rows_.size()));
    index->rows_.push_back(nullptr);
    own->rows.push_back(InviteRow(account, i, now, roles, from, until));
  }
  own->LayOutText();
  for (std::size_t k = 0; k < fresh.size(); ++k) index->rows_[fresh[k]] = &own->rows[k];
  index->stores_ = base.stores_;
  index->stores_.push_back(std::move(own));
  // Where each store's rows are now: the base's places, moved as the rows moved.
  index->positions_.reserve(index->stores_.size());
  for (const auto& base_positions : base.positions_) {
    std::vector<std::uint32_t> moved(base_positions.size());
    for (std::size_t r = 0; r < moved.size(); ++r) {
      moved[r] = base_positions[r] == kGone ? kGone : base_to_new[base_positions[r]];
    }
    index->positions_.push_back(std::move(moved));
  }
  index->positions_.push_back(fresh);
  if (index->stores_.size() > kMaxStores) index->Gather();

  // Each order: the base's order of the rows kept (still sorted: their keys are unchanged),
  // merged with the new rows sorted alone.
  const auto& rows = index->rows_;
  auto merged = [&](const std::vector<std::uint32_t>& base_order, auto less) {
    std::vector<std::uint32_t> kept;
    kept.reserve(rows.size());
    for (const std::uint32_t r : base_order) {
      if (base_to_new[r] != kGone) kept.push_back(base_to_new[r]);
    }
    auto by = [&](std::uint32_t x, std::uint32_t y) { return less(*rows[x], *rows[y]); };
    std::vector<std::uint32_t> added = fresh;
    std::sort(added.begin(), added.end(), by);
    // Few rows are new: find each one's place by binary search and copy the kept runs
    // between them whole, instead of comparing every kept row (a string compare each).
    std::vector<std::uint32_t> out;
    out.reserve(rows.size());
    auto from_kept = kept.begin();
    for (const std::uint32_t r : added) {
      const auto place = std::upper_bound(from_kept, kept.end(), r, by);
      out.insert(out.end(), from_kept, place);
      out.push_back(r);
      from_kept = place;
    }
    out.insert(out.end(), from_kept, kept.end());
    return out;
  };
  index->by_name_ = merged(base.by_name_, NameLess);
  index->by_joined_ = merged(base.by_joined_, JoinedLess);
  index->SetWindow(from, until);
  return index;
}

void TeamIndex::Gather() {
  // The first store is the big one (a build's, or the last full gathering's); the later ones
  // are small (one derivation's new rows each). Copy only the rows that live in the small
  // ones into one store — a few touched members and the invites — unless fewer than half
  // of the big store's rows are still in use: then copy every row into one store.
  const std::vector<std::uint32_t>& big_positions = positions_.front();
  std::vector<char> in_big(rows_.size(), 0);
  std::size_t from_big = 0;
  for (const std::uint32_t p : big_positions) {
    if (p == kNoRow) continue;
    in_big[p] = 1;
    ++from_big;
  }
  const bool all = 2 * from_big < big_positions.size();
  auto gathered = std::make_shared<RowStore>();
  std::vector<std::uint32_t> positions;
  for (std::size_t k = 0; k < rows_.size(); ++k) {
    if (all || !in_big[k]) {
      positions.push_back(static_cast<std::uint32_t>(k));
      gathered->rows.push_back(*rows_[k]);
    }
  }
  gathered->LayOutText();
  for (std::size_t i = 0; i < positions.size(); ++i) rows_[positions[i]] = &gathered->rows[i];
  if (all) {
    stores_ = {std::move(gathered)};
    positions_ = {std::move(positions)};
  } else {
    stores_ = {stores_.front(), std::move(gathered)};
    positions_ = {positions_.front(), std::move(positions)};
  }
}

void TeamIndex::RowStore::LayOutText() {
  text.clear();
  text_begin.clear();
  text_begin.reserve(rows.size() + 1);
  for (const Row& row : rows) {
    text_begin.push_back(static_cast<std::uint32_t>(text.size()));
    // Members: "first last" (it contains first and last, so one field serves all three
    // name matches), then the email; invites: the email.
    if (!row.is_invite) {
      text += row.name_key;
      text.push_back('\0');
    }
    text += row.email_lower;
    text.push_back('\0');
  }
  text_begin.push_back(static_cast<std::uint32_t>(text.size()));
}

int TeamIndex::RoleIndex(std::string_view role_id) const {
  for (std::size_t i = 0; i < role_names_.size(); ++i) {
    if (role_names_[i] == role_id) return static_cast<int>(i);
  }
  return -1;
}

void TeamIndex::MarkTextMatches(std::string_view query_lower, std::vector<char>& hits) const {
  // '\0' separates fields, so a query holding one can match nothing.
  if (query_lower.find('\0') != std::string_view::npos) return;
  for (std::size_t s = 0; s < stores_.size(); ++s) {
    const RowStore& store = *stores_[s];
    const std::vector<std::uint32_t>& positions = positions_[s];
    const std::string_view text(store.text);
    std::size_t pos = 0;
    while ((pos = text.find(query_lower, pos)) != std::string_view::npos) {
      // The store row whose text holds `pos` (marked when this index uses it); then go on
      // at the next row's text.
      const auto next =
          std::upper_bound(store.text_begin.begin(), store.text_begin.end(), static_cast<std::uint32_t>(pos));
      const auto row = static_cast<std::size_t>(next - store.text_begin.begin()) - 1;
      if (positions[row] != kNoRow) hits[positions[row]] = 1;
      pos = *next;
    }
  }
}

}  // namespace gatehouse
