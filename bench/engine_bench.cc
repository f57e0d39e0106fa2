// Engine benchmarks (make bench): in-process check latency at 10k … 10M assignments with
// a realistic shape, reverse-query page latency, bytes per assignment, and policy
// compile/load time for 1k roles. Each check is timed on its own so p50/p99 are real
// per-check percentiles (the clock's own cost, measured first, is subtracted).
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <cstring>
#include <new>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <random>

#include "core/instruments.h"
#include "engine/decider.h"
#include "engine/policy_compiler.h"
#include "engine/team_index.h"
#include "engine/team_search.h"
#include "policy/policy_loader.h"

namespace gatehouse {
namespace {

using Clock = std::chrono::steady_clock;

std::shared_ptr<const PolicySet> CataloguePolicies() {
  static auto set = [] {
    PolicyLoad load = LoadPolicyDirectory(std::string(GATEHOUSE_SOURCE_DIR) + "/policies");
    if (!load.ok()) std::abort();
    return load.policy_set;
  }();
  return set;
}

struct World {
  std::shared_ptr<Snapshot> snapshot;
  std::vector<std::string> account_ids;
  std::size_t assignments = 0;
  std::size_t heap_bytes = 0;
  std::size_t arena_bytes = 0;  // of which the decision arenas (their blocks, not malloc's overhead)
};

std::size_t HeapInUse() {
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

// Accounts of 2–30 members (mean ≈ 8) with 1–3 assignments each, a few folders, sites in
// folders and at the top; roles mostly site-restricted, some folder, some account-wide.
World BuildWorld(std::size_t target_assignments) {
  World w;
  auto policies = CataloguePolicies();
  const std::size_t before = HeapInUse();
  std::mt19937_64 rng(42);
  const char* site_roles[] = {"website-manager", "website-designer", "back-office-manager", "admin"};
  auto snapshot = std::make_shared<Snapshot>(policies, 1);
  std::vector<std::shared_ptr<const AccountState>> batch;
  std::uint64_t next_id = 1;
  std::size_t account_no = 0;
  while (w.assignments < target_assignments) {
    const std::string id = "acct-" + std::to_string(account_no++);
    auto state = std::make_shared<AccountState>(Account{id, id, "owner-" + id, 0});
    const int folders = 1 + static_cast<int>(rng() % 3);
    const int sites = 2 + static_cast<int>(rng() % 8);
    for (int f = 0; f < folders; ++f) state->ApplyAssetPut(Asset{id, "f" + std::to_string(f), "folder", "Folder", ""});
    for (int s = 0; s < sites; ++s) {
      const std::string parent = s % 2 == 0 ? "" : "f" + std::to_string(s % folders);
      state->ApplyAssetPut(Asset{id, "s" + std::to_string(s), "site", "Site", parent});
    }
    const int members = 2 + static_cast<int>(rng() % 13);
    for (int m = 0; m < members && w.assignments < target_assignments; ++m) {
      const int count = 1 + static_cast<int>(rng() % 3);
      for (int k = 0; k < count; ++k) {
        Assignment a;
        a.id = next_id++;
        a.account_id = id;
        a.subject = Subject{m == 0 ? "owner-" + id : "u" + std::to_string(m), SubjectType::kUser};
        const int shape = static_cast<int>(rng() % 10);
        if (m == 0) {
          a.role_id = "owner";
        } else if (shape < 6) {
          a.role_id = site_roles[rng() % 4];
          a.restriction = Restriction{Restriction::Kind::kSite, {"s" + std::to_string(rng() % sites)}};
        } else if (shape < 9) {
          a.role_id = site_roles[rng() % 3];
          a.restriction = Restriction{Restriction::Kind::kFolders, {"f" + std::to_string(rng() % folders)}};
        } else {
          a.role_id = "billing-manager";
        }
        state->ApplyAssignmentAdded(a);
        ++w.assignments;
        if (m == 0) break;
      }
    }
    w.account_ids.push_back(id);
    state->ShrinkToFit();  // as the daemon's writer does before publishing (team/state_builder.cc)
    batch.push_back(std::move(state));
    if (batch.size() == 4096) {
      snapshot->PutAccounts(std::move(batch));
      batch.clear();
    }
  }
  snapshot->PutAccounts(std::move(batch));
  w.snapshot = std::move(snapshot);
  w.heap_bytes = HeapInUse() - before;
  w.snapshot->ForEachAccount([&](const AccountView& view) {
    if (view.arena) w.arena_bytes += view.arena->size_bytes();
  });
  return w;
}

World& GetWorld(std::size_t n) {
  static std::map<std::size_t, std::unique_ptr<World>> worlds;
  auto& w = worlds[n];
  if (!w) w = std::make_unique<World>(BuildWorld(n));
  return *w;
}

std::int64_t ClockOverheadNs() {
  static const std::int64_t overhead = [] {
    std::vector<std::int64_t> samples(100000);
    for (auto& s : samples) {
      auto a = Clock::now();
      auto b = Clock::now();
      s = std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count();
    }
    std::nth_element(samples.begin(), samples.begin() + samples.size() / 2, samples.end());
    return samples[samples.size() / 2];
  }();
  return overhead;
}

struct Query {
  std::string account, subject, permission, asset;
};

std::vector<Query> MakeQueries(const World& w, std::size_t n) {
  std::mt19937_64 rng(7);
  const char* perms[] = {"site.edit", "site.view", "site.publish", "site.delete", "team.view", "billing.view"};
  std::vector<Query> qs;
  qs.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::string& account = w.account_ids[rng() % w.account_ids.size()];
    const auto state = w.snapshot->FindState(account);
    const auto& subjects = state->subjects();
    const auto& subject = subjects[rng() % subjects.size()];
    const std::uint32_t node = static_cast<std::uint32_t>(rng() % state->NodeCount());
    qs.push_back(Query{account, subject.id, perms[rng() % 6], state->Node(node).id});
  }
  return qs;
}

// Times `step(account, subject, permission, asset)` once per iteration over random
// queries and reports per-call percentiles (the clock's own cost subtracted).
template <typename Step>
void TimeChecks(benchmark::State& state, const Step& step) {
  World& w = GetWorld(static_cast<std::size_t>(state.range(0)));
  const auto queries = MakeQueries(w, 1 << 16);
  const std::int64_t overhead = ClockOverheadNs();
  std::vector<std::int64_t> latencies;
  latencies.reserve(1 << 22);
  std::size_t i = 0, allowed = 0;
  // A request's strings were just parsed, so they are in cache: copy each query into small
  // reused buffers before timing, so the measurement is the engine's misses, not the
  // benchmark's own 8 MB query table's.
  std::string account, subject, permission, asset;
  for (auto* s : {&account, &subject, &permission, &asset}) s->reserve(64);
  for (auto _ : state) {
    const Query& q = queries[i++ & (queries.size() - 1)];
    account = q.account;
    subject = q.subject;
    permission = q.permission;
    asset = q.asset;
    benchmark::ClobberMemory();
    const auto start = Clock::now();
    const bool ok = step(*w.snapshot, account, subject, permission, asset);
    const auto end = Clock::now();
    benchmark::DoNotOptimize(ok);
    allowed += ok ? 1 : 0;
    if (latencies.size() < latencies.capacity()) {
      latencies.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(end - start).count() - overhead);
    }
  }
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) {
    return static_cast<double>(latencies[static_cast<std::size_t>(p * (latencies.size() - 1))]);
  };
  state.counters["p50_ns"] = pct(0.50);
  state.counters["p99_ns"] = pct(0.99);
  state.counters["p999_ns"] = pct(0.999);
  state.counters["allow_pct"] = 100.0 * static_cast<double>(allowed) / static_cast<double>(i);
  state.counters["assignments"] = static_cast<double>(w.assignments);
  state.counters["bytes_per_assignment"] = static_cast<double>(w.heap_bytes) / static_cast<double>(w.assignments);
  state.counters["arena_bytes_per_assignment"] =
      static_cast<double>(w.arena_bytes) / static_cast<double>(w.assignments);
}

constexpr Timestamp kBenchNow = 1'800'000'000'000;

void BM_Check(benchmark::State& state) {
  TimeChecks(state, [](const Snapshot& snap, std::string_view account, std::string_view subject,
                       std::string_view permission, std::string_view asset) {
    return Check(snap, CheckQuery{account, SubjectType::kUser, subject, permission, asset}, kBenchNow);
  });
}
BENCHMARK(BM_Check)
    ->Arg(10'000)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Arg(10'000'000)
    ->Iterations(2'000'000)
    ->Unit(benchmark::kNanosecond);

// What /v1/check runs: the decision with its deny reason (the metrics count reasons). A
// deny is ranked from the arena too, so this stays close to BM_Check.
void BM_Decide(benchmark::State& state) {
  TimeChecks(state, [](const Snapshot& snap, std::string_view account, std::string_view subject,
                       std::string_view permission, std::string_view asset) {
    return Decide(snap, CheckQuery{account, SubjectType::kUser, subject, permission, asset}, kBenchNow) ==
           DenyReason::kNone;
  });
}
BENCHMARK(BM_Decide)->Arg(1'000'000)->Iterations(1'000'000)->Unit(benchmark::kNanosecond);

// What every read of a small account's state costs besides the read itself: decoding
// the state a snapshot keeps encoded (AccountView::State()), for the benchmark's typical
// accounts (mean 16 assignments).
void BM_AccountStateDecode(benchmark::State& state) {
  TimeChecks(state, [](const Snapshot& snap, std::string_view account, std::string_view, std::string_view,
                       std::string_view) { return snap.FindState(account)->GrantCount() > 0; });
}
BENCHMARK(BM_AccountStateDecode)->Arg(1'000'000)->Iterations(200'000)->Unit(benchmark::kNanosecond);

// The machine's floor for the checks above: one dependent load from a random cache line
// of a buffer of N MiB (a pointer chase, so no two loads overlap). Once the state
// outgrows the caches, a check cannot be faster than its dependent misses times this.
void BM_MemoryLatency(benchmark::State& state) {
  const std::size_t lines = static_cast<std::size_t>(state.range(0)) * 1024 * 1024 / 64;
  struct alignas(64) Line {
    const Line* next;
  };
  std::vector<Line> buffer(lines);
  std::vector<std::size_t> order(lines);
  for (std::size_t i = 0; i < lines; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937_64(3));
  for (std::size_t i = 0; i < lines; ++i) buffer[order[i]].next = &buffer[order[(i + 1) % lines]];
  const Line* at = &buffer[order[0]];
  constexpr std::size_t kSteps = 1 << 20;
  std::size_t loads = 0;
  for (auto _ : state) {
    for (std::size_t i = 0; i < kSteps; ++i) at = at->next;
    benchmark::DoNotOptimize(at);
    loads += kSteps;
  }
  state.counters["ns_per_load"] =
      benchmark::Counter(static_cast<double>(loads), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_MemoryLatency)->Arg(1)->Arg(2)->Arg(4)->Arg(8)->Arg(16)->Arg(64)->Arg(512)->Unit(benchmark::kMillisecond);

// The first part of a check alone: finding the account (its table slot, then its arena's
// first line, which confirms the id). The difference to BM_Check is the rest of the
// arena and the decision itself.
void BM_CheckAccountLookup(benchmark::State& state) {
  TimeChecks(state, [](const Snapshot& snap, std::string_view account, std::string_view, std::string_view,
                       std::string_view) { return static_cast<bool>(snap.FindAccountHit(account)); });
}
BENCHMARK(BM_CheckAccountLookup)
    ->Arg(10'000)
    ->Arg(1'000'000)
    ->Arg(10'000'000)
    ->Iterations(2'000'000)
    ->Unit(benchmark::kNanosecond);

// A prototype of a one-load layout, to measure what it would give before building it: every
// account's arena copied into a fixed-size slot of one open-addressing table (the slot's
// address follows from the account id's hash, so no pointer is loaded before the block),
// slots as big as the world's largest arena. A check hashes the account id, asks for the
// home slot's lines, all at once, confirms the id in the slot's first line and runs the
// arena's check. Arenas hold only offsets from their own start (and role pointers), so a
// copy is a working arena. Not the engine's layout: nothing writes to it after the build.
struct InlineBlocks {
  std::size_t slot_bytes = 0;
  std::size_t mask = 0;
  std::byte* base = nullptr;
  std::size_t bytes = 0;
};
const InlineBlocks& InlineBlocksFor(std::size_t n) {
  static std::map<std::size_t, InlineBlocks> tables;
  auto& t = tables[n];
  if (t.base != nullptr) return t;
  World& w = GetWorld(n);
  std::vector<const DecisionArena*> arenas;
  w.snapshot->ForEachAccount([&](const AccountView& v) {
    if (v.arena) arenas.push_back(v.arena.get());
  });
  for (const auto* a : arenas) t.slot_bytes = std::max(t.slot_bytes, (a->size_bytes() + 63) / 64 * 64);
  std::size_t slots = 1;
  while (slots * 3 < arenas.size() * 4) slots *= 2;
  t.mask = slots - 1;
  t.bytes = slots * t.slot_bytes;
  t.base = static_cast<std::byte*>(::operator new (t.bytes, std::align_val_t{64}));
  std::memset(t.base, 0, t.bytes);
  for (const auto* a : arenas) {
    std::size_t i = DecisionArena::HashId(a->account_id()) & t.mask;
    while (reinterpret_cast<const DecisionArena*>(t.base + i * t.slot_bytes)->size_bytes() != 0) i = (i + 1) & t.mask;
    std::memcpy(t.base + i * t.slot_bytes, static_cast<const void*>(a), a->size_bytes());
  }
  return t;
}

void BM_CheckBlocksInTable(benchmark::State& state) {
  const InlineBlocks& t = InlineBlocksFor(static_cast<std::size_t>(state.range(0)));
  TimeChecks(state, [&t](const Snapshot& snap, std::string_view account, std::string_view subject,
                         std::string_view permission, std::string_view asset) {
    std::size_t i = DecisionArena::HashId(account) & t.mask;
    for (;; i = (i + 1) & t.mask) {
      const auto* arena = reinterpret_cast<const DecisionArena*>(t.base + i * t.slot_bytes);
      arena->Prefetch(static_cast<std::uint32_t>(t.slot_bytes / 64));
      if (arena->size_bytes() == 0) return false;
      if (arena->account_id() != account) continue;
      const auto perm = snap.policy_set().PermissionIndex(permission);
      if (!perm) return false;
      return arena->Allows(SubjectType::kUser, subject, asset, *perm, snap.policy_set().Permission(*perm).account_level,
                           kBenchNow);
    }
  });
  state.counters["slot_bytes"] = static_cast<double>(t.slot_bytes);
  state.counters["table_bytes_per_assignment"] =
      static_cast<double>(t.bytes) /
      static_cast<double>(GetWorld(static_cast<std::size_t>(state.range(0))).assignments);
}
BENCHMARK(BM_CheckBlocksInTable)
    ->Arg(10'000)
    ->Arg(1'000'000)
    ->Arg(10'000'000)
    ->Iterations(2'000'000)
    ->Unit(benchmark::kNanosecond);

// One account with `members` members and 2 assignments each over 1000 sites: the reverse
// queries' page latency (100 items).
World& BigAccount(std::size_t members) {
  static std::map<std::size_t, std::unique_ptr<World>> worlds;
  auto& w = worlds[members];
  if (w) return *w;
  w = std::make_unique<World>();
  auto state = std::make_shared<AccountState>(Account{"big", "Big", "owner", 0});
  for (int f = 0; f < 20; ++f) state->ApplyAssetPut(Asset{"big", "f" + std::to_string(f), "folder", "F", ""});
  for (int s = 0; s < 1000; ++s) {
    state->ApplyAssetPut(Asset{"big", "s" + std::to_string(s), "site", "S", "f" + std::to_string(s % 20)});
  }
  std::uint64_t id = 1;
  for (std::size_t m = 0; m < members; ++m) {
    Assignment a;
    a.account_id = "big";
    a.subject = Subject{"u" + std::to_string(m), SubjectType::kUser};
    a.id = id++;
    a.role_id = "website-designer";
    a.restriction = Restriction{Restriction::Kind::kSite, {"s" + std::to_string(m % 1000)}};
    state->ApplyAssignmentAdded(a);
    a.id = id++;
    a.role_id = m % 50 == 0 ? "account-admin" : "back-office-manager";
    a.restriction =
        m % 50 == 0 ? Restriction{} : Restriction{Restriction::Kind::kFolders, {"f" + std::to_string(m % 20)}};
    state->ApplyAssignmentAdded(a);
    w->assignments += 2;
  }
  w->snapshot = std::make_shared<Snapshot>(CataloguePolicies(), 1);
  w->snapshot->PutAccount(state);
  w->account_ids = {"big"};
  return *w;
}

void BM_ListSubjectsPage(benchmark::State& state) {
  World& w = BigAccount(static_cast<std::size_t>(state.range(0)));
  std::size_t n = 0;
  for (auto _ : state) {
    auto page = ListSubjects(*w.snapshot, "big", "s17", "site.view", 100, "", 0);
    n += page.subjects.size();
    benchmark::DoNotOptimize(page);
  }
  state.counters["items"] = static_cast<double>(n) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_ListSubjectsPage)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMicrosecond);

// The first ListSubjects after a write: the written account's state is new, so its reverse
// index (engine/subject_index.h) is built on that call.
void BM_ListSubjectsFirstPageAfterWrite(benchmark::State& state) {
  World& w = BigAccount(static_cast<std::size_t>(state.range(0)));
  const AccountView* view = w.snapshot->FindAccount("big");
  for (auto _ : state) {
    state.PauseTiming();
    auto copy = std::make_shared<Snapshot>(CataloguePolicies(), 2);
    copy->PutAccount(std::shared_ptr<const AccountState>(view->MutableCopy()));  // a copy carries no cached index
    state.ResumeTiming();
    auto page = ListSubjects(*copy, "big", "s17", "site.view", 100, "", 0);
    benchmark::DoNotOptimize(page);
    state.PauseTiming();
    copy.reset();
    state.ResumeTiming();
  }
}
BENCHMARK(BM_ListSubjectsFirstPageAfterWrite)->Arg(100'000)->Iterations(20)->Unit(benchmark::kMillisecond);

void BM_ListAssetsPage(benchmark::State& state) {
  World& w = BigAccount(10'000);
  const Subject admin{"u0", SubjectType::kUser};  // account-wide: every asset
  std::size_t n = 0;
  for (auto _ : state) {
    auto page = ListAssets(*w.snapshot, "big", admin, "site.view", "", 100, "s5", 0);
    n += page.assets.size();
    benchmark::DoNotOptimize(page);
  }
  state.counters["items"] = static_cast<double>(n) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_ListAssetsPage)->Unit(benchmark::kMicrosecond);

// Search Team on one account of 100 k members (plus 1 k invites) with every facet, a
// filter and a query, as the access-review flow calls it. Per-call percentiles.
World* TeamWorld100k() {
  static World* w = [] {
    auto* world = new World(BigAccount(100'000));
    std::shared_ptr<AccountState> account = world->snapshot->FindAccount("big")->MutableCopy();
    for (int i = 0; i < 1000; ++i) {
      Invite inv;
      inv.id = "inv-" + std::to_string(i);
      inv.account_id = "big";
      inv.email = "invitee" + std::to_string(i) + "@example.test";
      inv.assignments.push_back({"website-designer", Restriction{Restriction::Kind::kSite, {"s1"}}});
      inv.expires_at = std::numeric_limits<Timestamp>::max();
      account->ApplyInvitePut(inv);
    }
    std::vector<std::pair<std::string, std::optional<User>>> users;
    for (int m = 0; m < 100'000; ++m) {
      users.emplace_back("u" + std::to_string(m),
                         User{"u" + std::to_string(m), "user" + std::to_string(m) + "@example.test",
                              "First" + std::to_string(m % 977), "Last" + std::to_string(m), ""});
    }
    world->snapshot = world->snapshot->Next(2);
    world->snapshot->PutAccount(account);
    world->snapshot->mutable_users().Apply(users);
    return world;
  }();
  return w;
}

void BM_SearchTeam100kMembers(benchmark::State& state) {
  World* w = TeamWorld100k();
  const auto held = w->snapshot->FindState("big");
  const AccountState& account = *held;
  TeamSearchRequest request;
  request.facets = {TeamSearchRequest::Facet::kRoles, TeamSearchRequest::Facet::kInviteStatus,
                    TeamSearchRequest::Facet::kUsers};
  request.limit = 50;
  const bool filtered = state.range(0) != 0;
  if (filtered) {
    TeamFilter f;
    f.kind = TeamFilter::Kind::kCompare;
    f.field = TeamFilter::Field::kRoleId;
    f.values = {"back-office-manager"};
    request.filter = f;
    request.query = "first1";
  }
  // The first call after a change to the account (or to any user) builds the team index;
  // later calls reuse it. Measure a build on its own, then warm the cache.
  const auto build_start = Clock::now();
  benchmark::DoNotOptimize(TeamIndex::Build(account, w->snapshot->users(), 0));
  state.counters["index_build_ms"] = std::chrono::duration<double, std::milli>(Clock::now() - build_start).count();
  benchmark::DoNotOptimize(SearchTeam(*w->snapshot, account, request, 0));
  std::vector<double> ms;
  std::size_t total = 0;
  for (auto _ : state) {
    const auto start = Clock::now();
    TeamSearchResult r = SearchTeam(*w->snapshot, account, request, 0);
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    total = r.total;
    benchmark::DoNotOptimize(r);
  }
  std::sort(ms.begin(), ms.end());
  state.counters["p50_ms"] = ms[ms.size() / 2];
  state.counters["p99_ms"] = ms[static_cast<std::size_t>(0.99 * static_cast<double>(ms.size() - 1))];
  state.counters["matches"] = static_cast<double>(total);
}
BENCHMARK(BM_SearchTeam100kMembers)->Arg(0)->Arg(1)->Iterations(50)->Unit(benchmark::kMillisecond);

// The first Search Team after a write (issue 13, item 4): each iteration copies the
// account state as a write does and adds one assignment to it (not timed), then times the
// first search on the copy, which derives its team index from the previous state's
// (TeamIndex::Derive). Writes and searches alternate, so each base is the last derived
// index. Arg 1: the same with the index built from nothing on that call, the cost before
// derivation. Per-call percentiles.
void BM_SearchTeamFirstAfterWrite100k(benchmark::State& state) {
  World* w = TeamWorld100k();
  std::shared_ptr<const AccountState> current = w->snapshot->FindState("big");
  TeamSearchRequest request;
  request.facets = {TeamSearchRequest::Facet::kRoles, TeamSearchRequest::Facet::kUsers};
  request.limit = 50;
  benchmark::DoNotOptimize(SearchTeam(*w->snapshot, *current, request, 0));  // the first base
  std::vector<double> ms;
  std::uint64_t id = 9'000'000;
  for (auto _ : state) {
    state.PauseTiming();
    auto next = std::make_shared<AccountState>(*current);
    Assignment a;
    a.id = ++id;
    a.account_id = "big";
    a.subject = Subject{"u" + std::to_string(id % 100'000), SubjectType::kUser};
    a.role_id = "website-designer";
    a.restriction = Restriction{Restriction::Kind::kSite, {"s3"}};
    next->ApplyAssignmentAdded(a);
    state.ResumeTiming();
    const auto start = Clock::now();
    if (state.range(0) == 1) next->CacheTeamIndex(TeamIndex::Build(*next, w->snapshot->users(), 0));
    TeamSearchResult r = SearchTeam(*w->snapshot, *next, request, 0);
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    benchmark::DoNotOptimize(r);
    state.PauseTiming();
    current = std::move(next);
    state.ResumeTiming();
  }
  std::sort(ms.begin(), ms.end());
  state.counters["p50_ms"] = ms[ms.size() / 2];
  state.counters["p99_ms"] = ms[static_cast<std::size_t>(0.99 * static_cast<double>(ms.size() - 1))];
  state.counters["max_ms"] = ms.back();
}
BENCHMARK(BM_SearchTeamFirstAfterWrite100k)->Arg(0)->Arg(1)->Iterations(100)->Unit(benchmark::kMillisecond);

// 100 permissions, 1000 roles with wildcards, DENYs and inheritance.
PolicySource ThousandRoles() {
  PolicySource src;
  for (int i = 0; i < 100; ++i) {
    PermissionDecl p;
    p.id = "ns" + std::to_string(i % 10) + ".perm" + std::to_string(i);
    if (i >= 10) p.implies = {"ns" + std::to_string((i - 10) % 10) + ".perm" + std::to_string(i - 10)};
    src.permissions.push_back(p);
  }
  RoleDecl owner;
  owner.id = "owner";
  owner.title["en"] = "Owner";
  owner.statements.push_back(StatementDecl{Effect::kAllow, {"*"}, {}, {}});
  src.roles.push_back(owner);
  for (int i = 0; i < 1000; ++i) {
    RoleDecl r;
    r.id = "role-" + std::to_string(i);
    r.title["en"] = r.id;
    r.statements.push_back(
        StatementDecl{Effect::kAllow, {"ns" + std::to_string(i % 10) + ".*", src.permissions[i % 100].id}, {}, {}});
    r.statements.push_back(StatementDecl{Effect::kDeny, {src.permissions[(i * 7) % 100].id}, {}, {}});
    if (i > 0) r.inherits = {"role-" + std::to_string(i / 2)};
    src.roles.push_back(r);
  }
  return src;
}

void BM_CompileThousandRoles(benchmark::State& state) {
  const PolicySource src = ThousandRoles();
  for (auto _ : state) {
    auto out = CompilePolicySet(src);
    if (!out.ok()) state.SkipWithError(out.errors[0].ToString().c_str());
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_CompileThousandRoles)->Unit(benchmark::kMillisecond);

// The whole reload path: 1000 role files on disk → parsed → compiled.
void BM_LoadThousandRoleFiles(benchmark::State& state) {
  const auto dir = std::filesystem::temp_directory_path() / "gatehouse-bench-roles";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "roles");
  const PolicySource src = ThousandRoles();
  {
    std::ofstream perms(dir / "permissions.yaml");
    perms << "apiVersion: gatehouse/v1\nkind: Permissions\npermissions:\n";
    for (const auto& p : src.permissions) {
      perms << "  - id: " << p.id << "\n";
      if (!p.implies.empty()) perms << "    implies: [" << p.implies[0] << "]\n";
    }
  }
  for (const auto& r : src.roles) {
    std::ofstream out(dir / "roles" / (r.id + ".yaml"));
    out << "apiVersion: gatehouse/v1\nkind: Role\nid: " << r.id << "\ntitle: {en: \"" << r.id << "\"}\n";
    if (!r.inherits.empty()) out << "inherits: [" << r.inherits[0] << "]\n";
    out << "statements:\n";
    for (const auto& st : r.statements) {
      out << "  - effect: " << (st.effect == Effect::kAllow ? "ALLOW" : "DENY") << "\n    permissions: [";
      for (std::size_t i = 0; i < st.permissions.size(); ++i)
        out << (i ? ", " : "") << "\"" << st.permissions[i] << "\"";
      out << "]\n";
    }
  }
  for (auto _ : state) {
    PolicyLoad load = LoadPolicyDirectory(dir.string());
    if (!load.ok()) state.SkipWithError(load.errors[0].ToString().c_str());
    benchmark::DoNotOptimize(load);
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_LoadThousandRoleFiles)->Unit(benchmark::kMillisecond);

// What the route kernel and the decision routes add to each /v1/check for /metrics: two
// clock reads, a duration histogram observation, a status-class counter and a decision
// counter (core/instruments.h), on as many threads as the machine has.
void BM_RequestInstruments(benchmark::State& state) {
  static Histogram duration(Histogram::LatencyBounds());
  static ShardedCounter by_class, decisions;
  for (auto _ : state) {
    const auto started = Clock::now();
    by_class.Add();
    decisions.Add();
    duration.Observe(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - started).count());
  }
}
BENCHMARK(BM_RequestInstruments)->ThreadRange(1, 2)->UseRealTime();

}  // namespace
}  // namespace gatehouse

BENCHMARK_MAIN();
