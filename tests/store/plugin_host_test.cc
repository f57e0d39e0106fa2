#include "store/plugin_host.h"

#include <gtest/gtest.h>

#include "store/plugin_change_log.h"
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
  ExpectRefused(host.Load("storage", "text"), StatusCode::kInvalidArgument, "cannot be loaded");
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
  ASSERT_EQ(all.size(), 5U);
  int ok = 0;
  for (const auto& [path, r] : all) ok += r.ok() ? 1 : 0;
  EXPECT_EQ(ok, 2);  // strict, wrong-kind (a valid notifier)
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

}  // namespace
}  // namespace gatehouse
