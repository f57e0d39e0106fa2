// The state image (engine/state_image.h): random states written and read back must hold
// the same data — judged field by field through the public accessors and by every
// decision over the accounts' subjects, assets and permissions, not by re-encoding — and
// damaged images must be refused, never half loaded.
#include "engine/state_image.h"

#include <gtest/gtest.h>

#include <random>

#include "engine/decider.h"
#include "support/test_policies.h"

namespace gatehouse {
namespace {

constexpr Timestamp kNow = 1'800'000'000'000;

struct World {
  std::shared_ptr<Snapshot> snapshot;
};

// A random state built through the same Apply* calls the committer makes: assets created,
// moved, deleted and brought back; assignments of every restriction kind and time window,
// some removed; invites, keys, API roles; several actors and revisions.
std::shared_ptr<const Snapshot> RandomSnapshot(std::uint64_t seed, std::shared_ptr<const PolicySet> policies) {
  std::mt19937_64 rng(seed);
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  auto chance = [&](int percent) { return static_cast<int>(rng() % 100) < percent; };
  auto snapshot = std::make_shared<Snapshot>(policies, 100 + seed);
  const char* roles[] = {"owner", "editor", "manager", "remover", "api-role"};
  const char* actors[] = {"system", "key:k1", "key:k2", "user:u9"};
  std::uint64_t next_id = 1;
  std::vector<std::pair<std::string, std::optional<User>>> users;
  for (std::size_t u = 0; u < 3 + pick(20); ++u) {
    users.emplace_back("u" + std::to_string(u),
                       User{"u" + std::to_string(u), "u" + std::to_string(u) + "@x.io", chance(50) ? "Ann" : "",
                            "L\xC3\xA9" + std::to_string(u), chance(30) ? "https://img/" + std::to_string(u) : ""});
  }
  snapshot->mutable_users().Apply(users);
  std::vector<std::shared_ptr<const AccountState>> states;
  std::vector<std::pair<std::string, std::optional<ApiKeyRef>>> keys;
  std::vector<std::pair<std::string, std::optional<std::string>>> tokens;
  for (std::size_t a = 0; a < 1 + pick(6); ++a) {
    const std::string account = "acc" + std::to_string(a) + "-" + std::to_string(seed);
    auto state = std::make_shared<AccountState>(
        Account{account, "Account " + std::to_string(a), "u0", static_cast<Timestamp>(seed * 1000 + a)});
    std::vector<std::string> folders, sites;
    for (std::size_t i = 0; i < 1 + pick(12); ++i) {
      const bool folder = chance(40);
      const std::string id = (folder ? "f" : "s") + std::to_string(i);
      std::string parent;
      if (!folders.empty() && chance(60)) parent = folders[pick(folders.size())];
      state->ApplyAssetPut(Asset{account, id, folder ? "folder" : "site", "Asset " + id, parent});
      (folder ? folders : sites).push_back(id);
    }
    if (!folders.empty() && folders.size() > 1 && chance(50)) {  // move a folder under another
      state->ApplyAssetPut(Asset{account, folders.back(), "folder", "moved", folders.front()});
    }
    for (std::size_t i = 0; i < 2 + pick(25); ++i) {
      Assignment as;
      as.id = next_id++;
      as.account_id = account;
      as.subject = Subject{"u" + std::to_string(pick(users.size())),
                           chance(85) ? SubjectType::kUser : SubjectType::kExternalApp};
      as.role_id = roles[pick(5)];
      const int kind = static_cast<int>(pick(3));
      if (kind == 1 && !sites.empty()) {
        as.restriction = Restriction{Restriction::Kind::kSite, {sites[pick(sites.size())]}};
      } else if (kind == 2 && !folders.empty()) {
        as.restriction = Restriction{Restriction::Kind::kFolders, {folders[pick(folders.size())]}};
        if (folders.size() > 1 && chance(50)) as.restriction.asset_ids.push_back(folders[pick(folders.size())]);
      }
      if (chance(20)) as.not_before = kNow - 1000 + static_cast<Timestamp>(pick(3000));
      if (chance(20)) as.expires_at = kNow - 500 + static_cast<Timestamp>(pick(3000));
      as.created_at = kNow - static_cast<Timestamp>(pick(100000));
      state->ApplyAssignmentAdded(as, chance(90) ? 1 + pick(99) : 0, chance(90) ? actors[pick(4)] : "");
    }
    for (std::size_t i = 0; i < pick(4); ++i) state->ApplyAssignmentRemoved(1 + pick(next_id));
    if (!sites.empty() && chance(60)) {  // a deleted site, perhaps brought back later
      const std::string victim = sites[pick(sites.size())];
      state->ApplyAssetDeleted(victim);
      if (chance(40)) state->ApplyAssetPut(Asset{account, victim, "site", "back", ""});
    }
    for (std::size_t i = 0; i < pick(4); ++i) {
      Invite inv;
      inv.id = "inv" + std::to_string(i);
      inv.account_id = account;
      inv.email = "p" + std::to_string(i) + "@y.io";
      inv.status = static_cast<InviteStatus>(pick(kInviteStatusCount));
      inv.token_hash = "th-" + account + "-" + std::to_string(i);
      inv.assignments.push_back(InviteAssignment{"editor", Restriction{}});
      if (!sites.empty())
        inv.assignments.push_back(InviteAssignment{"manager", {Restriction::Kind::kSite, {sites[0]}}});
      inv.inviter = actors[pick(4)];
      inv.inviter_id = chance(50) ? "u1" : "";
      inv.accepted_by = chance(30) ? "u2" : "";
      inv.created_at = kNow - 10;
      inv.updated_at = kNow - 5;
      inv.expires_at = kNow + static_cast<Timestamp>(pick(1000)) - 500;
      tokens.emplace_back(inv.token_hash, account);
      state->ApplyInvitePut(inv);
    }
    for (std::size_t i = 0; i < pick(3); ++i) {
      ApiKey key{"k" + std::to_string(i),
                 account,
                 Subject{"app" + std::to_string(i), SubjectType::kExternalApp},
                 "a key",
                 "kh-" + account + "-" + std::to_string(i),
                 kNow - 7};
      keys.emplace_back(key.key_hash, ApiKeyRef{account, key.id, key.subject});
      state->ApplyApiKeyCreated(key);
    }
    if (chance(50)) {
      RoleDefinition role;
      role.id = "api-role";
      role.account_id = account;
      role.title["en"] = "API role";
      role.description["de"] = "Rolle";
      role.editor_types = {"WIX"};
      role.inherits = {"editor"};
      role.statements = {RoleStatement{true, {"site.view", "team.view"}}, RoleStatement{false, {"site.delete"}}};
      state->ApplyRolePut(role);
    }
    states.push_back(std::move(state));
  }
  snapshot->PutAccounts(std::move(states));
  snapshot->mutable_api_keys().Apply(keys);
  snapshot->mutable_invite_tokens().Apply(tokens);
  snapshot->set_max_assignment_id(next_id + 7);  // the highest id issued was removed since
  return snapshot;
}

void ExpectSameGrant(const AccountState& a, const AccountState::Grant& x, const AccountState& b,
                     const AccountState::Grant& y) {
  EXPECT_EQ(x.id, y.id);
  EXPECT_EQ(x.not_before, y.not_before);
  EXPECT_EQ(x.expires_at, y.expires_at);
  EXPECT_EQ(x.created_at, y.created_at);
  EXPECT_EQ(x.granted_revision, y.granted_revision);
  EXPECT_EQ(a.ActorOf(x), b.ActorOf(y));
  EXPECT_EQ(a.RoleOfSlot(x.role_slot), b.RoleOfSlot(y.role_slot));
  EXPECT_EQ(x.kind, y.kind);
  EXPECT_EQ(a.ScopesOf(x), b.ScopesOf(y));
}

void ExpectSameInvite(const Invite& x, const Invite& y) {
  EXPECT_EQ(x.id, y.id);
  EXPECT_EQ(x.account_id, y.account_id);
  EXPECT_EQ(x.email, y.email);
  EXPECT_EQ(x.status, y.status);
  EXPECT_EQ(x.token_hash, y.token_hash);
  EXPECT_EQ(x.assignments, y.assignments);
  EXPECT_EQ(x.inviter, y.inviter);
  EXPECT_EQ(x.inviter_id, y.inviter_id);
  EXPECT_EQ(x.accepted_by, y.accepted_by);
  EXPECT_EQ(x.created_at, y.created_at);
  EXPECT_EQ(x.updated_at, y.updated_at);
  EXPECT_EQ(x.expires_at, y.expires_at);
}

void ExpectSameAccount(const AccountView& original, const AccountView& restored, const Snapshot& a_snap,
                       const Snapshot& b_snap) {
  const auto a_state = original.State();
  const auto b_state = restored.State();
  const AccountState& a = *a_state;
  const AccountState& b = *b_state;
  SCOPED_TRACE("account " + a.account().id);
  EXPECT_EQ(a.account().name, b.account().name);
  EXPECT_EQ(a.account().owner_user_id, b.account().owner_user_id);
  EXPECT_EQ(a.account().created_at, b.account().created_at);
  ASSERT_EQ(a.NodeCount(), b.NodeCount());
  for (std::uint32_t n = 0; n < a.NodeCount(); ++n) {
    const auto& x = a.Node(n);
    const auto& y = b.Node(n);
    EXPECT_EQ(x.id, y.id);
    EXPECT_EQ(x.live, y.live);
    EXPECT_EQ(x.parent, y.parent);
    EXPECT_EQ(x.depth, y.depth);
    EXPECT_EQ(x.type, y.type);
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.children, y.children);
    EXPECT_EQ(a.FindAsset(x.id), b.FindAsset(x.id)) << x.id;  // deleted ones are not found on either side
  }
  ASSERT_EQ(a.subjects().size(), b.subjects().size());
  EXPECT_EQ(a.GrantCount(), b.GrantCount());
  for (std::size_t s = 0; s < a.subjects().size(); ++s) {
    const auto& x = a.subjects()[s];
    const auto& y = b.subjects()[s];
    EXPECT_EQ(x.id, y.id);
    EXPECT_EQ(x.type, y.type);
    EXPECT_EQ(b.FindSubject(x.type, x.id), &y);
    ASSERT_EQ(x.grants.size(), y.grants.size());
    for (std::size_t g = 0; g < x.grants.size(); ++g) ExpectSameGrant(a, x.grants[g], b, y.grants[g]);
  }
  ASSERT_EQ(a.invites().size(), b.invites().size());
  for (std::size_t i = 0; i < a.invites().size(); ++i) ExpectSameInvite(a.invites()[i], b.invites()[i]);
  ASSERT_EQ(a.api_keys().size(), b.api_keys().size());
  for (std::size_t i = 0; i < a.api_keys().size(); ++i) {
    const auto& x = a.api_keys()[i];
    const auto& y = b.api_keys()[i];
    EXPECT_EQ(x.id, y.id);
    EXPECT_EQ(x.account_id, y.account_id);
    EXPECT_EQ(x.subject, y.subject);
    EXPECT_EQ(x.description, y.description);
    EXPECT_EQ(x.key_hash, y.key_hash);
    EXPECT_EQ(x.created_at, y.created_at);
  }
  ASSERT_EQ(a.custom_roles().size(), b.custom_roles().size());
  for (std::size_t i = 0; i < a.custom_roles().size(); ++i) {
    const auto& x = a.custom_roles()[i];
    const auto& y = b.custom_roles()[i];
    EXPECT_EQ(x.id, y.id);
    EXPECT_EQ(x.account_id, y.account_id);
    EXPECT_EQ(x.title, y.title);
    EXPECT_EQ(x.description, y.description);
    EXPECT_EQ(x.restrict_from_level, y.restrict_from_level);
    EXPECT_EQ(x.editor_types, y.editor_types);
    EXPECT_EQ(x.inherits, y.inherits);
    EXPECT_EQ(x.statements, y.statements);
  }
  // Every decision the two states can be asked about, at three instants.
  const char* permissions[] = {"site.view",   "site.edit", "site.publish",
                               "site.delete", "team.view", "team.delete-member"};
  for (const auto& subject : a.subjects()) {
    for (std::uint32_t n = 0; n < a.NodeCount(); ++n) {
      for (const char* p : permissions) {
        for (Timestamp t : {kNow - 2000, kNow, kNow + 4000}) {
          CheckQuery q{a.account().id, subject.type, subject.id, p, a.Node(n).id};
          EXPECT_EQ(Decide(a_snap, q, t), Decide(b_snap, q, t)) << subject.id << " " << p << " " << a.Node(n).id;
        }
      }
    }
  }
}

void ExpectSameSnapshot(const Snapshot& a, const Snapshot& b) {
  EXPECT_EQ(a.revision(), b.revision());
  EXPECT_EQ(a.max_assignment_id(), b.max_assignment_id());
  ASSERT_EQ(a.AccountCount(), b.AccountCount());
  a.ForEachAccount([&](const AccountView& view) {
    const AccountView* other = b.FindAccount(view.account_id());
    ASSERT_NE(other, nullptr) << view.account_id();
    ExpectSameAccount(view, *other, a, b);
  });
  ASSERT_EQ(a.users().Size(), b.users().Size());
  a.users().ForEach([&](const std::string& id, const User& u) {
    const User* v = b.users().Find(id);
    ASSERT_NE(v, nullptr) << id;
    EXPECT_EQ(u.email, v->email);
    EXPECT_EQ(u.first_name, v->first_name);
    EXPECT_EQ(u.last_name, v->last_name);
    EXPECT_EQ(u.profile_image, v->profile_image);
  });
  ASSERT_EQ(a.api_keys().Size(), b.api_keys().Size());
  a.api_keys().ForEach([&](const std::string& hash, const ApiKeyRef& k) {
    const ApiKeyRef* v = b.api_keys().Find(hash);
    ASSERT_NE(v, nullptr) << hash;
    EXPECT_EQ(k.account_id, v->account_id);
    EXPECT_EQ(k.key_id, v->key_id);
    EXPECT_EQ(k.subject, v->subject);
  });
  ASSERT_EQ(a.invite_tokens().Size(), b.invite_tokens().Size());
  a.invite_tokens().ForEach([&](const std::string& hash, const std::string& account) {
    const std::string* v = b.invite_tokens().Find(hash);
    ASSERT_NE(v, nullptr) << hash;
    EXPECT_EQ(account, *v);
  });
}

std::vector<std::string> Encode(const Snapshot& snapshot, std::size_t chunk_bytes) {
  std::vector<std::string> chunks;
  Status st = EncodeStateImage(
      snapshot,
      [&](std::string chunk) {
        chunks.push_back(std::move(chunk));
        return Status::Ok();
      },
      chunk_bytes);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return chunks;
}

class StateImageTest : public ::testing::Test {
 protected:
  std::shared_ptr<const PolicySet> policies_ = testing::Compile(testing::BasicSource());
};

TEST_F(StateImageTest, RandomStatesComeBackWithTheSameDataAndDecisions) {
  for (std::uint64_t seed = 1; seed <= 60; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    auto original = RandomSnapshot(seed, policies_);
    for (std::size_t chunk_bytes : {std::size_t{64}, std::size_t{700}, kStateImageChunkBytes}) {
      auto chunks = Encode(*original, chunk_bytes);
      for (unsigned threads : {1u, 3u}) {
        auto restored = DecodeStateImage(chunks, policies_, threads);
        ASSERT_TRUE(restored.ok()) << restored.status().ToString();
        ExpectSameSnapshot(*original, **restored);
        if (::testing::Test::HasFailure()) return;
      }
    }
  }
}

TEST_F(StateImageTest, AnEmptyStateRoundTrips) {
  auto empty = std::make_shared<Snapshot>(policies_, 0);
  auto chunks = Encode(*empty, kStateImageChunkBytes);
  ASSERT_EQ(chunks.size(), 1u);  // the trailer alone
  auto restored = DecodeStateImage(chunks, policies_);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ((*restored)->AccountCount(), 0u);
  EXPECT_EQ((*restored)->revision(), 0u);
}

TEST_F(StateImageTest, OneAccountIsReadWithoutTheOthers) {
  auto original = RandomSnapshot(7, policies_);
  auto chunks = Encode(*original, 256);
  std::string wanted;
  original->ForEachAccount([&](const AccountView& v) { wanted = v.account_id(); });
  auto one = DecodeStateImageAccount(chunks, wanted, policies_);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ((*one)->AccountCount(), 1u);
  ASSERT_NE((*one)->FindAccount(wanted), nullptr);
  ExpectSameAccount(*original->FindAccount(wanted), *(*one)->FindAccount(wanted), *original, **one);
  EXPECT_EQ((*one)->users().Size(), original->users().Size());
  auto none = DecodeStateImageAccount(chunks, "no-such-account", policies_);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ((*none)->AccountCount(), 0u);
}

TEST_F(StateImageTest, DamagedImagesAreRefusedNamingTheChunk) {
  auto original = RandomSnapshot(3, policies_);
  const auto chunks = Encode(*original, 300);
  ASSERT_GT(chunks.size(), 3u);
  std::mt19937_64 rng(11);
  for (int trial = 0; trial < 300; ++trial) {
    auto damaged = chunks;
    const std::size_t c = rng() % damaged.size();
    const std::size_t at = rng() % damaged[c].size();
    damaged[c][at] = static_cast<char>(damaged[c][at] ^ (1 + rng() % 255));
    auto restored = DecodeStateImage(damaged, policies_);
    ASSERT_FALSE(restored.ok()) << "a flipped byte in chunk " << c << " at " << at << " went unnoticed";
    EXPECT_NE(restored.status().message().find("snapshot chunk " + std::to_string(c)), std::string::npos)
        << restored.status().message();
  }
  auto cut = chunks;
  cut[1].resize(cut[1].size() / 2);
  EXPECT_FALSE(DecodeStateImage(cut, policies_).ok());
  auto dropped = chunks;
  dropped.erase(dropped.begin() + 1);
  auto result = DecodeStateImage(dropped, policies_);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("chunks before it"), std::string::npos) << result.status().message();
  auto swapped = chunks;
  std::swap(swapped[0], swapped.back());
  EXPECT_FALSE(DecodeStateImage(swapped, policies_).ok());
  EXPECT_FALSE(DecodeStateImage({}, policies_).ok());
}

// Images whose checksums are right but whose contents are not a state: Restore refuses them.
TEST_F(StateImageTest, RestoreRefusesInconsistentImages) {
  auto base = [] {
    AccountState::Image image;
    image.account = Account{"acme", "Acme", "u0", 0};
    AccountState::AssetNode root;
    root.id = "acme";
    root.type = "account";
    root.parent = AccountState::kNoNode;
    AccountState::AssetNode site;
    site.id = "s1";
    site.type = "site";
    site.parent = 0;
    site.depth = 1;
    root.children = {1};
    image.nodes = {root, site};
    image.actors = {""};
    image.role_slots = {"editor"};
    AccountState::Grant g;
    g.id = 1;
    g.kind = Restriction::Kind::kSite;
    g.scope = 1;
    image.subjects.push_back(AccountState::SubjectEntry{"u1", SubjectType::kUser, {g}});
    return image;
  };
  ASSERT_TRUE(AccountState::Restore(base()).ok());
  auto expect_refused = [&](AccountState::Image image, const std::string& words) {
    auto r = AccountState::Restore(std::move(image));
    ASSERT_FALSE(r.ok()) << words;
    EXPECT_NE(r.status().message().find(words), std::string::npos) << r.status().message();
  };
  {
    auto i = base();
    i.nodes[1].parent = 9;
    expect_refused(i, "parent out of range");
  }
  {
    auto i = base();
    i.nodes[0].parent = 1;
    expect_refused(i, "node 0 is not the account itself");
  }
  {
    auto i = base();
    i.nodes.push_back(i.nodes[1]);  // two nodes pointing at each other
    i.nodes[1].parent = 2;
    i.nodes[2].parent = 1;
    expect_refused(i, "cycle");
  }
  {
    auto i = base();
    i.nodes[1].depth = 0;  // not deeper than its parent: IsWithin could not rely on depths
    expect_refused(i, "not below a live parent");
  }
  {
    auto i = base();
    i.subjects[0].grants[0].role_slot = 3;
    expect_refused(i, "role slot out of range");
  }
  {
    auto i = base();
    i.subjects[0].grants[0].scope = 5;
    expect_refused(i, "scope out of range");
  }
  {
    auto i = base();
    i.subjects[0].grants[0].granted_by = 2;
    expect_refused(i, "actor out of range");
  }
  {
    auto i = base();
    i.nodes.push_back(i.nodes[1]);  // the same asset id twice
    i.nodes[0].children.push_back(2);
    expect_refused(i, "two assets share an id");
  }
  {
    auto i = base();
    i.subjects.push_back(i.subjects[0]);
    expect_refused(i, "two subjects of one type share an id");
  }
}

}  // namespace
}  // namespace gatehouse
