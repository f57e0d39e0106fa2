#include <gtest/gtest.h>

#include <functional>
#include <thread>

#include "codec/json_change_codec.h"
#include "engine/decider.h"
#include "support/fault_injecting_change_log.h"
#include "support/memory_change_log.h"
#include "support/test_policies.h"
#include "team/account_service.h"
#include "team/committer.h"

namespace gatehouse {
namespace {

class TeamTest : public ::testing::Test {
 protected:
  TeamTest()
      : faulty_(&log_),
        holder_(std::make_shared<Snapshot>(testing::Compile(testing::BasicSource()), 0)),
        committer_(&faulty_, &codec_, &holder_),
        accounts_(&committer_, &clock_) {}

  bool OwnerMay(const std::string& account, const std::string& owner, const char* perm) {
    return Check(*holder_.Load(), CheckQuery{account, SubjectType::kUser, owner, perm, account}, clock_.Now());
  }

  testing::MemoryChangeLog log_;
  testing::FaultInjectingChangeLog faulty_;
  JsonChangeCodec codec_;
  ManualClock clock_{1'800'000'000'000};
  SnapshotHolder holder_;
  Committer committer_;
  AccountService accounts_;
};

TEST_F(TeamTest, CreateAccountGivesOwnerTheOwnerRole) {
  auto account = accounts_.Create({"acme", "Acme", "olga"}, "system");
  ASSERT_TRUE(account.ok()) << account.status().ToString();
  EXPECT_EQ(account->created_at, clock_.Now());
  EXPECT_TRUE(OwnerMay("acme", "olga", "team.delete-member"));
  EXPECT_EQ(holder_.Load()->revision(), 1U);
  EXPECT_EQ(*log_.Head(), 1U);
}

TEST_F(TeamTest, CreateAccountValidatesAndRefusesDuplicates) {
  EXPECT_EQ(accounts_.Create({"", "", "olga"}, "system").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(accounts_.Create({"a b", "X", "olga"}, "system").status().code(), StatusCode::kInvalidArgument);
  auto no_owner = accounts_.Create({"x", "X", ""}, "system");
  ASSERT_FALSE(no_owner.ok());
  EXPECT_EQ(no_owner.status().violations().at(0).field, "ownerUserId");
  ASSERT_TRUE(accounts_.Create({"acme", "Acme", "olga"}, "system").ok());
  EXPECT_EQ(accounts_.Create({"acme", "Other", "bob"}, "system").status().code(), StatusCode::kAlreadyExists);
  EXPECT_FALSE(OwnerMay("acme", "bob", "team.view"));
}

TEST_F(TeamTest, GeneratedAccountIdIsAGuid) {
  auto account = accounts_.Create({"", "Acme", "olga"}, "system");
  ASSERT_TRUE(account.ok());
  EXPECT_EQ(account->id.size(), 36U);
}

TEST_F(TeamTest, FailedAppendChangesNothing) {
  faulty_.FailAppends(true);
  auto account = accounts_.Create({"acme", "Acme", "olga"}, "system");
  ASSERT_FALSE(account.ok());
  EXPECT_EQ(account.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(holder_.Load()->revision(), 0U);
  EXPECT_EQ(holder_.Load()->FindAccount("acme"), nullptr);
  EXPECT_EQ(*log_.Head(), 0U);
  faulty_.FailAppends(false);
  EXPECT_TRUE(accounts_.Create({"acme", "Acme", "olga"}, "system").ok());
}

TEST_F(TeamTest, ReloadFromLogRebuildsTheSameState) {
  ASSERT_TRUE(accounts_.Create({"a1", "A1", "olga"}, "system").ok());
  ASSERT_TRUE(accounts_.Create({"a2", "A2", "bob"}, "system").ok());
  SnapshotHolder fresh(std::make_shared<Snapshot>(holder_.Load()->policies(), 0));
  Committer other(&log_, &codec_, &fresh);
  auto head = other.LoadAll();
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(*head, 2U);
  EXPECT_EQ(fresh.Load()->AccountCount(), 2U);
  EXPECT_EQ(fresh.Load()->max_assignment_id(), 2U);
  EXPECT_TRUE(Check(*fresh.Load(), CheckQuery{"a2", SubjectType::kUser, "bob", "site.edit", "a2"}, 0));
}

// Start-up replay decodes on one thread and applies on another, in batches: a log longer
// than many batches rebuilds exactly; a corrupt or inapplicable record anywhere stops the
// replay with its error and publishes nothing.
TEST_F(TeamTest, ReloadAcrossManyBatchesRebuildsTheSameState) {
  for (int i = 0; i < 1500; ++i) {
    ASSERT_TRUE(accounts_.Create({"a" + std::to_string(i), "A", "owner" + std::to_string(i)}, "system").ok());
  }
  SnapshotHolder fresh(std::make_shared<Snapshot>(holder_.Load()->policies(), 0));
  Committer other(&log_, &codec_, &fresh);
  auto head = other.LoadAll();
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(*head, 1500U);
  EXPECT_EQ(fresh.Load()->revision(), 1500U);
  EXPECT_EQ(fresh.Load()->AccountCount(), 1500U);
  EXPECT_EQ(fresh.Load()->max_assignment_id(), 1500U);
  EXPECT_TRUE(Check(*fresh.Load(), CheckQuery{"a1499", SubjectType::kUser, "owner1499", "site.edit", "a1499"}, 0));
  EXPECT_FALSE(Check(*fresh.Load(), CheckQuery{"a1499", SubjectType::kUser, "owner1498", "site.edit", "a1499"}, 0));
}

TEST_F(TeamTest, ReloadStopsAtACorruptOrInapplicableRecordAndPublishesNothing) {
  for (int i = 0; i < 1200; ++i) {
    ASSERT_TRUE(accounts_.Create({"a" + std::to_string(i), "A", "olga"}, "system").ok());
  }
  testing::MemoryChangeLog corrupt, inapplicable;
  for (testing::MemoryChangeLog* copy : {&corrupt, &inapplicable}) {
    ASSERT_TRUE(log_.ReadSince(0, 0,
                               [&](const ChangeRecord& r) {
                                 auto appended = copy->Append({r}, r.revision - 1);
                                 return appended.ok() ? Status::Ok() : appended.status();
                               })
                    .ok());
  }
  ChangeRecord garbage;
  garbage.type = "assignments.updated";
  garbage.payload = "{not json";
  ASSERT_TRUE(corrupt.Append({garbage}, 1200).ok());
  ChangeSet ghost;
  ghost.type = "assignments.updated";
  ghost.account_id = "ghost";
  Assignment a;
  a.id = 5000;
  a.account_id = "ghost";
  a.subject = Subject{"bob", SubjectType::kUser};
  a.role_id = "owner";
  ghost.changes.push_back(AssignmentAdded{a});
  ASSERT_TRUE(inapplicable.Append({codec_.ToRecord(ghost)}, 1200).ok());
  ASSERT_TRUE(inapplicable.Append({codec_.ToRecord(ghost)}, 1201).ok());
  // The replay decodes batches on either thread: a corrupt first record fails as well.
  testing::MemoryChangeLog corrupt_first;
  ASSERT_TRUE(corrupt_first.Append({garbage}, 0).ok());
  ASSERT_TRUE(log_.ReadSince(0, 0,
                             [&](const ChangeRecord& r) {
                               auto appended = corrupt_first.Append({r}, r.revision);
                               return appended.ok() ? Status::Ok() : appended.status();
                             })
                  .ok());
  for (testing::MemoryChangeLog* log : {&corrupt, &inapplicable, &corrupt_first}) {
    SnapshotHolder fresh(std::make_shared<Snapshot>(holder_.Load()->policies(), 0));
    Committer other(log, &codec_, &fresh);
    auto head = other.LoadAll();
    ASSERT_FALSE(head.ok());
    EXPECT_EQ(head.status().code(), StatusCode::kInternal) << head.status().ToString();
    EXPECT_EQ(fresh.Load()->revision(), 0U);
    EXPECT_EQ(fresh.Load()->AccountCount(), 0U);
  }
}

TEST_F(TeamTest, ConflictingWriterCatchesUpAndRetries) {
  // A second committer over the same log plays "another node".
  SnapshotHolder other_holder(std::make_shared<Snapshot>(holder_.Load()->policies(), 0));
  Committer other(&log_, &codec_, &other_holder);
  AccountService other_accounts(&other, &clock_);
  ASSERT_TRUE(other_accounts.Create({"a1", "A1", "olga"}, "system").ok());
  // Ours has not seen revision 1: its append conflicts, it catches up, validates again.
  auto again = accounts_.Create({"a1", "Dup", "bob"}, "system");
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  ASSERT_TRUE(accounts_.Create({"a2", "A2", "bob"}, "system").ok());
  EXPECT_EQ(*log_.Head(), 2U);
  EXPECT_EQ(holder_.Load()->max_assignment_id(), 2U);  // ids stay unique across writers
}

// Several nodes writing at once (cluster_test under ASan): another node appended before
// every one of a write's first 12 attempts, the committer gave up after 8 and the client
// got a conflict for a write nothing was wrong with. It keeps trying, backing off.
TEST_F(TeamTest, AWriteOutlastsAnotherNodeThatKeepsWinningTheRace) {
  SnapshotHolder other_holder(std::make_shared<Snapshot>(holder_.Load()->policies(), 0));
  Committer other(&log_, &codec_, &other_holder);
  AccountService other_accounts(&other, &clock_);
  // A log through which "the other node" appends just before each of our appends.
  class RacedLog final : public ChangeLog {
   public:
    RacedLog(ChangeLog* inner, std::function<void()> race) : inner_(inner), race_(std::move(race)) {}
    Result<std::uint64_t> Load(const RecordSink& sink) override { return inner_->Load(sink); }
    Result<std::uint64_t> Append(const std::vector<ChangeRecord>& records, std::uint64_t expected) override {
      if (races_left_ > 0) {
        --races_left_;
        race_();
      }
      return inner_->Append(records, expected);
    }
    Result<std::size_t> ReadSince(std::uint64_t since, std::size_t limit, const RecordSink& sink) override {
      return inner_->ReadSince(since, limit, sink);
    }
    Result<std::uint64_t> Head() override { return inner_->Head(); }
    Result<std::optional<std::string>> GetCursor(const std::string& name) override { return inner_->GetCursor(name); }
    Status PutCursor(const std::string& name, const std::string& value) override {
      return inner_->PutCursor(name, value);
    }
    int races_left_ = 12;

   private:
    ChangeLog* inner_;
    std::function<void()> race_;
  };
  int raced = 0;
  RacedLog raced_log(&log_, [&] {
    ASSERT_TRUE(other_accounts.Create({"other-" + std::to_string(raced++), "O", "olga"}, "system").ok());
  });
  SnapshotHolder ours(std::make_shared<Snapshot>(holder_.Load()->policies(), 0));
  Committer committer(&raced_log, &codec_, &ours);
  AccountService accounts(&committer, &clock_);
  auto created = accounts.Create({"mine", "Mine", "bob"}, "system");
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(raced, 12);
  EXPECT_EQ(ours.Load()->revision(), 13U);
  EXPECT_EQ(ours.Load()->AccountCount(), 13U);
}

TEST_F(TeamTest, ConcurrentWritesAreSerialized) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < 25; ++i) {
        const std::string id = "acct-" + std::to_string(t) + "-" + std::to_string(i);
        ASSERT_TRUE(accounts_.Create({id, id, "owner-" + id}, "system").ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(holder_.Load()->AccountCount(), 100U);
  EXPECT_EQ(holder_.Load()->max_assignment_id(), 100U);
  EXPECT_EQ(*log_.Head(), 100U);
}

TEST_F(TeamTest, ReplacePoliciesRefusesToDropAssignedRoles) {
  ASSERT_TRUE(accounts_.Create({"acme", "Acme", "olga"}, "system").ok());
  // A set without the unassigned "editor" role replaces the current one freely.
  PolicySource keep = testing::BasicSource();
  keep.roles.erase(keep.roles.begin() + 1);
  keep.roles[1].inherits.clear();  // manager inherited editor
  auto without_editor = testing::Compile(keep);
  ASSERT_TRUE(without_editor);
  EXPECT_TRUE(committer_.ReplacePolicies(without_editor, false).ok());
  ASSERT_TRUE(committer_.ReplacePolicies(testing::Compile(testing::BasicSource()), false).ok());
  // Once "editor" is assigned, dropping it is refused unless forced.
  ASSERT_TRUE(committer_
                  .Commit([&](const Snapshot& snap) -> Result<ChangeSet> {
                    Assignment a;
                    a.id = snap.max_assignment_id() + 1;
                    a.account_id = "acme";
                    a.subject = Subject{"ed", SubjectType::kUser};
                    a.role_id = "editor";
                    ChangeSet set;
                    set.type = "test";
                    set.account_id = "acme";
                    set.changes.push_back(AssignmentAdded{a});
                    return set;
                  })
                  .ok());
  auto refused = committer_.ReplacePolicies(without_editor, false);
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.message().find("1 assignment(s) of role \"editor\""), std::string::npos) << refused.message();
  EXPECT_TRUE(Check(*holder_.Load(), CheckQuery{"acme", SubjectType::kUser, "ed", "site.edit", "acme"}, 0));
  EXPECT_TRUE(committer_.ReplacePolicies(without_editor, true).ok());
  EXPECT_FALSE(Check(*holder_.Load(), CheckQuery{"acme", SubjectType::kUser, "ed", "site.edit", "acme"}, 0));
}

// A role made over the API that inherits a file role: dropping the file role would leave
// the API role uncompilable and its holders silently without permissions — refused.
TEST_F(TeamTest, ReplacePoliciesRefusesToBreakAssignedApiRoles) {
  ASSERT_TRUE(accounts_.Create({"acme", "Acme", "olga"}, "system").ok());
  auto commit = [&](Change change) {
    return committer_.Commit([&](const Snapshot&) -> Result<ChangeSet> {
      ChangeSet set;
      set.type = "test";
      set.account_id = "acme";
      set.changes.push_back(change);
      return set;
    });
  };
  RoleDefinition helper;
  helper.id = "helper";
  helper.account_id = "acme";
  helper.title = {{"en", "Helper"}};
  helper.inherits = {"editor"};
  ASSERT_TRUE(commit(RolePut{helper}).ok());
  PolicySource keep = testing::BasicSource();
  keep.roles.erase(keep.roles.begin() + 1);  // no "editor"
  keep.roles[1].inherits.clear();
  auto without_editor = testing::Compile(keep);
  ASSERT_TRUE(without_editor);
  // Unassigned, the API role may stop compiling.
  EXPECT_TRUE(committer_.ReplacePolicies(without_editor, false).ok());
  ASSERT_TRUE(committer_.ReplacePolicies(testing::Compile(testing::BasicSource()), false).ok());
  Assignment a;
  a.id = holder_.Load()->max_assignment_id() + 1;
  a.account_id = "acme";
  a.subject = Subject{"hal", SubjectType::kUser};
  a.role_id = "helper";
  ASSERT_TRUE(commit(AssignmentAdded{a}).ok());
  EXPECT_TRUE(Check(*holder_.Load(), CheckQuery{"acme", SubjectType::kUser, "hal", "site.edit", "acme"}, 0));
  auto refused = committer_.ReplacePolicies(without_editor, false);
  ASSERT_EQ(refused.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.message().find("1 assignment(s) of role \"helper\" (made over the API"), std::string::npos)
      << refused.message();
  EXPECT_NE(refused.message().find("editor"), std::string::npos) << refused.message();
  EXPECT_TRUE(Check(*holder_.Load(), CheckQuery{"acme", SubjectType::kUser, "hal", "site.edit", "acme"}, 0));
}

TEST(CodecTest, RoundTripsEveryChangeKind) {
  JsonChangeCodec codec;
  ChangeSet set;
  set.type = "t";
  set.account_id = "acme";
  set.actor = "system";
  set.at = 5;
  set.changes.push_back(AccountCreated{Account{"acme", "Acme", "olga", 5}});
  set.changes.push_back(UserPut{User{"u1", "u@example.com", "U", "One", ""}});
  set.changes.push_back(AssetPut{Asset{"acme", "s1", "site", "Site", "f1"}});
  set.changes.push_back(AssetDeleted{"acme", "s1"});
  Assignment a;
  a.id = 9;
  a.account_id = "acme";
  a.subject = Subject{"app", SubjectType::kWixApp};
  a.role_id = "editor";
  a.restriction = Restriction{Restriction::Kind::kFolders, {"f1", "f2"}};
  a.not_before = 1;
  a.expires_at = 2;
  a.created_at = 3;
  set.changes.push_back(AssignmentAdded{a});
  set.changes.push_back(AssignmentRemoved{"acme", 9});
  ChangeRecord record = codec.ToRecord(set);
  record.revision = 4;
  auto back = codec.Decode(record);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(codec.EncodeChanges(*back), record.payload);
  const auto& added = std::get<AssignmentAdded>(back->changes[4]).assignment;
  EXPECT_TRUE(added.SameGrantAs(a));
  EXPECT_EQ(added.created_at, 3);
}

TEST(CodecTest, CorruptPayloadIsAnInternalErrorNamingTheRevision) {
  JsonChangeCodec codec;
  ChangeRecord record;
  record.revision = 17;
  record.payload = "{\"changes\":[{\"op\":\"teleport\"}]}";
  auto back = codec.Decode(record);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.status().code(), StatusCode::kInternal);
  EXPECT_NE(back.status().message().find("17"), std::string::npos);
  record.payload = "not json";
  EXPECT_FALSE(codec.Decode(record).ok());
}

}  // namespace
}  // namespace gatehouse
