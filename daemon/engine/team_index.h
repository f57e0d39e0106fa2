// TeamIndex: what Search Team (engine/team_search.h) reads, precomputed once per account
// state instead of once per query — one row per team member and per invite with its
// lower-cased search text, sort keys, role ids (as small integers) and restriction scopes
// (as asset nodes), plus the rows pre-sorted by name and by join time. Rows live in row
// stores (with their search text) that a derived index shares with its base.
//
// An index is a pure function of (AccountState, the global users map, the time). It stays
// valid while the AccountState object lives (states are immutable), while the users map
// has the same generation, and while `now` stays inside [valid_from, valid_until): the
// window in which no assignment starts or ends and no pending invite expires. ForAccount()
// returns the index cached on the AccountState when it is still valid; else it derives one
// from the index of the state this one was copied from (AccountState's TeamIndexSlot: a
// write touches a few subjects, so the first search after it copies rows instead of
// building them), or builds one when there is no such base or it cannot be followed; and
// caches it. Concurrent callers may both build, and either result is correct.
//
// Thread safety: a TeamIndex is immutable once built; ForAccount() is safe for concurrent
// use.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"
#include "engine/account_state.h"
#include "engine/sharded_map.h"

namespace gatehouse {

class TeamIndex {
 public:
  struct Row {
    bool is_invite = false;
    bool listed = true;       // false: an accepted or revoked invite (listed only when
                              // the filter names inviteType)
    std::uint32_t index = 0;  // into AccountState::subjects() or invites()
    std::string id;
    std::string email_lower;
    std::string name_key;  // lower-case "first last" (members) or email (invites)
    Timestamp joined = 0;  // joinedTeamAt (members) or dateCreated (invites)
    InviteStatus status = InviteStatus::kPending;
    bool account_wide = false;          // one of its assignments covers the whole account
    std::vector<std::uint16_t> roles;   // distinct indices into role_names(), ascending
    std::vector<std::uint32_t> scopes;  // asset nodes its restricted assignments name
  };

  // The cached index of `account` if still valid for (users, now), else a new one (cached).
  static std::shared_ptr<const TeamIndex> ForAccount(const AccountState& account, const ShardedMap<User>& users,
                                                     Timestamp now);
  static std::shared_ptr<const TeamIndex> Build(const AccountState& account, const ShardedMap<User>& users,
                                                Timestamp now);
  // The index of `account` from `base`, the index of a state it was copied from, when only
  // the subjects in `touched` changed since (plus any invites: their rows are always made
  // again). `base` must be valid for (users, now). Equal to Build(account, users, now) in
  // every row, order and text; its validity window may be narrower (it keeps the base's).
  // Costs a pass over the rows, without sorting, copying or rebuilding them: rows of
  // untouched subjects are shared with the base.
  static std::shared_ptr<const TeamIndex> Derive(const TeamIndex& base, std::vector<std::uint32_t> touched,
                                                 const AccountState& account, const ShardedMap<User>& users,
                                                 Timestamp now);

  bool ValidFor(std::uint64_t users_generation, Timestamp now) const {
    return users_generation == users_generation_ && now >= valid_from_ && now < valid_until_;
  }

  // The rows, in order: members by subject index, then invites. Each points into one of
  // the index's row stores, which a derived index shares with its base.
  const std::vector<const Row*>& rows() const { return rows_; }
  // How many row stores the rows live in (one per build, plus one per derivation since).
  std::size_t store_count() const { return stores_.size(); }
  // A derivation that would hold more stores than this gathers its rows (Gather), so a long
  // line of derivations neither keeps every small store alive nor scatters the rows.
  static constexpr std::size_t kMaxStores = 32;
  const std::vector<std::string>& role_names() const { return role_names_; }
  // Index into role_names(), or -1 when no row holds that role.
  int RoleIndex(std::string_view role_id) const;
  // Row indices sorted by (name_key, id) and by (joined, id), ascending.
  const std::vector<std::uint32_t>& by_name() const { return by_name_; }
  const std::vector<std::uint32_t>& by_joined() const { return by_joined_; }
  // Marks in `hits` (one entry per row) the rows whose free text contains `query_lower`:
  // members' "first last" and email, invites' email.
  void MarkTextMatches(std::string_view query_lower, std::vector<char>& hits) const;

 private:
  void SetWindow(Timestamp valid_from, Timestamp valid_until) {
    valid_from_ = valid_from;
    valid_until_ = valid_until;
  }
  // Leaves at most two stores: the first (big) one and one holding every row that lived in
  // the others; or one, holding copies of every row, once most of the big one is unused.
  void Gather();

  // Rows made together (one build, one derivation, one gathering) and their search text:
  // each row's fields separated by '\0', rows in order. Immutable once made; shared by
  // every index derived from the one that made it.
  struct RowStore {
    std::vector<Row> rows;
    std::string text;
    std::vector<std::uint32_t> text_begin;  // per row, plus a final end offset
    void LayOutText();
  };
  static constexpr std::uint32_t kNoRow = 0xFFFFFFFFu;

  std::vector<const Row*> rows_;
  std::vector<std::shared_ptr<const RowStore>> stores_;
  // Per store, per row of it: where that row is in rows_, or kNoRow when this index does not
  // use it (a touched member's old row, an invite's row from an earlier derivation).
  std::vector<std::vector<std::uint32_t>> positions_;
  std::vector<std::string> role_names_;
  std::vector<std::uint32_t> by_name_, by_joined_;
  std::uint64_t users_generation_ = 0;
  Timestamp valid_from_ = 0, valid_until_ = 0;
};

}  // namespace gatehouse
