#include "landing_page.hpp"

#include <string_view>

namespace hashtag_exporter::prometheus_exporter {
namespace {

std::string escape_html(std::string_view text) {
  std::string escaped;
  for (const char c : text) {
    switch (c) {
      case '&': escaped += "&amp;"; break;
      case '<': escaped += "&lt;"; break;
      case '>': escaped += "&gt;"; break;
      case '"': escaped += "&quot;"; break;
      case '\'': escaped += "&#39;"; break;
      default: escaped += c;
    }
  }
  return escaped;
}

std::string link(std::string_view path, std::string_view description) {
  const auto escaped = escape_html(path);
  return "<li><a href=\"" + escaped + "\">" + escaped + "</a>: " + std::string(description) +
         "</li>\n";
}

}  // namespace

std::string landing_page(const BuildInfo& build_info, const std::string& telemetry_path) {
  std::string page =
      "<!DOCTYPE html>\n"
      "<html lang=\"en\">\n"
      "<head><meta charset=\"utf-8\"><title>hashtag_exporter</title></head>\n"
      "<body>\n"
      "<h1>hashtag_exporter</h1>\n"
      "<p>Prometheus exporter for the growth of social media hashtags.</p>\n";
  page += "<p>Version " + escape_html(build_info.version) + " (revision " +
          escape_html(build_info.revision) + ")</p>\n";
  page += "<ul>\n";
  page += link(telemetry_path, "metrics");
  page += link("/api/v1/hashtags", "tracked hashtags as JSON");
  page += link("/-/healthy", "health");
  page += link("/-/ready", "readiness");
  page += "</ul>\n</body>\n</html>\n";
  return page;
}

}  // namespace hashtag_exporter::prometheus_exporter
