#include "engine/team_index.h"

#include <algorithm>
#include <limits>
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

}  // namespace

std::shared_ptr<const TeamIndex> TeamIndex::ForAccount(const AccountState& account, const ShardedMap<User>& users,
                                                       Timestamp now) {
  std::shared_ptr<const TeamIndex> cached = account.CachedTeamIndex();
  if (cached && cached->ValidFor(users.generation(), now)) return cached;
  std::shared_ptr<const TeamIndex> built = Build(account, users, now);
  account.CacheTeamIndex(built);
  return built;
}

std::shared_ptr<const TeamIndex> TeamIndex::Build(const AccountState& account, const ShardedMap<User>& users,
                                                  Timestamp now) {
  auto index = std::make_shared<TeamIndex>();
  index->users_generation_ = users.generation();
  Timestamp from = std::numeric_limits<Timestamp>::min(), until = std::numeric_limits<Timestamp>::max();
  std::unordered_map<std::string, std::uint16_t> role_ids;
  auto role_index = [&](const std::string& role_id) {
    auto [it, added] = role_ids.emplace(role_id, static_cast<std::uint16_t>(index->role_names_.size()));
    if (added) index->role_names_.push_back(role_id);
    return it->second;
  };
  auto add_restriction = [&](Row& row, const Restriction& restriction) {
    if (restriction.kind == Restriction::Kind::kAccount) {
      row.account_wide = true;
      return;
    }
    for (const auto& id : restriction.asset_ids) {
      const std::uint32_t node = account.FindAsset(id);
      if (node != AccountState::kNoNode) row.scopes.push_back(node);
    }
  };
  auto finish_row = [&](Row& row, std::string_view text) {
    std::sort(row.roles.begin(), row.roles.end());
    row.roles.erase(std::unique(row.roles.begin(), row.roles.end()), row.roles.end());
    index->text_begin_.push_back(static_cast<std::uint32_t>(index->text_.size()));
    index->text_.append(text);
    index->text_.push_back('\0');
    index->rows_.push_back(std::move(row));
  };

  const auto& subjects = account.subjects();
  for (std::size_t i = 0; i < subjects.size(); ++i) {
    const auto& s = subjects[i];
    if (s.type != SubjectType::kUser) continue;
    for (const auto& g : s.grants) {
      if (g.not_before != AccountState::kNoStart) Narrow(g.not_before, now, from, until);
      if (g.expires_at != AccountState::kNoEnd) Narrow(g.expires_at, now, from, until);
    }
    if (!AccountState::HasActiveGrant(s, now)) continue;
    Row row;
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
      row.roles.push_back(role_index(account.RoleOfSlot(g.role_slot)));
      if (g.kind == Restriction::Kind::kAccount) {
        row.account_wide = true;
        continue;
      }
      for (const std::uint32_t node : account.ScopesOf(g)) {
        if (account.Node(node).live) row.scopes.push_back(node);
      }
    }
    // "first last" contains first and last, so one field serves all three name matches.
    std::string text = row.name_key;
    text.push_back('\0');
    text += row.email_lower;
    finish_row(row, text);
  }
  const auto& invites = account.invites();
  for (std::size_t i = 0; i < invites.size(); ++i) {
    const Invite& inv = invites[i];
    if (inv.status == InviteStatus::kPending) Narrow(inv.expires_at, now, from, until);
    Row row;
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
      row.roles.push_back(role_index(a.role_id));
      add_restriction(row, a.restriction);
    }
    const std::string text = row.email_lower;
    finish_row(row, text);
  }
  index->text_begin_.push_back(static_cast<std::uint32_t>(index->text_.size()));
  index->valid_from_ = from;
  index->valid_until_ = until;

  const auto& rows = index->rows_;
  std::vector<std::uint32_t> order(rows.size());
  for (std::uint32_t r = 0; r < order.size(); ++r) order[r] = r;
  index->by_name_ = order;
  std::sort(index->by_name_.begin(), index->by_name_.end(), [&](std::uint32_t a, std::uint32_t b) {
    if (rows[a].name_key != rows[b].name_key) return rows[a].name_key < rows[b].name_key;
    return rows[a].id < rows[b].id;
  });
  index->by_joined_ = std::move(order);
  std::sort(index->by_joined_.begin(), index->by_joined_.end(), [&](std::uint32_t a, std::uint32_t b) {
    if (rows[a].joined != rows[b].joined) return rows[a].joined < rows[b].joined;
    return rows[a].id < rows[b].id;
  });
  return index;
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
  const std::string_view text(text_);
  std::size_t pos = 0;
  while ((pos = text.find(query_lower, pos)) != std::string_view::npos) {
    // The row whose text holds `pos`; then continue at the next row's text.
    const auto next = std::upper_bound(text_begin_.begin(), text_begin_.end(), static_cast<std::uint32_t>(pos));
    const auto row = static_cast<std::size_t>(next - text_begin_.begin()) - 1;
    hits[row] = 1;
    pos = *next;
  }
}

}  // namespace gatehouse
