#include "policy/policy_reloader.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "support/temp_dir.h"

namespace gatehouse {
namespace {

class PolicyReloaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::copy(GATEHOUSE_SOURCE_DIR "/policies", dir_.File("p"), std::filesystem::copy_options::recursive);
  }
  PolicyReloader Make(Status answer) {
    return PolicyReloader(
        dir_.File("p"), 1,
        [this, answer](std::shared_ptr<const PolicySet> set, bool force, bool dry_run) {
          if (dry_run) {
            ++dry_runs_;
            return answer;
          }
          replaced_.push_back({set->generation(), force});
          return answer;
        },
        &clock_, [this](int level, const std::string& m) { lines_.push_back(std::to_string(level) + " " + m); },
        [this] { ++failures_; });
  }

  testing::TempDir dir_;
  ManualClock clock_{1767225600000};  // 2026-01-01T00:00:00Z
  std::vector<std::pair<std::uint64_t, bool>> replaced_;
  std::vector<std::string> lines_;
  int failures_ = 0;
  int dry_runs_ = 0;
};

TEST_F(PolicyReloaderTest, AValidDirectoryReplacesThePoliciesWithTheNextGeneration) {
  PolicyReloader r = Make(Status::Ok());
  EXPECT_TRUE(r.LastOutcome().at.empty());
  ASSERT_TRUE(r.Reload(false).ok());
  ASSERT_TRUE(r.Reload(true).ok());
  EXPECT_EQ(replaced_, (std::vector<std::pair<std::uint64_t, bool>>{{2, false}, {3, true}}));
  const auto last = r.LastOutcome();
  EXPECT_TRUE(last.ok);
  EXPECT_EQ(last.at, "2026-01-01T00:00:00Z");
  EXPECT_NE(last.message.find("policies replaced"), std::string::npos);
  EXPECT_EQ(failures_, 0);
}

TEST_F(PolicyReloaderTest, AnInvalidDirectoryChangesNothingAndIsReported) {
  PolicyReloader r = Make(Status::Ok());
  dir_.Write("p/roles/empty.yaml", "");
  Status st = r.Reload(false);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("empty file"), std::string::npos) << st.message();
  EXPECT_TRUE(replaced_.empty());
  EXPECT_FALSE(r.LastOutcome().ok);
  EXPECT_EQ(failures_, 1);
  ASSERT_FALSE(lines_.empty());
  EXPECT_EQ(lines_.back().rfind("1 reload failed (1 error(s))", 0), 0U) << lines_.back();
}

TEST_F(PolicyReloaderTest, ARefusedReplacementIsAFailedReload) {
  PolicyReloader r = Make(FailedPrecondition("role \"x\" is still assigned"));
  Status st = r.Reload(false);
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(r.LastOutcome().message, "role \"x\" is still assigned");
  EXPECT_EQ(failures_, 1);
}

TEST_F(PolicyReloaderTest, ADryRunChecksEverythingAndChangesNothing) {
  PolicyReloader ok = Make(Status::Ok());
  ASSERT_TRUE(ok.DryRun(false).ok());
  EXPECT_EQ(dry_runs_, 1);
  EXPECT_TRUE(replaced_.empty());
  EXPECT_TRUE(ok.LastOutcome().at.empty());  // not recorded as a reload
  ASSERT_TRUE(ok.Reload(false).ok());
  EXPECT_EQ(replaced_.front().first, 2U);  // the dry run took no generation

  PolicyReloader refused = Make(FailedPrecondition("role \"x\" is still assigned"));
  EXPECT_EQ(refused.DryRun(false).code(), StatusCode::kFailedPrecondition);
  dir_.Write("p/roles/empty.yaml", "");
  EXPECT_EQ(refused.DryRun(false).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(failures_, 0);
  EXPECT_TRUE(refused.LastOutcome().ok);
}

}  // namespace
}  // namespace gatehouse
