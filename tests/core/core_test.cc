#include <gtest/gtest.h>

#include <set>

#include "core/guid.h"
#include "core/model.h"
#include "core/status.h"
#include "core/time.h"

namespace gatehouse {
namespace {

TEST(StatusTest, OkAndErrors) {
  EXPECT_TRUE(Status::Ok().ok());
  Status s = NotFound("team member not found");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.ToString(), "NOT_FOUND: team member not found");
}

TEST(StatusTest, FieldErrorCarriesViolation) {
  Status s = FieldError("userId", "must not be empty", "REQUIRED_FIELD");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "userId: must not be empty");
  ASSERT_EQ(s.violations().size(), 1U);
  EXPECT_EQ(s.violations()[0].violated_rule, "REQUIRED_FIELD");
}

TEST(ResultTest, HoldsValueOrStatus) {
  Result<int> good = 42;
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 42);
  Result<int> bad = InvalidArgument("nope");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

TEST(TimeTest, FormatsAndParsesRfc3339) {
  auto t = ParseRfc3339("2026-03-01T09:00:00Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(*t, 1772355600000);
  EXPECT_EQ(FormatRfc3339(*t), "2026-03-01T09:00:00Z");
  EXPECT_EQ(FormatRfc3339(*t + 5), "2026-03-01T09:00:00.005Z");
  EXPECT_EQ(ParseRfc3339("2026-03-01T10:00:00+01:00"), t);
  EXPECT_EQ(ParseRfc3339("2026-03-01T09:00:00.250Z"), *t + 250);
}

TEST(TimeTest, RejectsMalformedTimestamps) {
  for (const char* bad : {"", "2026-03-01", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-03-01T09:00:00",
                          "2026-03-01T09:00:00Zjunk", "2026-03-01 09:00:00Z", "2026-03-01T25:00:00Z"}) {
    EXPECT_FALSE(ParseRfc3339(bad)) << bad;
  }
}

TEST(TimeTest, ParsesDurations) {
  EXPECT_EQ(ParseDurationMs("168h"), 168LL * 3600 * 1000);
  EXPECT_EQ(ParseDurationMs("1h30m"), 90LL * 60 * 1000);
  EXPECT_EQ(ParseDurationMs("250ms"), 250);
  EXPECT_FALSE(ParseDurationMs("10"));
  EXPECT_FALSE(ParseDurationMs("h"));
  EXPECT_FALSE(ParseDurationMs("5x"));
}

TEST(ManualClockTest, Moves) {
  ManualClock clock(1000);
  clock.Advance(500);
  EXPECT_EQ(clock.Now(), 1500);
}

TEST(ModelTest, SubjectTypesRoundTrip) {
  for (int i = 0; i < kSubjectTypeCount; ++i) {
    auto t = static_cast<SubjectType>(i);
    EXPECT_EQ(ParseSubjectType(SubjectTypeName(t)), t);
  }
  EXPECT_FALSE(ParseSubjectType("user"));
  EXPECT_FALSE(ParseSubjectType("ROBOT"));
}

TEST(ModelTest, IdsAreBoundedPrintableAscii) {
  EXPECT_TRUE(IsValidId("acme-1"));
  EXPECT_FALSE(IsValidId(""));
  EXPECT_FALSE(IsValidId(std::string(129, 'a')));
  EXPECT_TRUE(IsValidId(std::string(128, 'a')));
  EXPECT_FALSE(IsValidId("a b"));
  EXPECT_FALSE(IsValidId("caf\xc3\xa9"));
}

TEST(ModelTest, AssignmentTimeWindow) {
  Assignment a;
  a.not_before = 100;
  a.expires_at = 200;
  EXPECT_FALSE(a.ActiveAt(99));
  EXPECT_TRUE(a.ActiveAt(100));
  EXPECT_TRUE(a.ActiveAt(199));
  EXPECT_FALSE(a.ActiveAt(200));
}

TEST(GuidTest, UniqueVersion4) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string g = NewGuid();
    ASSERT_EQ(g.size(), 36U);
    EXPECT_EQ(g[14], '4');
    EXPECT_TRUE(seen.insert(g).second);
  }
}

}  // namespace
}  // namespace gatehouse
