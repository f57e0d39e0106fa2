// Three real daemons on one PostgreSQL database ($BENCH_PG_CONNINFO, a libpq conninfo;
// scripts/bench.sh starts a throwaway cluster): how long after a write is answered on one
// node it is visible on the two others. Each write creates an account through node
// i % 3; then both other nodes are asked for that account with X-Gatehouse-Min-Revision
// set to the write's revision, and the time from the write's answer to each of their
// answers is recorded (it includes one HTTP round trip over loopback, ~0.1 ms). Prints
// p50 / p90 / p99 / max in milliseconds, and the write rate of the run.
//
// Usage: cluster_bench [writes=2000] [writer_threads=1]
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>

#include "support/daemon_process.h"
#include "support/temp_dir.h"

namespace {

using namespace gatehouse;
using Clock = std::chrono::steady_clock;

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  return v[i];
}

}  // namespace

int main(int argc, char** argv) {
  const char* conninfo = std::getenv("BENCH_PG_CONNINFO");
  if (conninfo == nullptr || *conninfo == '\0') {
    std::fprintf(stderr, "cluster_bench: set BENCH_PG_CONNINFO to a libpq conninfo\n");
    return 2;
  }
  const int writes = argc > 1 ? std::atoi(argv[1]) : 2000;
  const int writers = argc > 2 ? std::atoi(argv[2]) : 1;
  testing::TempDir dir;
  const std::string schema = "cluster_bench_" + std::to_string(::getpid());
  const std::string config =
      dir.Write("gatehouse.yaml", "http: {listen: 127.0.0.1:0}\npolicies: {dir: " GATEHOUSE_SOURCE_DIR
                                  "/policies}\nplugins: {dir: " GATEHOUSE_PLUGIN_DIR "}\nauth: {systemKeyFile: " +
                                      dir.File("system-key") + "}\nstorage: {plugin: postgres, options: {conninfo: \"" +
                                      conninfo + "\", schema: " + schema + "}}\n");
  std::vector<std::unique_ptr<testing::DaemonProcess>> nodes;
  std::vector<int> ports;
  for (int i = 0; i < 3; ++i) {
    nodes.push_back(std::make_unique<testing::DaemonProcess>(std::vector<std::string>{"--config", config}));
    ports.push_back(nodes.back()->WaitForPort());
    if (ports.back() <= 0) {
      std::fprintf(stderr, "node %d did not start:\n%s\n", i, nodes.back()->Output().c_str());
      return 1;
    }
  }
  std::string key;
  std::ifstream(dir.File("system-key")) >> key;
  std::mutex mu;
  std::vector<double> visible_ms;
  std::atomic<int> next{0}, failed{0};
  const auto started = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < writers; ++t) {
    threads.emplace_back([&] {
      std::vector<std::unique_ptr<httplib::Client>> clients;
      for (int port : ports) {
        clients.push_back(std::make_unique<httplib::Client>("127.0.0.1", port));
        clients.back()->set_keep_alive(true);
        clients.back()->set_tcp_nodelay(true);  // else the body waits for the headers' ACK (Nagle)
      }
      const httplib::Headers auth{{"Authorization", key}};
      for (int i = next++; i < writes; i = next++) {
        const int writer = i % 3;
        const std::string id = "b" + std::to_string(i);
        auto w = clients[writer]->Post("/v1/accounts", auth,
                                       nlohmann::json{{"id", id}, {"name", "n"}, {"ownerUserId", "o"}}.dump(),
                                       "application/json");
        if (!w || w->status != 201) {
          ++failed;
          continue;
        }
        const auto answered = Clock::now();
        const std::string revision = w->get_header_value("X-Gatehouse-Revision");
        for (int other = 0; other < 3; ++other) {
          if (other == writer) continue;
          httplib::Headers h = auth;
          h.emplace("X-Gatehouse-Min-Revision", revision);
          auto r = clients[other]->Get("/v1/accounts/" + id, h);
          if (!r || r->status != 200) {
            ++failed;
            continue;
          }
          const double ms = std::chrono::duration<double, std::milli>(Clock::now() - answered).count();
          std::lock_guard lock(mu);
          visible_ms.push_back(ms);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  std::printf(
      "cluster_bench: 3 nodes, %d writes from %d writer thread(s) in %.2f s (%.0f writes/s with the reads), %d "
      "failed\n",
      writes, writers, seconds, writes / seconds, failed.load());
  std::printf("write -> visible on another node (%zu samples): p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms\n",
              visible_ms.size(), Percentile(visible_ms, 0.50), Percentile(visible_ms, 0.90),
              Percentile(visible_ms, 0.99), Percentile(visible_ms, 1.0));
  return failed.load() == 0 ? 0 : 1;
}
