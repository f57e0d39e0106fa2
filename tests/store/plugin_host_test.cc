#include "store/plugin_host.h"

#include <gtest/gtest.h>

#include <gatehouse/plugin.hpp>

#include "store/plugin_change_log.h"
#include "store/plugin_notifier.h"
#include "support/temp_dir.h"

namespace gatehouse {
namespace {

PluginHost TestHost() { return PluginHost(GATEHOUSE_TEST_PLUGIN_DIR); }

void ExpectRefused(const Result<LoadedPlugin>& r, StatusCode code, const std::string& fragment) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), code) << r.status().ToString();
  EXPECT_NE(r.status().message().find(fragment), std::string::npos) << r.status().message();
}

TEST(PluginHostTest, LoadsTheRealStoragePlugins) {
  PluginHost host(GATEHOUSE_PLUGIN_DIR);
  for (const char* name : {"sqlite", "memory"}) {
    auto p = host.Load("storage", name);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    EXPECT_EQ(p->info.name, name);
    EXPECT_EQ(p->info.kind, static_cast<std::uint32_t>(GH_KIND_STORAGE));
    EXPECT_EQ(p->info.abi_major, static_cast<std::uint32_t>(GH_ABI_MAJOR));
  }
}

TEST(PluginHostTest, MissingFile) {
  ExpectRefused(TestHost().Load("storage", "absent"), StatusCode::kNotFound, "no such file");
}

TEST(PluginHostTest, NotASharedLibrary) {
  testing::TempDir dir;
  dir.Write("gatehouse-storage-text.so", "this is not an ELF file\n");
  PluginHost host(dir.path());
  // Issue 8, item 10: this was "cannot be loaded: Bad file descriptor".
  ExpectRefused(host.Load("storage", "text"), StatusCode::kInvalidArgument,
                "cannot be loaded: is not a shared library (no ELF header)");
}

TEST(PluginHostTest, MissingEntrySymbol) {
  ExpectRefused(TestHost().Load("storage", "no-entry"), StatusCode::kInvalidArgument, "gatehouse_plugin_entry");
}

TEST(PluginHostTest, NoCommonAbi) {
  ExpectRefused(TestHost().Load("storage", "future-abi"), StatusCode::kFailedPrecondition, "supports none");
}

TEST(PluginHostTest, DescriptorForUnsupportedAbi) {
  ExpectRefused(TestHost().Load("storage", "lying-abi"), StatusCode::kFailedPrecondition, "ABI 99");
}

TEST(PluginHostTest, WrongKind) {
  ExpectRefused(TestHost().Load("storage", "wrong-kind"), StatusCode::kInvalidArgument,
                "is a notifier plugin, expected a storage plugin");
}

TEST(PluginHostTest, ListReportsBrokenOnesToo) {
  auto all = TestHost().List();
  ASSERT_EQ(all.size(), 11U);
  int ok = 0;
  for (const auto& [path, r] : all) ok += r.ok() ? 1 : 0;
  EXPECT_EQ(ok, 5);  // strict, wrong-kind (a valid notifier), abi-1-0, unterminated, throwing
}

TEST(PluginHostTest, ValidatesOptionsAgainstTheSchema) {
  auto p = TestHost().Load("storage", "strict");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  auto missing = PluginHost::ValidateOptions(p->info, {});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("option \"url\" is required"), std::string::npos);
  auto unknown = PluginHost::ValidateOptions(p->info, {{"url", "x"}, {"urll", "y"}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("unknown option \"urll\""), std::string::npos);
  auto bad_int = PluginHost::ValidateOptions(p->info, {{"url", "x"}, {"pool", "four"}});
  ASSERT_FALSE(bad_int.ok());
  EXPECT_NE(bad_int.status().message().find("must be a int"), std::string::npos);
  EXPECT_FALSE(PluginHost::ValidateOptions(p->info, {{"url", "x"}, {"fail", "maybe"}}).ok());
  EXPECT_FALSE(PluginHost::ValidateOptions(p->info, {{"url", "x"}, {"timeout", "soon"}}).ok());
  auto good = PluginHost::ValidateOptions(p->info, {{"url", "x"}});
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good->size(), 5U);  // defaults filled in (mode has an empty default)
}

TEST(PluginHostTest, CreateFailureAndEscapingExceptionsBecomeStatuses) {
  auto p = TestHost().Load("storage", "strict");
  ASSERT_TRUE(p.ok());
  auto failed = PluginChangeLog::Open(*p, {{"url", "x"}, {"fail", "true"}}, nullptr);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(failed.status().message().find("backend refused the connection"), std::string::npos);
  auto thrown = PluginChangeLog::Open(*p, {{"url", "x"}, {"mode", "throw-std"}}, nullptr);
  ASSERT_FALSE(thrown.ok());
  EXPECT_EQ(thrown.status().code(), StatusCode::kInternal);
  EXPECT_NE(thrown.status().message().find("std exception escaped"), std::string::npos);
  auto opened = PluginChangeLog::Open(*p, {{"url", "x"}}, nullptr);
  ASSERT_TRUE(opened.ok());
  auto append = (*opened)->Append({ChangeRecord{}}, 0);
  EXPECT_EQ(append.status().code(), StatusCode::kUnavailable);
}

// Issue 8, item 7: a NULL required entry was listed as healthy and segfaulted on first use.
TEST(PluginHostTest, NullRequiredFunctionIsRefusedByName) {
  ExpectRefused(TestHost().Load("storage", "null-entries"), StatusCode::kInvalidArgument,
                "function table entry \"append\" is NULL (required by the storage ABI)");
}

// ABI 1.2: a lease that can be taken but never given back would pin a notifier's delivery
// to one node for good; a table with one of the pair is refused by name.
TEST(PluginHostTest, HalfALeasePairIsRefused) {
  ExpectRefused(TestHost().Load("storage", "half-lease"), StatusCode::kInvalidArgument,
                "sets one of \"try_lease\" and \"release_lease\" without the other (ABI 1.2: both or neither)");
}

// ABI 1.3: snapshots that can be stored but never read back would let a daemon forget
// the history it needs; a table with some but not all five entries is refused by name.
TEST(PluginHostTest, PartOfTheSnapshotEntriesIsRefused) {
  ExpectRefused(TestHost().Load("storage", "partial-snapshots"), StatusCode::kInvalidArgument,
                "sets 2 of \"snapshot_put\", \"snapshot_list\", \"snapshot_read\", \"forget_history\" and "
                "\"snapshot_drop\" (ABI 1.3: all five or none)");
}

// Issue 8, item 13: the host required struct_size >= sizeof(its own struct), so growing the
// ABI would refuse every existing plugin. A plugin built against 1.0 loads and works on 1.1.
TEST(PluginHostTest, PluginBuiltAgainstAbi10LoadsAndWorksOnThisHost) {
  static_assert(GH_ABI_MINOR >= 1, "this test needs a host newer than ABI 1.0");
  auto p = TestHost().Load("storage", "abi-1-0");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->info.abi_minor, 0U);
  EXPECT_LT(*static_cast<const std::uint32_t*>(p->descriptor->vtable), sizeof(gh_storage_vtable));
  auto log = PluginChangeLog::Open(*p, {}, nullptr);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  ChangeRecord r;
  r.type = "account.created";
  r.account_id = "a";
  r.payload = "{}";
  auto head = (*log)->Append({r, r}, 0);
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(*head, 2U);
  EXPECT_EQ((*log)->Append({r}, 0).status().code(), StatusCode::kAborted);
  // The table ends before ABI 1.2's entries: a one-writer log that holds every lease.
  EXPECT_FALSE((*log)->IsShared());
  EXPECT_TRUE(*(*log)->TryLease("notifier:x"));
  std::vector<std::uint64_t> seen;
  auto loaded = (*log)->Load([&](const ChangeRecord& c) {
    seen.push_back(c.revision);
    return Status::Ok();
  });
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(seen, (std::vector<std::uint64_t>{1, 2}));
  // ABI 1.3's snapshot entries lie beyond its table: no snapshots, an empty history, and
  // forgetting is refused (nothing is deleted).
  EXPECT_FALSE((*log)->SupportsSnapshots());
  auto history = (*log)->History();
  ASSERT_TRUE(history.ok());
  EXPECT_TRUE(history->snapshots.empty());
  EXPECT_EQ(history->forgotten_through, 0U);
  EXPECT_EQ((*log)->ForgetHistory(1).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ((*log)->PutSnapshot(1, 0, {"x"}).code(), StatusCode::kFailedPrecondition);
  // The 1.1 entry lies beyond its table: absent, not read.
  auto gauges = (*log)->Metrics();
  ASSERT_TRUE(gauges.ok());
  EXPECT_TRUE(gauges->empty());
}

// Issue 8, item 13: the error buffer was read as a C string, past its end when the plugin
// wrote no NUL (ASan finds the over-read; here the length shows it stopped at the buffer).
TEST(PluginHostTest, ErrorBufferWithoutNulIsReadWithinItsBounds) {
  auto p = TestHost().Load("storage", "unterminated");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  auto log = PluginChangeLog::Open(*p, {}, nullptr);
  ASSERT_FALSE(log.ok());
  const std::string& m = log.status().message();
  EXPECT_EQ(m, "storage \"unterminated\": open: " + std::string(sizeof(gh_error{}.message), 'x'));
}

// Issue 8, item 8: a notifier that threw (GH_ERR_INTERNAL) was a permanent reject.
TEST(PluginHostTest, NotifierThatThrowsIsRetriedNotSkipped) {
  auto p = TestHost().Load("notifier", "throwing");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  auto notifier = PluginNotifier::Open(*p, {}, nullptr);
  ASSERT_TRUE(notifier.ok()) << notifier.status().ToString();
  std::vector<ChangeRecord> batch(1);
  for (int i = 1; i <= 2; ++i) {
    DeliveryResult r = (*notifier)->Deliver(batch);
    EXPECT_EQ(r.outcome, DeliveryOutcome::kRetryLater) << r.message;
    EXPECT_NE(r.message.find("backend hiccup #" + std::to_string(i)), std::string::npos) << r.message;
  }
  EXPECT_EQ((*notifier)->Deliver(batch).outcome, DeliveryOutcome::kDelivered);
}

// Issue 8, item 10: the host hands duration options over as milliseconds, so no plugin
// parses "1h30m" with a parser of its own (the webhook plugin read it as 1 s).
TEST(PluginHostTest, DurationOptionsReachThePluginAsMilliseconds) {
  auto p = TestHost().Load("storage", "strict");
  ASSERT_TRUE(p.ok());
  auto good = PluginHost::ValidateOptions(p->info, {{"url", "x"}, {"timeout", "1h30m"}});
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  bool found = false;
  for (const auto& [name, value] : *good) {
    if (name == "timeout") {
      EXPECT_EQ(value, "5400000ms");
      found = true;
    }
  }
  EXPECT_TRUE(found);
  std::vector<gh_option> opts = {{{"timeout", 7}, {"5400000ms", 9}}};
  gatehouse::sdk::Options options(opts.data(), opts.size());
  EXPECT_EQ(options.GetDurationMs("timeout"), 5400000);
  EXPECT_EQ(options.GetDurationMs("absent", 5000), 5000);
}

// Issue 8, item 7: `gatehouse plugins list` loads each library in a child process, so a
// plugin that crashes in its entry function is reported, with its signal, not fatal.
TEST(PluginHostTest, ProbeReportsACrashingPluginByNameAndSignal) {
  PluginHost host(GATEHOUSE_CRASHING_PLUGIN_DIR);
  auto all = host.ProbeAll();
  ASSERT_EQ(all.size(), 2U);
  const auto& [path, result] = all[0];  // sorted: notifier-crash-entry, storage-crash-create
  EXPECT_EQ(path, std::string(GATEHOUSE_CRASHING_PLUGIN_DIR) + "/gatehouse-notifier-crash-entry.so");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(), "plugin " + path + ": crashed with signal 11 (SIGSEGV) while being loaded");
  // A healthy library probes to the same answer as an in-process load.
  auto sqlite =
      PluginHost(GATEHOUSE_PLUGIN_DIR).ProbeFile(PluginHost(GATEHOUSE_PLUGIN_DIR).PathFor("storage", "sqlite"));
  ASSERT_TRUE(sqlite.ok()) << sqlite.status().ToString();
  EXPECT_EQ(sqlite->name, "sqlite");
  EXPECT_EQ(sqlite->abi_minor, static_cast<std::uint32_t>(GH_ABI_MINOR));
  auto broken = TestHost().ProbeFile(TestHost().PathFor("storage", "null-entries"));
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(broken.status().message().find("\"append\" is NULL"), std::string::npos);
}

}  // namespace
}  // namespace gatehouse
