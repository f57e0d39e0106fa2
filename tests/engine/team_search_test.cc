// Search Team through its index (engine/team_search.cc + team_index.cc) against a
// reference written from the contract over plain data (reference_team_search.h, sharing
// no engine code) on thousands of random teams, filters, queries, orders, pages and
// instants; plus the index cache's invalidation rules.
#include <gtest/gtest.h>

#include <random>

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

}  // namespace
}  // namespace gatehouse
