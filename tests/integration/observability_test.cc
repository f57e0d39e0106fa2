// What an operator sees of a real gatehoused: /metrics after traffic, parsed by
// Prometheus' own text parser, with every family the operations docs promise; and the
// JSON access log, every line parsed back, none holding a key.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/command.h"
#include "support/daemon_process.h"
#include "support/temp_dir.h"

namespace gatehouse {
namespace {

using nlohmann::json;

class ObservabilityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<testing::DaemonProcess>(
        std::vector<std::string>{"--config", testing::WriteDaemonConfig(dir_, "log: {format: json, access: true}\n")});
    port_ = daemon_->WaitForPort();
    ASSERT_GT(port_, 0) << daemon_->Output();
    std::ifstream in(dir_.File("system-key"));
    in >> key_;
    http_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
  }

  httplib::Headers Auth() const { return {{"Authorization", "Bearer " + key_}, {"wix-account-id", "acme"}}; }

  // The scrape as Prometheus' parser reads it.
  json Scrape() {
    auto r = http_->Get("/metrics");
    EXPECT_TRUE(r && r->status == 200);
    const std::string file = dir_.File("scrape.txt");
    std::ofstream(file) << r->body;
    auto parsed = testing::RunCommand(std::string("/usr/bin/python3 ") + GATEHOUSE_SOURCE_DIR +
                                      "/tests/integration/tools/parse_metrics.py < " + file);
    EXPECT_EQ(parsed.rc, 0) << parsed.output << "\n" << r->body;
    return json::parse(parsed.output, nullptr, false);
  }

  static double Sample(const json& scrape, const std::string& name, const std::map<std::string, std::string>& labels) {
    for (const auto& s : scrape["samples"]) {
      if (s[0] != name) continue;
      bool match = true;
      for (const auto& [k, v] : labels) match = match && s[1].contains(k) && s[1][k] == v;
      if (match) return s[2].get<double>();
    }
    return -1;
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::DaemonProcess> daemon_;
  int port_ = 0;
  std::string key_;
  std::unique_ptr<httplib::Client> http_;
};

TEST_F(ObservabilityTest, MetricsAfterTrafficParseAndHoldEveryFamily) {
  auto created =
      http_->Post("/v1/accounts", Auth(), R"({"id":"acme","name":"Acme","ownerUserId":"olga"})", "application/json");
  ASSERT_EQ(created->status, 201) << created->body;
  auto check = [&](const std::string& permission, const std::string& subject) {
    return http_->Post("/v1/check", Auth(),
                       json{{"subject", {{"id", subject}, {"subjectType", "USER"}}},
                            {"permission", permission},
                            {"asset", {{"id", "acme"}}}}
                           .dump(),
                       "application/json");
  };
  for (int i = 0; i < 5; ++i) ASSERT_EQ(check("site.view", "olga")->body, R"({"allowed":true})");
  for (int i = 0; i < 3; ++i) ASSERT_EQ(check("site.view", "nobody")->body, R"({"allowed":false})");
  ASSERT_EQ(check("no.such.permission", "olga")->body, R"({"allowed":false})");
  EXPECT_EQ(http_->Post("/v1/check", Auth(), "{", "application/json")->status, 400);
  EXPECT_EQ(http_->Get("/v1/accounts/acme", httplib::Headers{{"Authorization", "Bearer wrong"}})->status, 401);
  auto reload = http_->Post("/v1/admin/reload", Auth(), "", "application/json");
  ASSERT_EQ(reload->status, 200) << reload->body;

  const json scrape = Scrape();
  ASSERT_TRUE(scrape.is_object());
  const json& families = scrape["families"];
  const std::map<std::string, std::string> expected = {
      {"gatehouse_http_requests", "counter"},
      {"gatehouse_http_request_duration_seconds", "histogram"},
      {"gatehouse_decisions", "counter"},
      {"gatehouse_commit_duration_seconds", "histogram"},
      {"gatehouse_storage_append_duration_seconds", "histogram"},
      {"gatehouse_snapshot_publishes", "counter"},
      {"gatehouse_startup_replay_seconds", "gauge"},
      {"gatehouse_policy_reloads", "counter"},
      {"gatehouse_notifier_delivered", "counter"},
      {"gatehouse_notifier_failures", "counter"},
      {"gatehouse_state_revision", "gauge"},
      {"process_cpu_seconds", "counter"},
      {"process_resident_memory_bytes", "gauge"},
      {"process_open_fds", "gauge"},
      {"process_start_time_seconds", "gauge"},
      {"gatehouse_build_info", "gauge"},
  };
  for (const auto& [name, type] : expected) {
    EXPECT_TRUE(families.contains(name)) << name;
    if (families.contains(name)) {
      EXPECT_EQ(families[name], type) << name;
    }
  }
  // The numbers follow the traffic.
  EXPECT_EQ(Sample(scrape, "gatehouse_decisions_total", {{"result", "allowed"}, {"reason", "ALLOWED"}}), 5);
  EXPECT_EQ(Sample(scrape, "gatehouse_decisions_total", {{"result", "denied"}, {"reason", "UNKNOWN_SUBJECT"}}), 3);
  EXPECT_EQ(Sample(scrape, "gatehouse_decisions_total", {{"result", "denied"}, {"reason", "UNKNOWN_PERMISSION"}}), 1);
  EXPECT_EQ(
      Sample(scrape, "gatehouse_http_requests_total", {{"route", "/v1/check"}, {"method", "POST"}, {"code", "2xx"}}),
      9);
  EXPECT_EQ(
      Sample(scrape, "gatehouse_http_requests_total", {{"route", "/v1/check"}, {"method", "POST"}, {"code", "4xx"}}),
      1);
  EXPECT_EQ(Sample(scrape, "gatehouse_http_requests_total",
                   {{"route", "/v1/accounts/{id}"}, {"method", "GET"}, {"code", "4xx"}}),
            1);
  EXPECT_EQ(Sample(scrape, "gatehouse_http_request_duration_seconds_count", {{"route", "/v1/check"}}), 10);
  EXPECT_EQ(Sample(scrape, "gatehouse_http_request_duration_seconds_bucket", {{"route", "/v1/check"}, {"le", "+Inf"}}),
            10);
  EXPECT_EQ(Sample(scrape, "gatehouse_commit_duration_seconds_count", {}), 1);
  EXPECT_GE(Sample(scrape, "gatehouse_snapshot_publishes_total", {}), 2);  // the write and the reload
  EXPECT_EQ(Sample(scrape, "gatehouse_policy_reloads_total", {{"result", "ok"}}), 1);
  EXPECT_EQ(Sample(scrape, "gatehouse_policy_reloads_total", {{"result", "failed"}}), 0);
  EXPECT_EQ(Sample(scrape, "gatehouse_build_info", {{"version", GATEHOUSE_TEST_VERSION}}), 1);
  EXPECT_GT(Sample(scrape, "process_resident_memory_bytes", {}), 1e6);
  EXPECT_GT(Sample(scrape, "process_open_fds", {}), 3);
}

TEST_F(ObservabilityTest, AccessLogLinesAreJsonAndHoldNoKey) {
  EXPECT_EQ(http_->Get("/v1/accounts/acme?x=1", Auth())->status, 404);
  EXPECT_EQ(http_->Get("/healthz")->status, 200);
  daemon_->Signal(SIGTERM);
  ASSERT_EQ(daemon_->Wait(), 0) << daemon_->Output();
  std::stringstream lines(daemon_->Output());
  int access_lines = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    const json j = json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line;
    EXPECT_EQ(line.find(key_), std::string::npos) << "a key in the log: " << line;
    const std::string message = j.value("message", j.value("msg", std::string()));
    if (message.rfind("http GET /v1/accounts/acme 404 ", 0) == 0) {
      ++access_lines;
      EXPECT_EQ(message.find("x=1"), std::string::npos) << message;  // no query string
      EXPECT_NE(message.find("ms 127.0.0.1"), std::string::npos) << message;
    }
  }
  EXPECT_EQ(access_lines, 1) << daemon_->Output();
}

// systemd's side of the watchdog, played by the test: a notify socket that counts
// WATCHDOG=1 datagrams.
class NotifySocket {
 public:
  explicit NotifySocket(const std::string& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  }
  ~NotifySocket() { ::close(fd_); }
  // Counts the WATCHDOG=1 datagrams that arrive within `window`.
  int Pings(std::chrono::milliseconds window, bool* ready = nullptr) {
    int pings = 0;
    const auto end = std::chrono::steady_clock::now() + window;
    for (auto now = std::chrono::steady_clock::now(); now < end; now = std::chrono::steady_clock::now()) {
      pollfd p{fd_, POLLIN, 0};
      const int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(end - now).count());
      if (::poll(&p, 1, left) <= 0) continue;
      char buf[512];
      const ssize_t n = ::recv(fd_, buf, sizeof buf - 1, 0);
      if (n <= 0) continue;
      const std::string msg(buf, static_cast<std::size_t>(n));
      if (msg.find("WATCHDOG=1") != std::string::npos) ++pings;
      if (ready != nullptr && msg.find("READY=1") != std::string::npos) *ready = true;
    }
    return pings;
  }

 private:
  std::string path_;
  int fd_ = -1;
};

TEST(WatchdogTest, PingsOnlyWhileTheApiPoolAnswers) {
  testing::TempDir dir;
  NotifySocket notify(dir.File("notify.sock"));
  // A 400 ms watchdog: a probe every 200 ms, each given 100 ms; four API workers.
  testing::DaemonProcess daemon(
      {"--config", testing::WriteDaemonConfig(dir, "", GATEHOUSE_SOURCE_DIR "/policies", ", threads: 4")},
      {"NOTIFY_SOCKET=" + dir.File("notify.sock"), "WATCHDOG_USEC=400000"});
  const int port = daemon.WaitForPort();
  ASSERT_GT(port, 0) << daemon.Output();
  bool ready = false;
  EXPECT_GE(notify.Pings(std::chrono::milliseconds(1500), &ready), 3) << daemon.Output();
  EXPECT_TRUE(ready);

  // Wedge the pool: four keep-alive connections, each served once and then left idle,
  // hold all four workers (the idle timeout is 30 s).
  std::vector<int> held;
  for (int i = 0; i < 4; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    const std::string req = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    ASSERT_EQ(::send(fd, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
    char buf[1024];
    ASSERT_GT(::recv(fd, buf, sizeof buf, 0), 0);
    held.push_back(fd);
  }
  (void)notify.Pings(std::chrono::milliseconds(300));  // a probe already under way may finish
  EXPECT_EQ(notify.Pings(std::chrono::milliseconds(1500)), 0) << "pinging with a wedged pool";
  for (int fd : held) ::close(fd);
  EXPECT_GE(notify.Pings(std::chrono::milliseconds(1500)), 2) << "pings did not resume";
  EXPECT_NE(daemon.Output().find("watchdog: the API listener did not answer"), std::string::npos) << daemon.Output();
  daemon.Signal(SIGTERM);
  EXPECT_EQ(daemon.Wait(), 0);
}

TEST(WatchdogTest, NoWatchdogAskedNoThread) {
  testing::TempDir dir;
  testing::DaemonProcess daemon({"--config", testing::WriteDaemonConfig(dir)});
  ASSERT_GT(daemon.WaitForPort(), 0) << daemon.Output();
  daemon.Signal(SIGTERM);
  EXPECT_EQ(daemon.Wait(), 0);
  EXPECT_EQ(daemon.Output().find("systemd watchdog"), std::string::npos) << daemon.Output();
}

}  // namespace
}  // namespace gatehouse
