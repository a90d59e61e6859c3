#include <hashtag_exporter/scheduler.hpp>
#include <hashtag_exporter/setup.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "temp_dir.hpp"

namespace hashtag_exporter {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const std::filesystem::path kPlugins = HX_TEST_PLUGIN_DIR;

// Longer than a steady_clock time point can reach from now (about 292 years of nanoseconds):
// what an interval the config bound missed, or a future one that allows more, would be.
constexpr std::chrono::seconds kCenturies{300LL * 365 * 86400};

// The demo source with an interval the config file would not accept, and what records it.
class HugeIntervalTest : public ::testing::Test {
 protected:
  static hashtag_exporter::Setup demo_setup(const testing::TempDir& dir) {
    testing::write_file(dir / "demo.yml",
                        "storage:\n  path: history.db\nsources:\n  - name: demo\n"
                        "    plugin: demo\n    hashtags: [aitools]\n");
    return prepare(dir / "demo.yml", {kPlugins});
  }

  void SetUp() override {
    auto config = setup.config.sources[0];
    config.interval = kCenturies;
    setup.sources = {std::make_shared<Source>(config, LoadedPlugin::load(kPlugins / "demo.so"))};
    store = std::make_unique<HistoryStore>(setup.config.storage_path);
    collector = std::make_unique<Collector>(*store, state, setup.config.growth_windows,
                                            setup.config.retention);
    collector->track(setup.tracked());
  }

  std::size_t rounds() const { return store->history("aitools", std::nullopt).size(); }

  testing::TempDir dir;
  hashtag_exporter::Setup setup = demo_setup(dir);
  std::unique_ptr<HistoryStore> store;
  StateStore state;
  std::unique_ptr<Collector> collector;
};

TEST_F(HugeIntervalTest, OneRoundRunsAndTheNextIsNeverDue) {
  Scheduler scheduler(setup.sources, *collector);
  for (int i = 0; i < 200 && rounds() == 0; ++i) std::this_thread::sleep_for(50ms);
  ASSERT_EQ(rounds(), 1u);
  // Overflowing, the next round fell into the past and rounds ran back to back.
  EXPECT_EQ(scheduler.due().at("demo"), Clock::time_point::max());
  scheduler.stop();
  EXPECT_EQ(rounds(), 1u);
}

TEST_F(HugeIntervalTest, AReloadKeepsTheDueTimeOfThePreviousScheduler) {
  const auto previous = Clock::now() + 1h;
  Scheduler scheduler(setup.sources, *collector, {{"demo", previous}});
  EXPECT_EQ(scheduler.due().at("demo"), previous);
  scheduler.stop();
  EXPECT_EQ(rounds(), 0u);
}

}  // namespace
}  // namespace hashtag_exporter
