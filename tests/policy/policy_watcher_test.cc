#include "policy/policy_watcher.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "support/temp_dir.h"

namespace gatehouse {
namespace {

TEST(PolicyWatcherTest, ReportsAChangeOnceItHasSettled) {
  testing::TempDir dir;
  dir.Write("roles/a.yaml", "x");
  PolicyWatcher watcher(dir.path());
  EXPECT_FALSE(watcher.Poll());  // nothing changed
  dir.Write("roles/b.yaml", "y");
  EXPECT_FALSE(watcher.Poll());  // changed, not settled yet
  EXPECT_TRUE(watcher.Poll());   // unchanged for one poll: reload
  watcher.Reloaded();
  EXPECT_FALSE(watcher.Poll());
}

TEST(PolicyWatcherTest, SeesEditsRemovalsAndNewSubdirectories) {
  testing::TempDir dir;
  dir.Write("roles/a.yaml", "x");
  const auto before = PolicyWatcher::Fingerprint(dir.path());
  EXPECT_EQ(PolicyWatcher::Fingerprint(dir.path()), before);
  dir.Write("roles/a.yaml", "xy");  // size changes
  const auto edited = PolicyWatcher::Fingerprint(dir.path());
  EXPECT_NE(edited, before);
  dir.Write("accounts/acme/custom.yaml", "z");
  const auto added = PolicyWatcher::Fingerprint(dir.path());
  EXPECT_NE(added, edited);
  std::filesystem::remove(dir.File("accounts/acme/custom.yaml"));
  EXPECT_EQ(PolicyWatcher::Fingerprint(dir.path()), edited);
  EXPECT_NE(PolicyWatcher::Fingerprint(dir.File("missing")), edited);
}

TEST(PolicyWatcherTest, AChangeDuringAReloadIsNoticedAfterwards) {
  testing::TempDir dir;
  dir.Write("a.yaml", "x");
  PolicyWatcher watcher(dir.path());
  dir.Write("a.yaml", "xy");
  EXPECT_FALSE(watcher.Poll());
  EXPECT_TRUE(watcher.Poll());
  watcher.Reloaded();
  dir.Write("b.yaml", "late");
  EXPECT_FALSE(watcher.Poll());
  EXPECT_TRUE(watcher.Poll());
}

}  // namespace
}  // namespace gatehouse
