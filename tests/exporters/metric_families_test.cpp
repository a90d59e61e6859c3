// The README's metric table is the families' table in prose: every family, its labels and its
// type, and nothing else.
#include "../../exporters/prometheus/src/metric_families.hpp"

#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace hashtag_exporter::prometheus_exporter {
namespace {

struct DocumentedFamily {
  std::string type;
  std::set<std::string> labels;

  bool operator==(const DocumentedFamily&) const = default;
};

std::string trimmed(const std::string& text) {
  const auto first = text.find_first_not_of(' ');
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(' ') - first + 1);
}

std::vector<std::string> cells(const std::string& row) {
  std::vector<std::string> out;
  std::istringstream parts(row.substr(1));  // after the leading '|'
  for (std::string cell; std::getline(parts, cell, '|');) out.push_back(trimmed(cell));
  return out;
}

// The rows of the table under "## Metrics": | `name`[, `name`...] | type | labels | meaning |.
std::map<std::string, DocumentedFamily> readme_metric_table(const std::string& readme) {
  std::map<std::string, DocumentedFamily> documented;
  std::istringstream lines(readme.substr(readme.find("\n## Metrics\n") + 1));
  std::string line;
  std::getline(lines, line);  // the heading
  while (std::getline(lines, line) && !line.starts_with("## ")) {
    if (!line.starts_with("| `")) continue;
    const auto row = cells(line);
    if (row.size() < 3) continue;
    DocumentedFamily family{row[1], {}};
    std::istringstream labels(row[2]);
    for (std::string label; std::getline(labels, label, ',');) {
      if (!trimmed(label).empty()) family.labels.insert(trimmed(label));
    }
    // Every `name` of the first cell.
    for (auto open = row[0].find('`'); open != std::string::npos;) {
      const auto close = row[0].find('`', open + 1);
      documented[row[0].substr(open + 1, close - open - 1)] = family;
      open = row[0].find('`', close + 1);
    }
  }
  return documented;
}

// Every family of the tables, as the README describes one. A name defined twice is a failure.
std::map<std::string, DocumentedFamily> table_families() {
  std::map<std::string, DocumentedFamily> families;
  const auto describe = [&families](const auto& family) {
    const auto [_, inserted] = families.try_emplace(
        std::string(family.name), family.type == MetricType::counter ? "counter" : "gauge",
        std::set<std::string>(family.labels.begin(), family.labels.end()));
    EXPECT_TRUE(inserted) << family.name << " is defined twice";
  };
  for_each_family(kHashtagFamilies, describe);
  for_each_family(kSourceFamilies, describe);
  for_each_family(kExporterFamilies, describe);
  for_each_family(kExpositionFamilies, describe);
  for_each_family(kProcessFamilies, describe);
  return families;
}

TEST(MetricFamiliesTest, ReadmeMetricTableListsEveryFamilyWithItsLabelsAndType) {
  const auto readme = testing::read_file(std::filesystem::path(HX_TEST_SOURCE_DIR) / "README.md");
  const auto documented = readme_metric_table(readme);
  ASSERT_FALSE(documented.empty()) << "no table under \"## Metrics\" in README.md";
  const auto defined = table_families();
  for (const auto& [name, family] : defined) {
    const auto row = documented.find(name);
    if (row == documented.end()) {
      ADD_FAILURE() << name << " is exported but missing from README.md's metric table";
    } else {
      EXPECT_EQ(row->second.type, family.type) << name;
      EXPECT_EQ(row->second.labels, family.labels) << name;
    }
  }
  for (const auto& [name, family] : documented) {
    EXPECT_TRUE(defined.contains(name)) << name << " is in README.md but not exported";
  }
}

TEST(MetricFamiliesTest, NamesAreUniqueAndOnlyCountersEndInTotal) {
  for (const auto& [name, family] : table_families()) {
    EXPECT_EQ(family.type == "counter", name.ends_with("_total")) << name;
  }
}

}  // namespace
}  // namespace hashtag_exporter::prometheus_exporter
