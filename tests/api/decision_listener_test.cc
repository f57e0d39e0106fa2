// The decision listener (api/decision_server.h, Boost.Beast): the same route table entries
// as the main listener, so every check and batch — allowed, denied, explained, malformed,
// unauthenticated, over a limit — gets the same status and the same body from both; plus
// what the listener itself does: keep-alive and pipelining, 404 for other routes, 413 and
// 431, idle connections closed, busy ones kept past the idle timeout.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "support/api_fixture.h"

namespace gatehouse {
namespace {

using nlohmann::json;
using testing::kSystemKey;

class DecisionListenerTest : public testing::ApiFixture {
 protected:
  void Configure(ApiOptions& options, ApiServices& services) override {
    services.min_revision_wait = std::chrono::milliseconds(50);
    options.decision_host = "127.0.0.1";
    options.decision_port = 0;
    options.decision_threads = 2;
    options.idle_timeout_ms = 400;
  }
  void SetUp() override {
    ApiFixture::SetUp();
    ASSERT_GT(server_->decision_port(), 0);
    decision_ = std::make_unique<httplib::Client>("127.0.0.1", server_->decision_port());
    CreateAccount("acme", "olga");
    PutUser("ann", "ann@acme.test", "Ann", "A");
    PutAsset("s1", "site", "S1");
    PutAsset("s2", "site", "S2");
    Assign("ann", "website-designer", {{"site", {{"id", "s1"}}}});
  }

  // Status and body from both listeners for the same request.
  void ExpectSameOnBoth(const std::string& path, const std::string& body, const httplib::Headers& headers) {
    auto main = client_->Post(path.c_str(), headers, body, "application/json");
    auto fast = decision_->Post(path.c_str(), headers, body, "application/json");
    ASSERT_TRUE(main && fast) << body;
    EXPECT_EQ(fast->status, main->status) << body << "\nmain: " << main->body << "\ndecision: " << fast->body;
    EXPECT_EQ(fast->body, main->body) << body;
    EXPECT_EQ(fast->get_header_value("X-Gatehouse-Revision"), main->get_header_value("X-Gatehouse-Revision"));
  }

  // A TCP connection to the decision listener whose reads give up after `wait_ms`.
  int Connect(int wait_ms) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(server_->decision_port()));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    timeval tv{wait_ms / 1000, (wait_ms % 1000) * 1000};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
  }

  // Writes raw bytes to the decision listener and reads until the peer closes or `wait_ms`.
  std::string Raw(const std::string& bytes, int wait_ms = 1500) {
    const int fd = Connect(wait_ms);
    EXPECT_EQ(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL), static_cast<ssize_t>(bytes.size()));
    std::string out;
    char buf[4096];
    for (;;) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return out;
  }

  std::unique_ptr<httplib::Client> decision_;
};

TEST_F(DecisionListenerTest, EveryCheckGetsTheSameAnswerAsOnTheMainListener) {
  const auto h = Headers(kSystemKey, "acme");
  const std::string ann = R"({"subject":{"id":"ann"},"permission":"site.publish","asset":{"id":"s1"}})";
  for (
      const std::string& body :
      {ann, std::string(R"({"subject":{"id":"ann"},"permission":"site.publish","asset":{"id":"s2"}})"),
       std::string(
           R"({"subject":{"id":"ann","subjectType":"USER"},"permission":"site.publish","asset":{"id":"s2"},"explain":true})"),
       std::string(R"({"subject":{"id":"ann"},"permission":"site.publish"})"),
       std::string(R"({"subject":{"id":"ann","subjectType":"ROBOT"},"permission":"p","asset":{"id":"s1"}})"),
       std::string(R"({"subject":{"id":5},"permission":"p","asset":{"id":"s1"}})"), std::string("{not json"),
       std::string("[]"), std::string("")}) {
    ExpectSameOnBoth("/v1/check", body, h);
  }
  const std::string batch = "{\"checks\":[" + ann + "," + ann + "]}";
  ExpectSameOnBoth("/v1/check/batch", batch, h);
  ExpectSameOnBoth("/v1/check/batch", "{\"checks\":[" + ann + ",{\"subject\":{}}]}", h);
  std::string six = "{\"checks\":[";
  for (int i = 0; i < 6; ++i) six += (i ? "," : "") + ann;  // the fixture's limit is 5
  ExpectSameOnBoth("/v1/check/batch", six + "]}", h);
  ExpectSameOnBoth("/v1/check", ann, Headers("", "acme"));               // no key: 401
  ExpectSameOnBoth("/v1/check", ann, Headers("ghs_wrong-key", "acme"));  // unknown key
  ExpectSameOnBoth("/v1/check", ann, Headers(kSystemKey, ""));           // no account header
  const std::string app_key = KeyFor("app1", "EXTERNAL_APP");            // holds no access.check
  ExpectSameOnBoth("/v1/check", ann, Headers(app_key, "acme"));
  auto allowed = decision_->Post("/v1/check", h, ann, "application/json");
  ASSERT_TRUE(allowed);
  EXPECT_EQ(allowed->body, R"({"allowed":true})");
}

TEST_F(DecisionListenerTest, KeepAliveAndPipelinedRequestsAreAnsweredInOrder) {
  const std::string allowed = R"({"subject":{"id":"ann"},"permission":"site.publish","asset":{"id":"s1"}})";
  const std::string denied = R"({"subject":{"id":"ann"},"permission":"site.publish","asset":{"id":"s2"}})";
  auto request = [](const std::string& body) {
    return "POST /v1/check HTTP/1.1\r\nHost: x\r\nAuthorization: " + std::string(kSystemKey) +
           "\r\nwix-account-id: acme\r\nContent-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  };
  const std::string out = Raw(request(allowed) + request(denied) + request(allowed));
  const std::size_t first = out.find(R"({"allowed":true})");
  const std::size_t second = out.find(R"({"allowed":false})");
  const std::size_t third = out.find(R"({"allowed":true})", first + 1);
  ASSERT_NE(first, std::string::npos) << out;
  ASSERT_NE(second, std::string::npos) << out;
  ASSERT_NE(third, std::string::npos) << out;
  EXPECT_LT(first, second);
  EXPECT_LT(second, third);
}

TEST_F(DecisionListenerTest, OtherRoutesLimitsAndIdleConnections) {
  auto other = decision_->Get("/v1/accounts/acme", Headers(kSystemKey, ""));
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 404);
  EXPECT_NE(other->body.find("no route for GET /v1/accounts/acme on the decision listener"), std::string::npos);
  const std::string big(70 * 1024, ' ');  // the fixture's http.maxBodyBytes is 64 KiB
  auto too_big = decision_->Post("/v1/check", Headers(kSystemKey, "acme"), big, "application/json");
  ASSERT_TRUE(too_big);
  EXPECT_EQ(too_big->status, 413);
  EXPECT_NE(too_big->body.find("http.maxBodyBytes is 65536 bytes"), std::string::npos) << too_big->body;
  const std::string huge_header =
      "POST /v1/check HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n";
  EXPECT_NE(Raw(huge_header).find("HTTP/1.1 431"), std::string::npos);
  // An idle keep-alive connection is closed after http.idleTimeoutSeconds (400 ms here):
  // the read ends (peer closed) well before the 3 s the test would wait.
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(Raw("", 3000), "");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(2500));
}

// Answers are serialized by the listener itself: the status line in the request's HTTP
// version with its reason phrase, the fields (Content-Length right), the body; an HTTP/1.0
// request without keep-alive is answered and closed.
TEST_F(DecisionListenerTest, AnswersAreWholeInTheRequestsHttpVersion) {
  const std::string body = R"({"subject":{"id":"ann"},"permission":"site.publish","asset":{"id":"s1"}})";
  const std::string out = Raw("POST /v1/check HTTP/1.0\r\nHost: x\r\nAuthorization: " + std::string(kSystemKey) +
                              "\r\nwix-account-id: acme\r\nContent-Type: application/json\r\nContent-Length: " +
                              std::to_string(body.size()) + "\r\n\r\n" + body);
  EXPECT_EQ(out.rfind("HTTP/1.0 200 OK\r\n", 0), 0u) << out;
  const std::size_t end_of_head = out.find("\r\n\r\n");
  ASSERT_NE(end_of_head, std::string::npos) << out;
  EXPECT_EQ(out.substr(end_of_head + 4), R"({"allowed":true})");  // nothing after it: closed
  EXPECT_NE(out.find("Content-Length: 16\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("X-Gatehouse-Revision: "), std::string::npos) << out;
  const std::string missing = Raw("GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(missing.rfind("HTTP/1.1 404 Not Found\r\n", 0), 0u) << missing;
  const std::size_t head = missing.find("\r\n\r\n");
  ASSERT_NE(head, std::string::npos);
  EXPECT_NE(missing.find("Content-Length: " + std::to_string(missing.size() - head - 4) + "\r\n"), std::string::npos)
      << missing;
}

// The route kernel reads the request's headers straight from the listener's parser and
// hands back the headers it adds: X-Gatehouse-Min-Revision is honoured (400 when
// malformed, 503 with Retry-After when this node has not reached it), as on the main
// listener. An HTTP/1.0 request asking for keep-alive gets it, and says so.
TEST_F(DecisionListenerTest, TheKernelsHeadersAndHttp10KeepAlive) {
  const std::string ann = R"({"subject":{"id":"ann"},"permission":"site.publish","asset":{"id":"s1"}})";
  auto h = Headers(kSystemKey, "acme");
  h.emplace("X-Gatehouse-Min-Revision", "12x");
  ExpectSameOnBoth("/v1/check", ann, h);
  auto malformed = decision_->Post("/v1/check", h, ann, "application/json");
  ASSERT_TRUE(malformed);
  EXPECT_EQ(malformed->status, 400);
  EXPECT_NE(malformed->body.find("X-Gatehouse-Min-Revision"), std::string::npos) << malformed->body;
  h = Headers(kSystemKey, "acme");
  h.emplace("X-Gatehouse-Min-Revision", "999999");
  auto ahead = decision_->Post("/v1/check", h, ann, "application/json");
  ASSERT_TRUE(ahead);
  EXPECT_EQ(ahead->status, 503) << ahead->body;
  EXPECT_EQ(ahead->get_header_value("Retry-After"), "1");
  EXPECT_EQ(ahead->get_header_value("Content-Type"), "application/json");
  h = Headers(kSystemKey, "acme");
  h.emplace("X-Gatehouse-Min-Revision", "1");
  auto reached = decision_->Post("/v1/check", h, ann, "application/json");
  ASSERT_TRUE(reached);
  EXPECT_EQ(reached->status, 200);
  EXPECT_EQ(reached->body, R"({"allowed":true})");

  const std::string request =
      "POST /v1/check HTTP/1.0\r\nConnection: keep-alive\r\nAuthorization: " + std::string(kSystemKey) +
      "\r\nwix-account-id: acme\r\nContent-Length: " + std::to_string(ann.size()) + "\r\n\r\n" + ann;
  const std::string two = Raw(request + request, 800);  // kept open: the read ends at the idle timeout
  EXPECT_EQ(two.rfind("HTTP/1.0 200 OK\r\n", 0), 0u) << two;
  EXPECT_NE(two.find("Connection: keep-alive\r\n"), std::string::npos) << two;
  EXPECT_NE(two.find("HTTP/1.0 200 OK\r\n", 1), std::string::npos) << "the second request is answered too: " << two;
}

// The idle timeout runs from the last answer, not from the connection's start: a
// connection answering a request every 100 ms lives well past 400 ms, and one whose next
// request stalls half-way is closed about 400 ms after its last answer.
TEST_F(DecisionListenerTest, ABusyConnectionOutlivesTheIdleTimeoutAndAStalledRequestDoesNot) {
  const std::string body = R"({"subject":{"id":"ann"},"permission":"site.publish","asset":{"id":"s1"}})";
  const std::string request =
      "POST /v1/check HTTP/1.1\r\nHost: x\r\nAuthorization: " + std::string(kSystemKey) +
      "\r\nwix-account-id: acme\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\n\r\n";
  const int fd = Connect(2000);
  auto read_answer = [&] {
    std::string out;
    char buf[4096];
    while (out.find(R"({"allowed":true})") == std::string::npos) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return out + "<closed>";
      out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
  };
  for (int i = 0; i < 12; ++i) {  // 1.2 s of requests, three times the idle timeout
    const std::string whole = request + body;
    ASSERT_EQ(::send(fd, whole.data(), whole.size(), MSG_NOSIGNAL), static_cast<ssize_t>(whole.size()));
    const std::string answer = read_answer();
    ASSERT_EQ(answer.find("<closed>"), std::string::npos) << "request " << i << ": " << answer;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  // Headers now, the body never: closed about 400 ms after the last answer.
  const auto stalled = std::chrono::steady_clock::now();
  ASSERT_EQ(::send(fd, request.data(), request.size(), MSG_NOSIGNAL), static_cast<ssize_t>(request.size()));
  char byte;
  EXPECT_EQ(::recv(fd, &byte, 1, 0), 0) << "the peer closes";
  const auto waited = std::chrono::steady_clock::now() - stalled;
  EXPECT_LT(waited, std::chrono::milliseconds(1500));
  ::close(fd);
}

}  // namespace
}  // namespace gatehouse
