// The check routes' fast body reader (api/check_body.h) against nlohmann's parser, which
// the general path uses: whatever the fast reader accepts, nlohmann must read as the same
// check (same fields, same values); everything else goes the general way. Thousands of
// generated bodies: well-formed ones in many spellings, and mutations of them (flipped and
// cut bytes, trailing bytes, extra and repeated fields, wrong types, escapes).
#include "api/check_body.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

namespace gatehouse::api {
namespace {

using nlohmann::json;

// What nlohmann reads from `body` as a check, when it is one the general path accepts
// with no field beyond the known ones; nullopt otherwise.
struct Expected {
  std::string subject_id, permission, asset_id;
  SubjectType type = SubjectType::kUser;
  bool explain = false;
};
std::optional<Expected> ReadWithNlohmann(const json& j) {
  if (!j.is_object()) return std::nullopt;
  Expected e;
  auto str = [](const json& o, const char* k, std::string* out) {
    auto it = o.find(k);
    if (it == o.end() || !it->is_string() || it->get<std::string>().empty()) return false;
    *out = it->get<std::string>();
    return true;
  };
  auto s = j.find("subject");
  if (s == j.end() || !s->is_object() || !str(*s, "id", &e.subject_id)) return std::nullopt;
  if (auto t = s->find("subjectType"); t != s->end() && !t->is_null()) {
    if (!t->is_string()) return std::nullopt;
    auto parsed = ParseSubjectType(t->get<std::string>());
    if (!parsed) return std::nullopt;
    e.type = *parsed;
  }
  if (!str(j, "permission", &e.permission)) return std::nullopt;
  auto a = j.find("asset");
  if (a == j.end() || !a->is_object() || !str(*a, "id", &e.asset_id)) return std::nullopt;
  if (auto x = j.find("explain"); x != j.end() && !x->is_null()) {
    if (!x->is_boolean()) return std::nullopt;
    e.explain = x->get<bool>();
  }
  return e;
}

void ExpectSame(const CheckView& v, const Expected& e, const std::string& body) {
  EXPECT_EQ(v.subject_id, e.subject_id) << body;
  EXPECT_EQ(v.permission, e.permission) << body;
  EXPECT_EQ(v.asset_id, e.asset_id) << body;
  EXPECT_EQ(v.subject_type, e.type) << body;
  EXPECT_EQ(v.explain, e.explain) << body;
}

std::string RandomCheck(std::mt19937_64& rng) {
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  const char* ids[] = {"olga", "b\\u00e9a", "x\\\"y", "\\u0041pp", "k\\\\l", "s1", "acme", "\xC3\xA9t\xC3\xA9"};
  const char* types[] = {"\"USER\"", "\"EXTERNAL_APP\"", "null", "\"ROBOT\"", "5"};
  const char* ws[] = {"", " ", "\n ", "\t"};
  std::vector<std::string> fields;
  std::string subject = std::string("{\"id\":\"") + ids[pick(8)] + "\"";
  if (pick(2)) subject += std::string(",") + ws[pick(4)] + "\"subjectType\":" + types[pick(5)];
  subject += "}";
  fields.push_back("\"subject\":" + subject);
  fields.push_back(std::string("\"permission\":\"") + (pick(10) == 0 ? "" : "site.view") + "\"");
  fields.push_back(std::string("\"asset\":{\"id\":\"") + ids[pick(8)] + "\"}");
  if (pick(3) == 0)
    fields.push_back(std::string("\"explain\":") + (pick(3) == 0 ? "null" : pick(2) ? "true" : "false"));
  std::shuffle(fields.begin(), fields.end(), rng);
  std::string out = std::string(ws[pick(4)]) + "{";
  for (std::size_t i = 0; i < fields.size(); ++i) out += (i ? "," : "") + std::string(ws[pick(4)]) + fields[i];
  return out + "}" + ws[pick(4)];
}

std::string Mutate(std::string body, std::mt19937_64& rng) {
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  switch (pick(8)) {
    case 0:
      if (!body.empty()) body[pick(body.size())] = static_cast<char>(rng());
      break;
    case 1:
      body.resize(pick(body.size() + 1));
      break;
    case 2:
      body += pick(2) ? " x" : "{}";
      break;
    case 3:
      body.insert(body.find('{') + 1, "\"extra\":[1,2,{\"a\":null}],");
      break;
    case 4:
      body.insert(body.find('{') + 1, "\"permission\":\"other\",");  // a repeated field
      break;
    case 5:
      body.insert(body.find('{') + 1, "\"explain\":\"yes\",");
      break;
    case 6:
      body.insert(pick(body.size() + 1), std::string(1, "{}[],:\"\\"[pick(8)]));
      break;
    default:
      body = "[" + body + "]";
      break;
  }
  return body;
}

TEST(CheckBodyTest, WhatTheFastReaderTakesNlohmannReadsTheSame) {
  std::mt19937_64 rng(1129);
  int fast = 0, fallback = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string body = RandomCheck(rng);
    if (i % 2 == 1) body = Mutate(body, rng);
    CheckView view;
    const bool taken = FastReadCheck(body, &view);
    const json parsed = json::parse(body, nullptr, false);
    const auto expected = parsed.is_discarded() ? std::nullopt : ReadWithNlohmann(parsed);
    if (taken) {
      ++fast;
      ASSERT_TRUE(expected.has_value()) << "the fast reader took what the general path refuses: " << body;
      ExpectSame(view, *expected, body);
      if (HasFailure()) return;
    } else {
      ++fallback;
    }
  }
  // Both ways are exercised: most well-formed bodies are taken fast.
  EXPECT_GT(fast, 5000);
  EXPECT_GT(fallback, 5000);
}

TEST(CheckBodyTest, PlainChecksAreTakenAndOddOnesLeftToTheGeneralPath) {
  CheckView v;
  ASSERT_TRUE(FastReadCheck(R"({"subject":{"id":"olga"},"permission":"site.view","asset":{"id":"s1"}})", &v));
  EXPECT_EQ(v.subject_id, "olga");
  EXPECT_EQ(v.subject_type, SubjectType::kUser);
  ASSERT_TRUE(FastReadCheck(
      R"({"explain":true,"asset":{"id":"s1"},"permission":"p","subject":{"subjectType":"WIX_APP","id":"a\u0042"}})",
      &v));
  EXPECT_EQ(v.subject_id, "aB");
  EXPECT_EQ(v.subject_type, SubjectType::kWixApp);
  EXPECT_TRUE(v.explain);
  for (const char* odd : {"", "{}", "null", R"({"subject":{"id":"o"},"permission":"p","asset":{"id":"s"}} [])",
                          R"({"subject":{"id":"o"},"permission":"p","asset":{"id":"s"},"note":1})",
                          R"({"subject":{"id":"o"},"permission":"p","permission":"q","asset":{"id":"s"}})",
                          R"({"subject":{"id":""},"permission":"p","asset":{"id":"s"}})"}) {
    EXPECT_FALSE(FastReadCheck(odd, &v)) << odd;
  }
}

TEST(CheckBodyTest, BatchesWithinTheLimit) {
  const std::string one = R"({"subject":{"id":"o"},"permission":"p","asset":{"id":"s"}})";
  std::vector<CheckView> out;
  ASSERT_TRUE(FastReadBatch("{\"checks\":[" + one + "," + one + "]}", 2, &out));
  EXPECT_EQ(out.size(), 2U);
  EXPECT_FALSE(FastReadBatch("{\"checks\":[" + one + "," + one + "," + one + "]}", 2, &out));  // over the limit
  EXPECT_FALSE(FastReadBatch("{\"checks\":[" + one + ",{}]}", 2, &out));
  EXPECT_FALSE(FastReadBatch("{\"checks\":[]", 2, &out));
  EXPECT_FALSE(FastReadBatch("{\"checks\":[],\"more\":1}", 2, &out));
  ASSERT_TRUE(FastReadBatch("{\"checks\":[]}", 2, &out));
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace gatehouse::api
