// Search Team through its index (engine/team_search.cc + team_index.cc) against a
// reference written from the contract over plain data (reference_team_search.h, sharing
// no engine code) on thousands of random teams, filters, queries, orders, pages and
// instants; plus the index cache's invalidation rules.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "engine/team_index.h"
#include "engine/team_search.h"
#include "reference_team_search.h"

namespace gatehouse {
namespace {

constexpr const char* kRoles[] = {"owner", "website-manager", "website-designer", "billing-manager", "custom-x"};
constexpr const char* kFirst[] = {"Ann", "ann", "Bob", "Émile", "Zoe", "", "Al Li"};
constexpr const char* kLast[] = {"Smith", "smith", "Li", "", "O'Neil", "Ann"};

struct Team {
  std::shared_ptr<Snapshot> snapshot;
  std::shared_ptr<const AccountState> account;
  std::vector<std::string> assets;  // ids, including one never created
  testing::PlainTeam plain;         // the same team for the reference
};

Team RandomTeam(std::mt19937_64& rng) {
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  auto chance = [&](int percent) { return static_cast<int>(rng() % 100) < percent; };
  Team t;
  auto state = std::make_shared<AccountState>(Account{"acc", "Account", "u0", 0});
  std::vector<std::string> folders, sites;
  for (std::size_t f = 0, n = 1 + pick(3); f < n; ++f) {
    folders.push_back("f" + std::to_string(f));
    const std::string parent = f > 0 && chance(40) ? "f0" : "";
    state->ApplyAssetPut(Asset{"acc", folders.back(), "folder", "F", parent});
    t.plain.parent_of[folders.back()] = parent;
  }
  for (std::size_t s = 0, n = 2 + pick(6); s < n; ++s) {
    sites.push_back("s" + std::to_string(s));
    const std::string parent = chance(60) ? folders[pick(folders.size())] : "";
    state->ApplyAssetPut(Asset{"acc", sites.back(), "site", "S", parent});
    t.plain.parent_of[sites.back()] = parent;
  }
  state->ApplyAssetPut(Asset{"acc", "gone", "site", "S", ""});
  state->ApplyAssetDeleted("gone");  // filters may name a deleted asset
  t.assets = folders;
  t.assets.insert(t.assets.end(), sites.begin(), sites.end());
  t.assets.push_back("gone");
  t.assets.push_back("nowhere");

  auto restriction = [&]() {
    Restriction r;
    const int kind = static_cast<int>(pick(3));
    if (kind == 1) {
      r.kind = Restriction::Kind::kSite;
      r.asset_ids = {sites[pick(sites.size())]};
    } else if (kind == 2) {
      r.kind = Restriction::Kind::kFolders;
      for (std::size_t i = 0, n = 1 + pick(2); i < n; ++i) r.asset_ids.push_back(folders[pick(folders.size())]);
    }
    return r;
  };
  std::vector<std::pair<std::string, std::optional<User>>> users;
  std::uint64_t next_id = 1;
  const std::size_t members = 1 + pick(40);
  for (std::size_t m = 0; m < members; ++m) {
    const std::string id = "u" + std::to_string(m);
    if (!chance(10)) {
      users.emplace_back(id, User{id, std::string(chance(20) ? "Shared" : "user") + std::to_string(m % 7) + "@Ex.test",
                                  kFirst[pick(std::size(kFirst))], kLast[pick(std::size(kLast))], ""});
    }
    for (std::size_t a = 0, n = 1 + pick(3); a < n; ++a) {
      Assignment as;
      as.id = next_id++;
      as.account_id = "acc";
      as.subject = Subject{id, chance(90) ? SubjectType::kUser : SubjectType::kAccount};
      as.role_id = kRoles[pick(std::size(kRoles))];
      as.restriction = restriction();
      as.created_at = static_cast<Timestamp>(pick(5)) * 100;
      if (chance(20)) as.not_before = static_cast<Timestamp>(pick(4)) * 1'000;
      if (chance(20)) as.expires_at = static_cast<Timestamp>(1 + pick(4)) * 1'000;
      state->ApplyAssignmentAdded(as);
      t.plain.assignments.push_back(as);
    }
  }
  for (std::size_t i = 0, n = pick(12); i < n; ++i) {
    Invite inv;
    inv.id = "inv" + std::to_string(i);
    inv.account_id = "acc";
    inv.email = std::string(chance(30) ? "ANN" : "guest") + std::to_string(i % 4) + "@ex.test";
    inv.status = static_cast<InviteStatus>(pick(5));
    inv.created_at = static_cast<Timestamp>(pick(5)) * 100;
    inv.expires_at = static_cast<Timestamp>(1 + pick(4)) * 1'000;
    for (std::size_t a = 0, k = 1 + pick(2); a < k; ++a) {
      inv.assignments.push_back({kRoles[pick(std::size(kRoles))], restriction()});
    }
    state->ApplyInvitePut(inv);
    t.plain.invites.push_back(inv);
  }
  for (const auto& [id, user] : users) t.plain.users[id] = *user;
  t.snapshot = std::make_shared<Snapshot>(std::make_shared<const PolicySet>(), 1);
  t.snapshot->mutable_users().Apply(users);
  t.snapshot->PutAccount(state);
  t.account = state;
  return t;
}

TeamFilter RandomFilter(std::mt19937_64& rng, const Team& team, int depth) {
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  TeamFilter f;
  if (depth < 2 && pick(3) == 0) {
    f.kind = static_cast<TeamFilter::Kind>(pick(3));
    const std::size_t n = f.kind == TeamFilter::Kind::kNot ? 1 : 1 + pick(3);
    for (std::size_t i = 0; i < n; ++i) f.children.push_back(RandomFilter(rng, team, depth + 1));
    return f;
  }
  f.kind = TeamFilter::Kind::kCompare;
  f.field = static_cast<TeamFilter::Field>(pick(5));
  if (f.field == TeamFilter::Field::kJoinedTeamAt) {
    f.op = static_cast<TeamFilter::Op>(pick(8));
    if (f.op == TeamFilter::Op::kIn || f.op == TeamFilter::Op::kNin) f.op = TeamFilter::Op::kGte;
    if (pick(10) > 0) f.time = static_cast<Timestamp>(pick(5)) * 100;
    return f;
  }
  f.op = static_cast<TeamFilter::Op>(pick(4));  // eq, ne, in, nin
  const std::size_t n = f.op == TeamFilter::Op::kEq || f.op == TeamFilter::Op::kNe ? 1 : 1 + pick(3);
  for (std::size_t i = 0; i < n; ++i) {
    switch (f.field) {
      case TeamFilter::Field::kRoleId:
        f.values.push_back(pick(8) == 0 ? "no-such-role" : kRoles[pick(std::size(kRoles))]);
        break;
      case TeamFilter::Field::kInviteType:
        f.values.push_back(pick(8) == 0 ? "pending"
                                        : std::string(InviteStatusName(static_cast<InviteStatus>(pick(5)))));
        break;
      case TeamFilter::Field::kEmail:
        f.values.push_back((pick(2) ? "SHARED" : "user") + std::to_string(pick(7)) + "@ex.test");
        break;
      default:
        f.values.push_back(team.assets[pick(team.assets.size())]);
        break;
    }
  }
  return f;
}

TeamSearchRequest RandomRequest(std::mt19937_64& rng, const Team& team) {
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  constexpr const char* kQueries[] = {"", "", "ann", "SMITH", "n s", "@ex", "shared3", "li", " ", "zzz", "é"};
  TeamSearchRequest r;
  r.query = kQueries[pick(std::size(kQueries))];
  if (pick(3) > 0) r.filter = RandomFilter(rng, team, 0);
  for (std::size_t i = 0, n = pick(3); i < n; ++i) r.order.push_back({pick(2) == 0, pick(2) == 0});
  for (std::size_t i = 0, n = pick(4); i < n; ++i) r.facets.push_back(static_cast<TeamSearchRequest::Facet>(pick(3)));
  r.limit = 1 + pick(30);
  r.offset = pick(3) == 0 ? pick(40) : 0;
  return r;
}

// The engine's answer (rows as indices into `account`) against the reference's (ids).
void ExpectSameResult(const TeamSearchResult& got, const AccountState& account, const testing::PlainResult& want) {
  ASSERT_EQ(got.total, want.total);
  ASSERT_EQ(got.rows.size(), want.rows.size());
  std::vector<testing::PlainRow> got_rows;
  for (const auto& r : got.rows) {
    got_rows.push_back({r.is_invite, r.is_invite ? account.invites()[r.index].id : account.subjects()[r.index].id});
  }
  ASSERT_EQ(got_rows, want.rows);
  for (std::size_t i = 0; i < got.rows.size(); ++i) {
    const auto& r = got.rows[i];
    const std::string id = r.is_invite ? account.invites()[r.index].id : account.subjects()[r.index].id;
    EXPECT_EQ((testing::PlainRow{r.is_invite, id}), want.rows[i]) << "row " << i << ": " << id;
  }
  ASSERT_EQ(got.facets.size(), want.facets.size());
  for (std::size_t i = 0; i < got.facets.size(); ++i) {
    EXPECT_EQ(got.facets[i].values, want.facets[i]) << "facet " << i;
  }
}

TEST(TeamSearchTest, AgreesWithTheNaiveReferenceOnRandomTeams) {
  constexpr Timestamp kInstants[] = {0, 999, 1'000, 2'500, 5'000};
  for (std::uint64_t seed = 1; seed <= 400; ++seed) {
    std::mt19937_64 rng(seed);
    const Team team = RandomTeam(rng);
    for (int q = 0; q < 12; ++q) {
      const TeamSearchRequest request = RandomRequest(rng, team);
      const Timestamp now = kInstants[rng() % std::size(kInstants)];
      SCOPED_TRACE("seed " + std::to_string(seed) + " query " + std::to_string(q) + " now " + std::to_string(now));
      ExpectSameResult(SearchTeam(*team.snapshot, *team.account, request, now), *team.account,
                       testing::ReferenceSearchTeam(team.plain, request, now));
      if (::testing::Test::HasFailure()) return;
    }
  }
}

TEST(TeamSearchTest, DefaultOrderIsNameThenIdAndDescendingKeepsIdTieBreak) {
  std::mt19937_64 rng(7);
  const Team team = RandomTeam(rng);
  TeamSearchRequest request;
  request.limit = 1000;
  request.order = {{false, true}};
  const auto got = SearchTeam(*team.snapshot, *team.account, request, 0);
  ExpectSameResult(got, *team.account, testing::ReferenceSearchTeam(team.plain, request, 0));
  EXPECT_GT(got.rows.size(), 0U);
}

TEST(TeamIndexTest, IsCachedPerStateAndRebuiltWhenUsersOrTheTimeWindowChange) {
  std::mt19937_64 rng(11);
  Team team = RandomTeam(rng);
  const auto first = TeamIndex::ForAccount(*team.account, team.snapshot->users(), 0);
  EXPECT_EQ(TeamIndex::ForAccount(*team.account, team.snapshot->users(), 0), first);

  // A changed user gets a new users generation: the index is rebuilt and sees the name.
  auto next = team.snapshot->Next(2);
  std::vector<std::pair<std::string, std::optional<User>>> edit;
  edit.emplace_back("u0", User{"u0", "renamed@ex.test", "Quentin", "Quark", ""});
  next->mutable_users().Apply(edit);
  const auto rebuilt = TeamIndex::ForAccount(*team.account, next->users(), 0);
  EXPECT_NE(rebuilt, first);
  TeamSearchRequest request;
  request.query = "quentin";
  const auto found = SearchTeam(*next, *team.account, request, 0);
  testing::PlainTeam renamed = team.plain;
  renamed.users["u0"] = User{"u0", "renamed@ex.test", "Quentin", "Quark", ""};
  ExpectSameResult(found, *team.account, testing::ReferenceSearchTeam(renamed, request, 0));

  // An assignment that starts later: the index built before it starts is not used after.
  auto state = std::make_shared<AccountState>(*team.account);
  EXPECT_EQ(state->CachedTeamIndex(), nullptr) << "a copied state must not carry the cache";
  Assignment later;
  later.id = 10'000;
  later.account_id = "acc";
  later.subject = Subject{"late", SubjectType::kUser};
  later.role_id = "website-manager";
  later.not_before = 50'000;
  state->ApplyAssignmentAdded(later);
  renamed.assignments.push_back(later);
  TeamSearchRequest by_id;
  by_id.limit = 1000;
  const auto before = SearchTeam(*next, *state, by_id, 49'999);
  const auto after = SearchTeam(*next, *state, by_id, 50'000);
  EXPECT_EQ(after.total, before.total + 1);
  ExpectSameResult(after, *state, testing::ReferenceSearchTeam(renamed, by_id, 50'000));
}

// The index a write's copy derives from its original's (TeamIndex::Derive) must be the one
// Build makes: the same rows, orders and text. Checked after random sequences of writes
// (assignments added and removed, for known and new subjects; invites added and replaced;
// sites added), and every search on the derived index against the reference.
void ExpectSameIndex(const TeamIndex& got, const TeamIndex& want) {
  ASSERT_EQ(got.rows().size(), want.rows().size());
  auto names = [](const TeamIndex& index, const TeamIndex::Row& row) {
    std::vector<std::string> out;
    for (const auto r : row.roles) out.push_back(index.role_names()[r]);
    std::sort(out.begin(), out.end());
    return out;
  };
  for (std::size_t i = 0; i < got.rows().size(); ++i) {
    const auto& a = *got.rows()[i];
    const auto& b = *want.rows()[i];
    SCOPED_TRACE("row " + std::to_string(i) + " " + b.id);
    EXPECT_EQ(a.is_invite, b.is_invite);
    EXPECT_EQ(a.listed, b.listed);
    EXPECT_EQ(a.index, b.index);
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.email_lower, b.email_lower);
    EXPECT_EQ(a.name_key, b.name_key);
    EXPECT_EQ(a.joined, b.joined);
    EXPECT_EQ(a.status, b.status);
    EXPECT_EQ(a.account_wide, b.account_wide);
    EXPECT_EQ(names(got, a), names(want, b));
    EXPECT_EQ(a.scopes, b.scopes);
  }
  EXPECT_EQ(got.by_name(), want.by_name());
  EXPECT_EQ(got.by_joined(), want.by_joined());
  for (const char* q : {"ann", "smith", "n s", "@ex", "guest1", "zzz", "new"}) {
    std::vector<char> got_hits(got.rows().size(), 0), want_hits(want.rows().size(), 0);
    got.MarkTextMatches(q, got_hits);
    want.MarkTextMatches(q, want_hits);
    EXPECT_EQ(got_hits, want_hits) << q;
  }
}

TEST(TeamIndexTest, DerivedAfterWritesEqualsBuiltAndAgreesWithTheReference) {
  constexpr Timestamp kInstants[] = {0, 999, 1'000, 2'500, 5'000};
  int derived = 0;
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    std::mt19937_64 rng(seed);
    auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
    Team team = RandomTeam(rng);
    const Timestamp now = kInstants[pick(std::size(kInstants))];
    std::shared_ptr<const AccountState> state = team.account;
    (void)TeamIndex::ForAccount(*state, team.snapshot->users(), now);  // the base
    std::uint64_t next_id = 100'000;
    for (int step = 0, steps = 1 + static_cast<int>(pick(4)); step < steps; ++step) {
      SCOPED_TRACE("seed " + std::to_string(seed) + " step " + std::to_string(step) + " now " + std::to_string(now));
      auto next = std::make_shared<AccountState>(*state);
      for (int change = 0, n = 1 + static_cast<int>(pick(3)); change < n; ++change) {
        const std::size_t what = pick(5);
        if (what == 0 && !team.plain.assignments.empty()) {
          const std::size_t k = pick(team.plain.assignments.size());
          next->ApplyAssignmentRemoved(team.plain.assignments[k].id);
          team.plain.assignments.erase(team.plain.assignments.begin() + static_cast<std::ptrdiff_t>(k));
        } else if (what <= 2) {
          Assignment as;
          as.id = next_id++;
          as.account_id = "acc";
          as.subject = Subject{pick(3) == 0 ? "new" + std::to_string(as.id) : "u" + std::to_string(pick(45)),
                               pick(10) == 0 ? SubjectType::kAccount : SubjectType::kUser};
          as.role_id = kRoles[pick(std::size(kRoles))];
          if (pick(2) == 0) {
            as.restriction.kind = Restriction::Kind::kSite;
            as.restriction.asset_ids = {"s0"};
          }
          as.created_at = static_cast<Timestamp>(pick(5)) * 100;
          if (pick(5) == 0) as.not_before = static_cast<Timestamp>(pick(4)) * 1'000;
          if (pick(5) == 0) as.expires_at = static_cast<Timestamp>(1 + pick(4)) * 1'000;
          next->ApplyAssignmentAdded(as);
          team.plain.assignments.push_back(as);
        } else if (what == 3) {
          Invite inv;
          inv.id = "inv" + std::to_string(pick(14));  // may replace one
          inv.account_id = "acc";
          inv.email = "new" + std::to_string(pick(4)) + "@ex.test";
          inv.status = static_cast<InviteStatus>(pick(5));
          inv.created_at = static_cast<Timestamp>(pick(5)) * 100;
          inv.expires_at = static_cast<Timestamp>(1 + pick(4)) * 1'000;
          inv.assignments.push_back({kRoles[pick(std::size(kRoles))], Restriction{}});
          next->ApplyInvitePut(inv);
          auto it = std::find_if(team.plain.invites.begin(), team.plain.invites.end(),
                                 [&](const Invite& i) { return i.id == inv.id; });
          if (it != team.plain.invites.end()) {
            *it = inv;
          } else {
            team.plain.invites.push_back(inv);
          }
        } else {
          const std::string id = "added" + std::to_string(next_id++);
          next->ApplyAssetPut(Asset{"acc", id, "site", "S", ""});
          team.plain.parent_of[id] = "";
        }
      }
      ASSERT_TRUE(next->team_index_lineage().base() != nullptr);
      ASSERT_FALSE(next->team_index_lineage().rebuild());
      const auto got = TeamIndex::ForAccount(*next, team.snapshot->users(), now);
      ExpectSameIndex(*got, *TeamIndex::Build(*next, team.snapshot->users(), now));
      ++derived;
      for (int q = 0; q < 3; ++q) {
        const TeamSearchRequest request = RandomRequest(rng, team);
        ExpectSameResult(SearchTeam(*team.snapshot, *next, request, now), *next,
                         testing::ReferenceSearchTeam(team.plain, request, now));
      }
      if (::testing::Test::HasFailure()) return;
      state = next;
    }
  }
  EXPECT_GT(derived, 600);
}

// Changes the derivation cannot follow make the next index a full build.
TEST(TeamIndexTest, ADeletedOrRevivedAssetOrManyChangesMeanARebuild) {
  std::mt19937_64 rng(3);
  const Team team = RandomTeam(rng);
  (void)TeamIndex::ForAccount(*team.account, team.snapshot->users(), 0);
  AccountState deleted(*team.account);
  EXPECT_FALSE(deleted.team_index_lineage().rebuild());
  deleted.ApplyAssetDeleted("s0");
  EXPECT_TRUE(deleted.team_index_lineage().rebuild());
  AccountState revived(*team.account);
  revived.ApplyAssetPut(Asset{"acc", "gone", "site", "S", ""});  // "gone" was deleted
  EXPECT_TRUE(revived.team_index_lineage().rebuild());
  AccountState busy(*team.account);
  for (std::uint64_t i = 0; i <= TeamIndexSlot::kMaxTouched; ++i) {
    Assignment as;
    as.id = 500'000 + i;
    as.account_id = "acc";
    as.subject = Subject{"u0", SubjectType::kUser};
    as.role_id = "owner";
    busy.ApplyAssignmentAdded(as);
  }
  EXPECT_TRUE(busy.team_index_lineage().rebuild());
  EXPECT_TRUE(busy.team_index_lineage().touched().empty());

  // A long line of write, search, write, search: every derivation adds a row store; past
  // kMaxStores the next one gathers its rows into at most two stores. On this small team
  // most members get touched, so gatherings of every row (one store) happen too.
  std::shared_ptr<const AccountState> state = team.account;
  std::size_t most = 0;
  std::set<std::size_t> after_gathering;
  std::size_t previous = 0;
  for (std::uint64_t i = 0; i < 2 * TeamIndex::kMaxStores; ++i) {
    auto next = std::make_shared<AccountState>(*state);
    Assignment as;
    as.id = 700'000 + i;
    as.account_id = "acc";
    as.subject = Subject{"u" + std::to_string(i % 5), SubjectType::kUser};
    as.role_id = "website-manager";
    next->ApplyAssignmentAdded(as);
    const auto index = TeamIndex::ForAccount(*next, team.snapshot->users(), 0);
    most = std::max(most, index->store_count());
    if (index->store_count() < previous) after_gathering.insert(index->store_count());
    previous = index->store_count();
    ExpectSameIndex(*index, *TeamIndex::Build(*next, team.snapshot->users(), 0));
    state = next;
  }
  EXPECT_EQ(most, TeamIndex::kMaxStores);
  EXPECT_FALSE(after_gathering.empty());
  for (const std::size_t n : after_gathering) EXPECT_LE(n, 2U);
  EXPECT_LT(TeamIndex::ForAccount(*state, team.snapshot->users(), 0)->store_count(), TeamIndex::kMaxStores);
}

}  // namespace
}  // namespace gatehouse
