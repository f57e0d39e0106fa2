// RateLimiter on its own (token buckets, with a hand-driven clock), then over HTTP: an
// account key past its account's rate gets 429 + Retry-After, other accounts and the
// system key are not affected, and the bucket refills with time.
#include "api/rate_limiter.h"

#include <gtest/gtest.h>

#include "support/api_fixture.h"

namespace gatehouse {
namespace {

using nlohmann::json;
using testing::kSystemKey;

TEST(RateLimiterTest, BurstThenRefillPerKey) {
  RateLimiter limiter(/*per_second=*/2, /*burst=*/3);
  std::int64_t retry = 0;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Admit("a", 1000, &retry)) << i;
  EXPECT_FALSE(limiter.Admit("a", 1000, &retry));
  EXPECT_EQ(retry, 500);                          // one token every 500 ms
  EXPECT_TRUE(limiter.Admit("b", 1000, &retry));  // another key has its own bucket
  EXPECT_FALSE(limiter.Admit("a", 1499, &retry));
  EXPECT_EQ(retry, 2);
  EXPECT_TRUE(limiter.Admit("a", 1500, &retry));
  EXPECT_FALSE(limiter.Admit("a", 1500, &retry));
  EXPECT_TRUE(limiter.Admit("a", 60'000, &retry));  // refilled, but never past the burst
  EXPECT_TRUE(limiter.Admit("a", 60'000, &retry));
  EXPECT_TRUE(limiter.Admit("a", 60'000, &retry));
  EXPECT_FALSE(limiter.Admit("a", 60'000, &retry));
}

TEST(RateLimiterTest, ZeroRateIsUnlimited) {
  RateLimiter limiter(0, 0);
  std::int64_t retry = 0;
  EXPECT_FALSE(limiter.enabled());
  for (int i = 0; i < 10'000; ++i) ASSERT_TRUE(limiter.Admit("a", 0, &retry));
}

TEST(RateLimiterTest, IdleKeysAreForgotten) {
  RateLimiter limiter(1000, 1);
  std::int64_t retry = 0;
  for (int i = 0; i < 200'000; ++i) ASSERT_TRUE(limiter.Admit("k" + std::to_string(i), i, &retry));
  EXPECT_LT(limiter.TrackedKeys(), 100'000U) << "keys whose buckets refilled are dropped";
  // Still correct for a busy key after the sweeps.
  EXPECT_TRUE(limiter.Admit("busy", 300'000, &retry));
  EXPECT_FALSE(limiter.Admit("busy", 300'000, &retry));
}

class RateLimitApiTest : public testing::ApiFixture {
 protected:
  void Configure(ApiOptions&, ApiServices& services) override { services.account_rate_limiter = &limiter_; }
  RateLimiter limiter_{/*per_second=*/1, /*burst=*/2};
};

TEST_F(RateLimitApiTest, AccountKeysOverTheirRateGet429) {
  CreateAccount("acme", "olga");
  CreateAccount("other", "oscar");
  const std::string acme_key = KeyFor("olga", "USER", "acme");
  const std::string other_key = KeyFor("oscar", "USER", "other");
  const json check = {{"subject", {{"id", "olga"}}}, {"permission", "site.view"}, {"asset", {{"id", "acme"}}}};
  EXPECT_EQ(Post("/v1/check", check, acme_key, "acme")->status, 200);
  EXPECT_EQ(Post("/v1/check", check, acme_key, "acme")->status, 200);
  auto limited = Post("/v1/check", check, acme_key, "acme");
  ASSERT_EQ(limited->status, 429) << limited->body;
  EXPECT_EQ(limited->get_header_value("Retry-After"), "1");
  EXPECT_EQ(Body(limited)["details"]["applicationError"]["code"], "RESOURCE_EXHAUSTED") << limited->body;
  EXPECT_EQ(Get("/roles-management/roles", acme_key, "acme")->status, 429) << "the Team API shares the limit";
  // Other tenants and the operator's system key are not slowed by acme.
  EXPECT_EQ(Post("/v1/check", check, other_key, "other")->status, 200);
  EXPECT_EQ(Post("/v1/check", check, kSystemKey, "acme")->status, 200);
  // A refused request is not counted against a wrong account either: 403 first.
  EXPECT_EQ(Post("/v1/check", check, acme_key, "other")->status, 403);
  clock_.Advance(1000);
  EXPECT_EQ(Post("/v1/check", check, acme_key, "acme")->status, 200);
  EXPECT_EQ(Post("/v1/check", check, acme_key, "acme")->status, 429);
  EXPECT_NE(Get("/metrics")->body.find("gatehouse_rate_limited_total"), std::string::npos);
}

}  // namespace
}  // namespace gatehouse
