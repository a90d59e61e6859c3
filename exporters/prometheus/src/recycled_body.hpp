#pragma once

#include <memory>
#include <mutex>
#include <string>

namespace hashtag_exporter::prometheus_exporter {

// Shares rendered bodies with scrapes and takes each one's buffer back when the last scrape
// holding it lets go, so that the next render writes over memory that is already mapped: a
// fresh buffer of megabytes costs a page fault per page, a good part of a render. At most one
// buffer is kept.
class RecycledBody {
 public:
  std::shared_ptr<const std::string> share(std::string text) const;

  // The buffer of a body nobody holds any more, emptied (its capacity kept), or a new string.
  std::string take() const;

 private:
  struct Spare {
    std::mutex mutex;
    std::string buffer;
  };
  // Shared with the bodies' deleters: a scrape may outlive the exposition.
  std::shared_ptr<Spare> spare_ = std::make_shared<Spare>();
};

}  // namespace hashtag_exporter::prometheus_exporter
