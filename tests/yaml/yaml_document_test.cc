#include "yaml/yaml_document.h"

#include <gtest/gtest.h>

#include <string>

namespace gatehouse {
namespace {

YamlProblem ProblemOf(std::string_view text) {
  YamlDocuments d = ParseYamlDocuments(text);
  EXPECT_FALSE(d.ok()) << "accepted: " << text;
  EXPECT_TRUE(d.documents.empty());
  return d.problem.value_or(YamlProblem{});
}

TEST(YamlDocumentTest, ParsesOrdinaryPolicyText) {
  YamlDocuments d = ParseYamlDocuments(
      "apiVersion: gatehouse/v1\nkind: Role\nid: x  # comment, with a comma\n"
      "title: {en: \"A, B\", de: 'it''s'}\nstatements:\n  - effect: ALLOW\n    permissions: [\"*\", site.*, a,b]\n"
      "---\nkind: Other\n");
  ASSERT_TRUE(d.ok()) << d.problem->message;
  ASSERT_EQ(d.documents.size(), 2U);
  EXPECT_EQ(d.documents[0]["title"]["de"].Scalar(), "it's");
  EXPECT_EQ(d.documents[0]["statements"][0]["permissions"].size(), 4U);
  EXPECT_EQ(d.documents[1]["kind"].Scalar(), "Other");
  const YamlPosition p = PositionOf(d.documents[0]["statements"][0]["effect"]);
  EXPECT_EQ(p.line, 6);
  EXPECT_EQ(p.column, 13);
}

// The hand-written precheck this replaced refused these (issue 8, item 9): block scalars
// whose lines look like aliases, tags, quoted values or a stray comma are plain text.
TEST(YamlDocumentTest, AcceptsBlockScalarsThatLookLikeSyntax) {
  const std::string text =
      "description: |\n"
      "  What this role is for:\n"
      "  * item one\n"
      "  !important: read this\n"
      "  'quoted' word, then more\n"
      "  , x\n"
      "  [a], {b: c},\n"
      "folded: >\n"
      "  *not an alias* and &not an anchor\n";
  YamlDocuments d = ParseYamlDocuments(text);
  ASSERT_TRUE(d.ok()) << d.problem->line << ":" << d.problem->column << " " << d.problem->message;
  EXPECT_EQ(d.documents[0]["description"].Scalar(),
            "What this role is for:\n* item one\n!important: read this\n'quoted' word, then more\n, x\n[a], {b: c},\n");
  EXPECT_EQ(d.documents[0]["folded"].Scalar(), "*not an alias* and &not an anchor\n");
}

// Every input of the fuzz corpus that made yaml-cpp 0.7 loop is refused before yaml-cpp
// sees it, with a position.
TEST(YamlDocumentTest, RefusesWhatMakesYamlCppLoop) {
  for (const char* bad : {",", ",\nk]\n", "'x',", "\"x\" ,", "[a],", "{a: b},\n", "a: 'x',\n", "- x[\n,", "'x'\"y\",",
                          "[][],", "!site,", "[,a]\xff\xff[,a\xff\n,"}) {
    const YamlProblem p = ProblemOf(bad);
    EXPECT_GE(p.line, 1) << bad;
    EXPECT_GE(p.column, 1) << bad;
    EXPECT_FALSE(p.message.empty()) << bad;
  }
}

TEST(YamlDocumentTest, ReportsTheSyntaxErrorPosition) {
  const YamlProblem p = ProblemOf("a: b\nc: [d, e\nf: g\n");
  EXPECT_EQ(p.line, 3);
  EXPECT_NE(p.message.find("flow sequence"), std::string::npos) << p.message;
  const YamlProblem q = ProblemOf("a: b\n  c: d\n");
  EXPECT_EQ(q.line, 2);
  EXPECT_EQ(q.column, 4);
}

TEST(YamlDocumentTest, RefusesAnchorsAliasesAndTags) {
  YamlProblem p = ProblemOf("a: &x [1]\nb: 2\n");
  EXPECT_EQ(p.message, "anchors (&x) are not allowed");
  EXPECT_EQ(p.line, 1);
  EXPECT_EQ(p.column, 4);
  p = ProblemOf("a: [1]\nb: *x\n");
  EXPECT_NE(p.message.find("aliases (*x) are not allowed"), std::string::npos) << p.message;
  p = ProblemOf("a: !site x\n");
  EXPECT_EQ(p.message, "tags (!site) are not allowed");
  p = ProblemOf("a: !!str x\n");
  EXPECT_NE(p.message.find("tags ("), std::string::npos) << p.message;
  p = ProblemOf("%TAG !e! tag:example.com,2000:\n---\na: b\n");
  EXPECT_NE(p.message.find("%TAG"), std::string::npos) << p.message;
  YamlDocuments ok = ParseYamlDocuments("title: Hello!\nnote: \"!x *y &z\"\n");
  EXPECT_TRUE(ok.ok());
}

// A control byte is named in hex, with its position (issue 8, item 10: it was printed as a
// decimal number behind a 0x prefix).
TEST(YamlDocumentTest, NamesControlBytesInHex) {
  YamlProblem p = ProblemOf(std::string("a: b\nc: '\x1b'\n", 12));
  EXPECT_NE(p.message.find("(byte 0x1B)"), std::string::npos) << p.message;
  EXPECT_EQ(p.line, 2);
  EXPECT_EQ(p.column, 5);
  p = ProblemOf(std::string("a: b\0c", 6));
  EXPECT_NE(p.message.find("(byte 0x00)"), std::string::npos) << p.message;
  p = ProblemOf("a: \xff\n");
  EXPECT_NE(p.message.find("(byte 0xFF)"), std::string::npos) << p.message;
}

TEST(YamlDocumentTest, BoundsSizeAndDepth) {
  YamlLimits small;
  small.max_bytes = 50;
  YamlDocuments d = ParseYamlDocuments(std::string(100, 'a'), small);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.problem->message.find("limit is 50"), std::string::npos);
  const std::string deep = std::string(100, '[') + std::string(100, ']');
  YamlProblem p = ProblemOf(deep);
  EXPECT_NE(p.message.find("nested deeper than 64"), std::string::npos) << p.message;
  EXPECT_TRUE(ParseYamlDocuments(std::string(60, '[') + std::string(60, ']')).ok());
}

TEST(YamlDocumentTest, EmptyTextHasNoDocuments) {
  YamlDocuments d = ParseYamlDocuments("");
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d.documents.empty());
  d = ParseYamlDocuments("# only a comment\n");
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d.documents.empty());
}

}  // namespace
}  // namespace gatehouse
