// Snapshots and retention (team/compactor.h) over a log double that keeps snapshots as
// the storage contract says: start-up from a snapshot rebuilds the state a full replay
// built, snapshots come when due, retention forgets only what it may, and forgotten
// history is GONE in the change feed and the access review.
#include "team/compactor.h"

#include <gtest/gtest.h>

#include <random>

#include "codec/json_change_codec.h"
#include "support/memory_change_log.h"
#include "support/test_policies.h"
#include "team/account_service.h"
#include "team/assignment_service.h"
#include "team/change_feed.h"
#include "team/committer.h"
#include "team/review_history.h"
#include "team/state_export.h"

namespace gatehouse {
namespace {

constexpr Timestamp kHour = 3600 * 1000;

// Everything a state holds that the API can show: the export's lines, plus who granted
// each assignment and at which revision (not part of an export), and the id counter.
std::string Fingerprint(const std::shared_ptr<const Snapshot>& snapshot, const ChangeCodec& codec) {
  std::string out = "revision " + std::to_string(snapshot->revision()) + " max id " +
                    std::to_string(snapshot->max_assignment_id()) + "\n";
  StateExport exporter(snapshot);
  std::vector<Change> group;
  while (exporter.Next(&group)) {
    for (const auto& c : group) out += codec.EncodeChange(c) + "\n";
    group.clear();
  }
  std::vector<std::string> provenance;
  snapshot->ForEachAccount([&](const AccountView& view) {
    const auto state = view.State();
    for (const auto& s : state->subjects()) {
      for (const auto& g : s.grants) {
        provenance.push_back(std::to_string(g.id) + " @" + std::to_string(g.granted_revision) + " by " +
                             state->ActorOf(g));
      }
    }
  });
  std::sort(provenance.begin(), provenance.end());
  for (const auto& p : provenance) out += p + "\n";
  return out;
}

class CompactorTest : public ::testing::Test {
 protected:
  CompactorTest()
      : policies_(testing::Compile(testing::BasicSource())),
        holder_(std::make_shared<Snapshot>(policies_, 0)),
        committer_(&log_, &codec_, &holder_),
        accounts_(&committer_, &clock_),
        assignments_(&committer_, &clock_) {}

  Compactor MakeCompactor(std::uint64_t every, Timestamp retention, std::vector<std::string> cursors = {}) {
    CompactionOptions o;
    o.snapshot_every = every;
    o.retention = std::chrono::milliseconds(retention);
    o.notifier_cursors = std::move(cursors);
    return Compactor(&log_, &holder_, &clock_, o);
  }

  // One random write: an account, or an assignment added to or removed from one.
  void RandomWrite(std::mt19937_64& rng) {
    const std::size_t accounts = holder_.Load()->AccountCount();
    if (accounts == 0 || rng() % 10 == 0) {
      ASSERT_TRUE(accounts_.Create({"acc" + std::to_string(accounts), "A", "owner"}, "system").ok());
      return;
    }
    const std::string account = "acc" + std::to_string(rng() % accounts);
    if (rng() % 4 == 0) {
      const auto state = holder_.Load()->FindState(account);
      for (const auto& s : state->subjects()) {
        if (s.type == SubjectType::kExternalApp && !s.grants.empty()) {
          ASSERT_TRUE(assignments_.Delete(account, s.grants.front().id, "key:k2").ok());
          return;
        }
      }
    }
    bool created = false;
    GrantRequest grant{rng() % 2 ? "editor" : "manager", {}, {}, {}};
    const std::string actor = rng() % 2 ? "system" : "key:k" + std::to_string(rng() % 3);
    ASSERT_TRUE(assignments_
                    .Add(account, Subject{"app" + std::to_string(rng() % 40), SubjectType::kExternalApp}, grant, actor,
                         &created)
                    .ok());
  }

  std::shared_ptr<const Snapshot> Restart() {
    auto fresh = std::make_shared<SnapshotHolder>(std::make_shared<Snapshot>(policies_, 0));
    Committer other(&log_, &codec_, fresh.get());
    auto head = other.LoadAll();
    EXPECT_TRUE(head.ok()) << head.status().ToString();
    return fresh->Load();
  }

  std::shared_ptr<const PolicySet> policies_;
  testing::MemoryChangeLog log_;
  JsonChangeCodec codec_;
  ManualClock clock_{1'800'000'000'000};
  SnapshotHolder holder_;
  Committer committer_;
  AccountService accounts_;
  AssignmentService assignments_;
};

TEST_F(CompactorTest, StartUpFromASnapshotRebuildsWhatEveryWriteBuilt) {
  std::mt19937_64 rng(5);
  for (int i = 0; i < 200; ++i) RandomWrite(rng);
  auto compactor = MakeCompactor(0, 0);
  auto report = compactor.RunOnce(true);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ran);
  EXPECT_EQ(report->snapshot_revision, holder_.Load()->revision());
  EXPECT_EQ(report->forgotten_through, holder_.Load()->revision());  // retention 0: nothing before it is kept
  for (int i = 0; i < 150; ++i) RandomWrite(rng);
  // Remove the newest assignment: its id must still never be issued again.
  const std::uint64_t highest = holder_.Load()->max_assignment_id();
  const auto found = [&]() -> std::string {
    std::string account;
    holder_.Load()->ForEachAccount([&](const AccountView& v) {
      if (v.State()->FindAssignment(highest)) account = v.account_id();
    });
    return account;
  }();
  ASSERT_FALSE(found.empty());
  ASSERT_TRUE(assignments_.Delete(found, highest, "system").ok());
  ASSERT_TRUE(compactor.RunOnce(true).ok());
  for (int i = 0; i < 20; ++i) RandomWrite(rng);

  auto restarted = Restart();
  EXPECT_EQ(Fingerprint(restarted, codec_), Fingerprint(holder_.Load(), codec_));
  EXPECT_EQ(restarted->max_assignment_id(), holder_.Load()->max_assignment_id());
  EXPECT_GE(restarted->max_assignment_id(), highest);
}

TEST_F(CompactorTest, SnapshotsComeEverySnapshotEveryRevisionsAndNotBefore) {
  auto compactor = MakeCompactor(50, 1000 * kHour);
  std::mt19937_64 rng(1);
  std::vector<std::uint64_t> written;
  for (int i = 0; i < 140 && holder_.Load()->revision() < 130; ++i) {
    RandomWrite(rng);
    auto report = compactor.RunOnce(false);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    if (report->snapshot_revision != 0) written.push_back(report->snapshot_revision);
  }
  EXPECT_EQ(written, (std::vector<std::uint64_t>{50, 100}));
  EXPECT_EQ(log_.History()->forgotten_through, 0U);  // inside the retention window
}

TEST_F(CompactorTest, RetentionForgetsOnlyOldHistoryAndNeverUndeliveredEvents) {
  auto compactor = MakeCompactor(0, kHour, {"notifier:hooks"});
  std::mt19937_64 rng(2);
  for (int i = 0; i < 10; ++i) RandomWrite(rng);
  ASSERT_TRUE(compactor.RunOnce(true).ok());  // snapshot at 10, taken now
  clock_.Advance(2 * kHour);
  for (int i = 0; i < 10; ++i) RandomWrite(rng);
  ASSERT_TRUE(log_.PutCursor("notifier:hooks", "5").ok());
  auto report = compactor.RunOnce(true);  // snapshot at 20; 10 is old enough, but hooks has delivered only 5
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->snapshot_revision, 20U);
  EXPECT_EQ(report->forgotten_through, 0U);
  ASSERT_TRUE(log_.PutCursor("notifier:hooks", "15").ok());
  report = compactor.RunOnce(false);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->snapshot_revision, 0U);  // none due (snapshotEvery 0 = on request only)
  EXPECT_EQ(report->forgotten_through, 10U);
  EXPECT_EQ(log_.History()->forgotten_through, 10U);
  // Snapshot 20 is younger than the retention: kept, and nothing after 10 was forgotten.
  std::size_t records = 0;
  ASSERT_TRUE(log_.ReadSince(0, 0,
                             [&](const ChangeRecord&) {
                               ++records;
                               return Status::Ok();
                             })
                  .ok());
  EXPECT_EQ(records, 10U);
}

TEST_F(CompactorTest, ForgottenHistoryIsGoneInTheFeedAndTheReview) {
  std::mt19937_64 rng(3);
  ASSERT_TRUE(accounts_.Create({"acc0", "A", "owner"}, "system").ok());
  for (int i = 0; i < 19; ++i) RandomWrite(rng);
  auto compactor = MakeCompactor(0, 0);
  ASSERT_TRUE(compactor.RunOnce(true).ok());  // forgets through 20
  for (int i = 0; i < 5; ++i) RandomWrite(rng);
  ChangeFeed feed(&log_, &holder_);
  auto old = feed.Read("acc0", 3, 100, std::chrono::milliseconds(0));
  ASSERT_FALSE(old.ok());
  EXPECT_EQ(old.status().code(), StatusCode::kGone);
  EXPECT_NE(old.status().message().find("since=20"), std::string::npos) << old.status().message();
  auto kept = feed.Read("acc0", 20, 100, std::chrono::milliseconds(0));
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();

  ReviewHistory review(&log_, &codec_);
  auto gone = review.StatesAt("acc0", {5}, policies_);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.status().code(), StatusCode::kGone);
  // From the snapshot on, the review replays as before: its states match the live ones.
  auto states = review.StatesAt("acc0", {20, 25}, policies_);
  ASSERT_TRUE(states.ok()) << states.status().ToString();
  ASSERT_EQ(states->size(), 2U);
  const AccountView* now = holder_.Load()->FindAccount("acc0");
  const AccountView* replayed = (*states)[1]->FindAccount("acc0");
  ASSERT_NE(replayed, nullptr);
  EXPECT_EQ(replayed->State()->GrantCount(), now->State()->GrantCount());
}

TEST_F(CompactorTest, FeedOfALogWhoseEveryRecordWasForgottenIsGone) {
  ASSERT_TRUE(accounts_.Create({"acc0", "A", "owner"}, "system").ok());
  auto compactor = MakeCompactor(0, 0);
  ASSERT_TRUE(compactor.RunOnce(true).ok());
  ChangeFeed feed(&log_, &holder_);
  auto page = feed.Read("acc0", 0, 10, std::chrono::milliseconds(0));
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), StatusCode::kGone);
}

TEST_F(CompactorTest, SnapshotsInsideTheWindowAreThinnedToAboutTen) {
  auto compactor = MakeCompactor(0, 80 * kHour);
  std::mt19937_64 rng(4);
  for (int hour = 0; hour < 200; ++hour) {
    RandomWrite(rng);
    ASSERT_TRUE(compactor.RunOnce(true).ok());
    clock_.Advance(kHour);
  }
  auto history = log_.History();
  ASSERT_TRUE(history.ok());
  EXPECT_LE(history->snapshots.size(), 12U);
  EXPECT_GE(history->snapshots.size(), 8U);
  EXPECT_EQ(history->snapshots.back().revision, holder_.Load()->revision());
  EXPECT_EQ(history->snapshots.front().revision, history->forgotten_through);
  // The kept history starts within one spacing (retention / 8) of the retention boundary.
  const Timestamp boundary = clock_.Now() - kHour - 80 * kHour;
  EXPECT_GE(history->snapshots.front().taken_at, boundary - 10 * kHour - kHour);
  EXPECT_LE(history->snapshots.front().taken_at, boundary + kHour);
}

TEST_F(CompactorTest, ANodeBehindForgottenHistoryReloadsFromTheSnapshot) {
  std::mt19937_64 rng(6);
  for (int i = 0; i < 5; ++i) RandomWrite(rng);
  // A second node on the same log, at revision 5.
  SnapshotHolder other_holder(std::make_shared<Snapshot>(policies_, 0));
  Committer other(&log_, &codec_, &other_holder);
  ASSERT_TRUE(other.LoadAll().ok());
  for (int i = 0; i < 30; ++i) RandomWrite(rng);
  auto compactor = MakeCompactor(0, 0);
  ASSERT_TRUE(compactor.RunOnce(true).ok());  // forgets through 35: the other node needs 6..
  for (int i = 0; i < 3; ++i) RandomWrite(rng);
  Status caught_up = other.CatchUp();
  ASSERT_TRUE(caught_up.ok()) << caught_up.ToString();
  EXPECT_EQ(Fingerprint(other_holder.Load(), codec_), Fingerprint(holder_.Load(), codec_));
}

TEST_F(CompactorTest, ADamagedSnapshotStopsStartUpNamingIt) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 8; ++i) RandomWrite(rng);
  ASSERT_TRUE(log_.PutSnapshot(8, clock_.Now(), {"not an image"}).ok());
  SnapshotHolder fresh(std::make_shared<Snapshot>(policies_, 0));
  Committer other(&log_, &codec_, &fresh);
  auto head = other.LoadAll();
  ASSERT_FALSE(head.ok());
  EXPECT_NE(head.status().message().find("the snapshot at revision 8 cannot be loaded"), std::string::npos)
      << head.status().message();
  EXPECT_EQ(fresh.Load()->revision(), 0U);
}

}  // namespace
}  // namespace gatehouse
