// Three exporters with --shard.count=3 share the hashtags of one config.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <sstream>
#include <thread>

#include "exporter_process.hpp"
#include "fake_scavio.hpp"
#include "http.hpp"
#include "temp_dir.hpp"

namespace hashtag_exporter::testing {
namespace {

const std::vector<std::string> kHashtags{"aitools", "llm",    "chatgpt", "claude",
                                         "openai",  "cursor", "gemini",  "copilot",
                                         "mistral", "ollama", "sora",    "runway"};

class ShardedExporters : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string list;
    for (const auto& tag : kHashtags) list += (list.empty() ? "" : ", ") + tag;
    // One history per shard, as each StatefulSet pod has its own volume.
    for (int index = 0; index < 3; ++index) {
      write_file(config(index), "storage:\n  path: history-" + std::to_string(index) +
                                    ".db\n"
                                    "sources:\n"
                                    "  - name: tiktok\n"
                                    "    plugin: tiktok\n"
                                    "    interval: 1h\n"
                                    "    hashtags: [" +
                                    list +
                                    "]\n"
                                    "    settings:\n"
                                    "      api_url: " +
                                    fake.url() +
                                    "\n"
                                    "      api_key_env: FAKE_SCAVIO_KEY\n");
    }
  }

  std::filesystem::path config(int index) const {
    return dir / ("shard-" + std::to_string(index) + ".yml");
  }

  struct Running {
    std::unique_ptr<ExporterProcess> process;
    int port = 0;
  };

  Running start(int index) {
    Running running;
    running.port = free_port();
    running.process = std::make_unique<ExporterProcess>(
        HX_TEST_EXPORTER_BINARY,
        std::vector<std::string>{"--config.file=" + config(index).string(),
                                 "--web.listen-address=127.0.0.1:" + std::to_string(running.port),
                                 "--shard.count=3", "--shard.index=" + std::to_string(index)},
        dir / ("shard-" + std::to_string(index) + ".log"),
        std::map<std::string, std::string>{{"FAKE_SCAVIO_KEY", "test-key"}});
    EXPECT_TRUE(running.process->wait_until_ok("http://127.0.0.1:" + std::to_string(running.port) +
                                               "/-/ready"))
        << running.process->log_text();
    return running;
  }

  // The hashtags a running exporter exports, read from its hashtag_up series.
  static std::set<std::string> owned(const Running& running) {
    const auto body =
        http_get("http://127.0.0.1:" + std::to_string(running.port) + "/metrics").body;
    std::set<std::string> hashtags;
    std::istringstream lines(body);
    std::string line;
    const std::string prefix = "hashtag_up{source=\"tiktok\",hashtag=\"";
    while (std::getline(lines, line)) {
      if (line.starts_with(prefix)) {
        hashtags.insert(line.substr(prefix.size(), line.find('"', prefix.size()) - prefix.size()));
      }
    }
    return hashtags;
  }

  TempDir dir;
  FakeScavio fake;
};

TEST_F(ShardedExporters, CoverEveryHashtagExactlyOnceAndKeepTheirSetAcrossRestarts) {
  std::vector<Running> shards;
  for (int index = 0; index < 3; ++index) shards.push_back(start(index));

  std::multiset<std::string> union_of_shards;
  std::vector<std::set<std::string>> sets;
  for (const auto& shard : shards) {
    sets.push_back(owned(shard));
    EXPECT_FALSE(sets.back().empty());
    union_of_shards.insert(sets.back().begin(), sets.back().end());
    const auto info = http_get("http://127.0.0.1:" + std::to_string(shard.port) + "/metrics").body;
    EXPECT_THAT(info,
                ::testing::HasSubstr("hashtag_exporter_shard_info{index=\"" +
                                     std::to_string(&shard - shards.data()) + "\",count=\"3\"} 1"));
  }
  EXPECT_EQ(union_of_shards, std::multiset<std::string>(kHashtags.begin(), kHashtags.end()));

  // Each shard fetches only its own hashtags from the API: one request per hashtag in all.
  const auto requests = [&] {
    int total = 0;
    for (const auto& tag : kHashtags) total += fake.request_count(tag);
    return total;
  };
  for (int waited = 0; waited < 10000 && requests() < static_cast<int>(kHashtags.size());
       waited += 100) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (const auto& tag : kHashtags) EXPECT_EQ(fake.request_count(tag), 1) << tag;

  shards[1].process->stop();
  shards[1] = start(1);
  EXPECT_EQ(owned(shards[1]), sets[1]);
}

}  // namespace
}  // namespace hashtag_exporter::testing
